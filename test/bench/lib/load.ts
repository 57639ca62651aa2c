/**
 * One autocannon run against a target, fed from a pool of fixtures. Each connection takes a
 * fixture, uses it `usesPerFixture` times (5 wrong codes per challenge, 3 sends, 1 right code),
 * then takes the next one, so every request is one the route answers for real.
 *
 * Latency comes from autocannon's own per-response timing (`process.hrtime`, fractional ms),
 * kept in microseconds here: its summary histogram rounds to whole milliseconds. Every answer
 * is checked (status and a marker in the body), so a run that drifted into 429s or 410s says so.
 */
import autocannon from 'autocannon';
import type { Fixture } from './ipc.ts';

export interface Expectation {
  status: number;
  /** A string the body must contain (`"MFA_INVALID_CODE"`, `"accessToken"`). */
  contains: string;
}

export interface LoadOptions {
  url: string;
  path: string;
  fixtures: Fixture[];
  usesPerFixture: number;
  /** Reuse the pool from the start when it runs out (the login scenario signs in as one user). */
  cycle?: boolean;
  durationSeconds: number;
  connections: number;
  headers?: Record<string, string>;
  expect: Expectation;
}

export interface LoadResult {
  requests: number;
  seconds: number;
  rps: number;
  p50us: number;
  p99us: number;
  meanUs: number;
  /** Answers that were not the expected status and body. */
  unexpected: number;
  statuses: Record<string, number>;
  sampleUnexpected: string | null;
  errors: number;
  fixturesUsed: number;
  /** The pool ran out and fixtures were reused (answers then drift: see `unexpected`). */
  exhausted: boolean;
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index]!;
}

export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const { fixtures } = options;
  if (fixtures.length === 0) throw new Error('no fixtures');
  let next = 0;
  let exhausted = false;
  const take = (): Fixture => {
    if (next >= fixtures.length) {
      exhausted = !options.cycle;
      next = 0;
    }
    return fixtures[next++]!;
  };

  const latencies: number[] = [];
  const statuses: Record<string, number> = {};
  let unexpected = 0;
  let sampleUnexpected: string | null = null;

  const instance = autocannon({
    url: options.url,
    connections: options.connections,
    pipelining: 1,
    duration: options.durationSeconds,
    timeout: 30,
    headers: { 'content-type': 'application/json', 'x-aldero-tenant': 'acme-sandbox', ...options.headers },
    setupClient(client: autocannon.Client) {
      let current: Fixture | null = null;
      let uses = 0;
      client.setRequests([
        {
          method: 'POST',
          path: options.path,
          setupRequest(request: autocannon.Request) {
            if (!current || uses >= options.usesPerFixture) {
              current = take();
              uses = 0;
            }
            uses++;
            return { ...request, body: current.body, headers: { ...request.headers, ...current.headers } };
          },
          onResponse(status: number, body: string) {
            statuses[status] = (statuses[status] ?? 0) + 1;
            if (status !== options.expect.status || !body.includes(options.expect.contains)) {
              unexpected++;
              sampleUnexpected ??= `${status} ${body.slice(0, 300)}`;
            }
          },
        },
      ]);
    },
  });
  instance.on('response', (_client: unknown, _status: number, _bytes: number, responseTimeMs: number) => {
    latencies.push(responseTimeMs * 1000);
  });
  const result = await instance;
  const sorted = Float64Array.from(latencies).sort();
  const total = latencies.reduce((sum, value) => sum + value, 0);
  const requests = latencies.length;
  const seconds = result.duration;
  return {
    requests,
    seconds,
    rps: requests / seconds,
    p50us: percentile(sorted, 50),
    p99us: percentile(sorted, 99),
    meanUs: requests ? total / requests : NaN,
    unexpected,
    statuses,
    sampleUnexpected,
    errors: result.errors + result.timeouts,
    fixturesUsed: Math.min(fixtures.length, next + (exhausted ? fixtures.length : 0)),
    exhausted,
  };
}
