/**
 * Fuzzing every REST route (from the OpenAPI document) and every tRPC procedure (from the
 * router) with generated bodies, with and without valid auth (a real user's token, the tenant
 * admin key, a forged bearer): never a 5xx, never a stack trace or a file path in a body, every
 * error answered as JSON with a code (REST `error`, tRPC `error.data.appCode`); afterwards the
 * server still serves the guide's flow and `Object.prototype` is untouched.
 *
 *   npm test                                                    # 1,500 bodies, fixed seed
 *   FUZZ_COUNT=10000 node --import tsx --test test/fuzz/fuzz.test.ts
 *   FUZZ_SEED=123 FUZZ_COUNT=20000 node --import tsx --test test/fuzz/fuzz.test.ts
 *
 * The seed is printed; a failure names the case (route, auth, mutation) so it replays.
 */
import assert from 'node:assert/strict';
import { Agent, request, type IncomingHttpHeaders } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { createContext } from '../../server/context.ts';
import { ERROR_CODES } from '../../server/errors.ts';
import { procedures } from '../../server/http/dispatch.ts';
import { restRoutes } from '../../server/http/rest.ts';
import { createChallenge } from '../../server/mfa/challenges.ts';
import { call, enrolledUser, latestCode } from '../helpers/http.ts';
import { OpenApiValidator } from '../helpers/openapi-validator.ts';
import type { OpenApiDocument } from '../../server/http/openapi/document.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { BodyGenerator, type FuzzBody, type JsonSchema } from './generate.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed_a1de);
const COUNT = Number(process.env.FUZZ_COUNT ?? 1500);
const CONCURRENCY = 6;
/** Real credentials are refreshed between epochs (a fuzzed logout or a 5th wrong code ends them). */
const EPOCH = 50;

type Auth = 'none' | 'user' | 'admin' | 'forged';

interface Target {
  surface: 'rest' | 'trpc';
  method: string;
  /** Path with `{param}` placeholders (REST) or the procedure path (tRPC). */
  path: string;
  schema: JsonSchema | undefined;
  /** GET: the input goes in the query string. */
  queryRoute: boolean;
  /** Names of path parameters (REST). */
  pathParams: string[];
}

interface Outcome {
  status: number;
  text: string;
  contentType: string;
  headers: IncomingHttpHeaders;
}

const KNOWN_CODES = new Set(Object.keys(ERROR_CODES));
const STACK_OR_PATH = /\n\s+at |\s{4}at \S|\bat (?:async )?\S+ \(|(?:\/(?:work|tmp|home|root|usr|opt|var|app|srv)\/)|node_modules|[\w-]+\.(?:ts|js|mjs|cjs):\d+|file:\/\/|[A-Z]:\\\\/;

let server: TestServer;
let agent: Agent;
let targets: Target[] = [];
const credentials = { userToken: '', userId: '', refreshToken: '', mfaToken: '', phone: '' };
let prototypeBefore: string[] = [];
/** The served document: every REST answer is checked against it (status, headers, body). */
let documented: OpenApiValidator;

function send(method: string, path: string, headers: Record<string, string>, body: Buffer | undefined): Promise<Outcome> {
  const url = new URL(server.url);
  return new Promise((resolve, reject) => {
    const req = request(
      { host: url.hostname, port: url.port, method, path, agent, headers: { ...headers, ...(body ? { 'content-length': String(body.length) } : {}) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), contentType: String(res.headers['content-type'] ?? ''), headers: res.headers }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

async function refreshCredentials(adminKey: string): Promise<void> {
  const session = await call(server.url, 'POST', '/v1/admin/sessions', { token: adminKey, body: { userId: credentials.userId } });
  assert.equal(session.status, 201, JSON.stringify(session.body));
  credentials.userToken = session.body.accessToken;
  credentials.refreshToken = session.body.refreshToken;
  // A fresh login challenge, made as the login makes it (a fuzzed password change may have
  // changed the user's password, so it is not signed in again).
  const tenant = await server.deps.tenants.resolve('acme-sandbox');
  const ctx = createContext(server.deps, { requestId: 'fuzz', ip: '127.0.0.1', userAgent: null, headers: {}, cookies: {}, secure: false, hostname: '127.0.0.1', tenant });
  const { mfaToken } = await createChallenge(ctx, { kind: 'login', userId: credentials.userId, phone: credentials.phone, availableMethods: ['sms', 'recovery_code'], withToken: true });
  credentials.mfaToken = mfaToken!;
}

/** Path parameters: plausible, random, malformed percent-encoding, traversal, very long. */
function pathParam(gen: BodyGenerator): string {
  return gen.pick([
    () => `dvc_${gen.int(1e9).toString(36)}`,
    () => encode(gen.randomString(20)),
    () => gen.pick(['%E0%A4%A', '%', '%zz', '%C0%AF', '%00', '..%2F..%2Fetc', '%2e%2e', '%F0%9F%98', '%uD800']),
    () => 'x'.repeat(gen.pick([64, 65, 500])),
    () => encodeURIComponent(JSON.stringify({ $gt: '' })),
  ])();
}

/** encodeURIComponent that does not throw on lone surrogates (a URL carries only well-formed text). */
function encode(text: string): string {
  return encodeURIComponent(text.replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD'));
}

function queryString(value: unknown): string {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const params = new URLSearchParams();
    for (const key of Object.keys(value)) {
      const item = (value as Record<string, unknown>)[key];
      params.append(key, typeof item === 'string' ? item : JSON.stringify(item) ?? '');
    }
    return params.toString();
  }
  return `q=${encode(typeof value === 'string' ? value : JSON.stringify(value) ?? '')}`;
}

interface Case {
  index: number;
  target: Target;
  auth: Auth;
  fuzz: FuzzBody;
  method: string;
  path: string;
  headers: Record<string, string>;
}

function buildCase(gen: BodyGenerator, index: number, adminKey: string): Case {
  const target = gen.pick(targets);
  // Mostly the credential the route wants, so bodies reach past the auth check; often another.
  const wants: Auth = /admin|sandbox/.test(target.path) ? 'admin' : 'user';
  const auth = gen.chance(0.55) ? wants : gen.pick<Auth>(['none', 'user', 'admin', 'forged']);
  const fuzz = gen.chance(0.6) ? gen.schemaAware(target.schema, target.queryRoute) : gen.randomBody(target.queryRoute);
  const headers: Record<string, string> = { 'x-aldero-tenant': gen.chance(0.9) ? 'acme-sandbox' : 'acme' };
  if (fuzz.contentType) headers['content-type'] = fuzz.contentType;
  if (auth === 'user') headers.authorization = `Bearer ${credentials.userToken}`;
  if (auth === 'admin') headers.authorization = `Bearer ${adminKey}`;
  if (auth === 'forged') headers.authorization = gen.pick([`Bearer ${credentials.userToken.slice(0, -4)}AAAA`, 'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.', 'Basic YTpi', `Bearer ${'a'.repeat(5000)}`, 'Bearer']);

  let method = target.method;
  let path: string;
  if (target.surface === 'rest') {
    path = target.path.replace(/\{(\w+)\}/g, () => pathParam(gen));
    if (fuzz.query !== undefined) path += `?${queryString(fuzz.query)}`;
    // A wrong method now and then: 405 with a code, not a crash.
    if (gen.chance(0.04)) method = gen.pick(['GET', 'POST', 'PUT', 'PATCH', 'DELETE']);
  } else {
    path = `/trpc/${target.path}`;
    if (gen.chance(0.04)) method = method === 'GET' ? 'POST' : 'GET';
    if (method === 'GET') {
      const input = fuzz.query !== undefined ? fuzz.query : fuzz.body ? fuzz.body.toString('utf8') : undefined;
      const text = typeof input === 'string' && fuzz.query === undefined ? input : JSON.stringify(input);
      // Node refuses request heads over 16 KiB before any handler runs; stay under it.
      if (text !== undefined && text.length < 6000) path += `?input=${encode(text)}`;
    }
  }
  if (path.length > 8000) path = path.slice(0, 8000);
  return { index, target, auth, fuzz, method, path, headers };
}

interface Stats {
  cases: number;
  schema: number;
  random: number;
  rest: number;
  trpc: number;
  byAuth: Record<string, number>;
  statuses: Record<string, number>;
  codes: Record<string, number>;
  closedOverLimit: number;
  failures: string[];
}

function describeCase(c: Case): string {
  return `#${c.index} ${c.method} ${c.path.slice(0, 120)} auth=${c.auth} ${c.fuzz.label} ct=${c.headers['content-type'] ?? '(none)'}`;
}

function check(c: Case, outcome: Outcome, stats: Stats): void {
  stats.statuses[outcome.status] = (stats.statuses[outcome.status] ?? 0) + 1;
  const fail = (why: string) => stats.failures.push(`${describeCase(c)} → ${outcome.status} ${why}: ${outcome.text.slice(0, 300)}`);
  if (outcome.status >= 500) fail('5xx');
  if (c.target.surface === 'rest') {
    let answer: unknown = outcome.text;
    try {
      answer = outcome.text ? JSON.parse(outcome.text) : null;
    } catch {
      // checked as text
    }
    for (const problem of documented.validate({ method: c.method, path: c.path, status: outcome.status, headers: outcome.headers, body: answer })) fail(`not as documented: ${problem}`);
  }
  const sent = `${c.path} ${c.fuzz.body?.toString('utf8') ?? ''}`;
  const leak = STACK_OR_PATH.exec(outcome.text);
  if (leak && !sent.includes(leak[0])) fail(`stack trace or path (${JSON.stringify(leak[0])})`);
  if (outcome.status >= 200 && outcome.status < 300) return;
  let parsed: unknown;
  try {
    parsed = JSON.parse(outcome.text);
  } catch {
    fail('error body is not JSON');
    return;
  }
  if (!/application\/json/.test(outcome.contentType)) fail(`error content-type ${outcome.contentType}`);
  const body = parsed as { error?: unknown };
  const code = c.path.startsWith('/trpc/') ? (body.error as { data?: { appCode?: unknown } } | undefined)?.data?.appCode : body.error;
  if (typeof code !== 'string' || !KNOWN_CODES.has(code)) fail(`no error code (${String(code)})`);
  else stats.codes[code] = (stats.codes[code] ?? 0) + 1;
}

before(async () => {
  prototypeBefore = Object.getOwnPropertyNames(Object.prototype).sort();
  server = await startTestServer();
  agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const user = await enrolledUser(server.url, server.adminKey);
  const me = await call(server.url, 'GET', '/v1/auth/me', { token: user.accessToken });
  credentials.userId = me.body.id;
  credentials.phone = user.phone;

  const openapi = await call(server.url, 'GET', '/v1/openapi.json');
  assert.equal(openapi.status, 200);
  documented = new OpenApiValidator(openapi.body as OpenApiDocument, { unlisted: [/^\/v1\/webhooks\//] });
  const paths = openapi.body.paths as Record<string, Record<string, { 'x-trpc-procedure'?: string; requestBody?: { content?: Record<string, { schema?: JsonSchema }> }; parameters?: { name: string; in: string; schema: JsonSchema }[] }>>;
  const restTargets: Target[] = [];
  let procedureOperations = 0;
  for (const [path, operations] of Object.entries(paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      const query = (operation.parameters ?? []).filter((p) => p.in === 'query');
      const schema: JsonSchema | undefined =
        operation.requestBody?.content?.['application/json']?.schema ??
        (query.length ? { type: 'object', properties: Object.fromEntries(query.map((p) => [p.name, p.schema])) } : undefined);
      const pathParams = (operation.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name);
      restTargets.push({ surface: 'rest', method: method.toUpperCase(), path, schema, queryRoute: method === 'get', pathParams });
      if (operation['x-trpc-procedure']) procedureOperations++;
    }
  }
  // Every REST route the server serves is in the document (and so is fuzzed), beside the routes that are not procedures (JWKS, the document, the audit export).
  assert.equal(procedureOperations, restRoutes().length, 'the OpenAPI document lists every REST route');

  const routeOf = new Map(restRoutes().map((route) => [route.procedurePath, route]));
  const trpcTargets: Target[] = [...procedures.values()].map(({ path, type }) => {
    const route = routeOf.get(path);
    const rest = route && restTargets.find((t) => t.method === route.method && route.pattern.test(t.path.replace(/\{\w+\}/g, 'x')));
    return { surface: 'trpc', method: type === 'query' ? 'GET' : 'POST', path, schema: rest?.schema, queryRoute: type === 'query', pathParams: [] };
  });
  targets = [...restTargets, ...trpcTargets];
});

after(async () => {
  agent?.destroy();
  await server?.stop();
});

describe(`fuzz: ${COUNT} generated bodies, seed 0x${SEED.toString(16)}`, () => {
  test(`every REST route and tRPC procedure: no 5xx, no stack trace, every error coded; server healthy, no prototype pollution`, async (t) => {
    const gen = new BodyGenerator(SEED, {
      mfaToken: () => credentials.mfaToken,
      refreshToken: () => credentials.refreshToken,
      userId: () => credentials.userId,
      phone: () => credentials.phone,
    }, server.deps.config.maxBodyBytes);
    const stats: Stats = { cases: 0, schema: 0, random: 0, rest: 0, trpc: 0, byAuth: {}, statuses: {}, codes: {}, closedOverLimit: 0, failures: [] };
    const started = Date.now();

    for (let epoch = 0; epoch < COUNT; epoch += EPOCH) {
      await refreshCredentials(server.adminKey);
      // Cases are drawn in order from the seeded generator; only their sending is concurrent.
      const cases = Array.from({ length: Math.min(EPOCH, COUNT - epoch) }, (_, i) => buildCase(gen, epoch + i, server.adminKey));
      let next = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < cases.length) {
            const c = cases[next++]!;
            stats.cases++;
            stats[c.fuzz.kind]++;
            stats[c.target.surface]++;
            stats.byAuth[c.auth] = (stats.byAuth[c.auth] ?? 0) + 1;
            try {
              check(c, await send(c.method, c.path, c.headers, c.fuzz.body), stats);
            } catch (error) {
              // A body over the limit may be cut off mid-upload: the server answers 413 and closes.
              if (c.fuzz.body && c.fuzz.body.length > server.deps.config.maxBodyBytes) stats.closedOverLimit++;
              else stats.failures.push(`${describeCase(c)} → connection error ${(error as Error).message}`);
            }
          }
        }),
      );
    }

    const seconds = (Date.now() - started) / 1000;
    const summary =
      `seed 0x${SEED.toString(16)}: ${stats.cases} bodies (${stats.schema} schema-aware, ${stats.random} random) in ${seconds.toFixed(1)} s; ` +
      `${stats.rest} REST, ${stats.trpc} tRPC over ${targets.length} targets; auth ${JSON.stringify(stats.byAuth)}; statuses ${JSON.stringify(stats.statuses)}; error codes ${JSON.stringify(stats.codes)}; ` +
      `over-limit uploads cut off: ${stats.closedOverLimit}; failures: ${stats.failures.length}`;
    t.diagnostic(summary);
    console.log(`fuzz ${summary}`);
    assert.deepEqual(stats.failures.slice(0, 20), [], `${stats.failures.length} failing cases (first 20 shown)`);
    assert.equal(stats.cases, COUNT);

    // The process is healthy: it answers, and the guide's flow still works end to end.
    const health = await call(server.url, 'GET', '/healthz', { tenant: null });
    assert.equal(health.status, 200);
    const demo = await server.deps.tenants.bySlug('acme');
    await server.deps.tenants.updateSettings(demo!, { allowedCountries: [], quotas: { ...demo!.quotas, phonePerHour: 1000, phonePerDay: 1000, userPerHour: 1000, ipPerHour: 100_000, tenantPerDay: 1_000_000, minIntervalSeconds: 0 } });
    const fresh = await enrolledUser(server.url, server.adminKey);
    const login = await call(server.url, 'POST', '/v1/auth/login', { body: { email: fresh.email, password: fresh.password } });
    assert.equal(login.status, 403, JSON.stringify(login.body));
    const code = await latestCode(server.url, server.adminKey, fresh.phone);
    const verified = await call(server.url, 'POST', '/v1/auth/mfa/verify', { body: { mfa_token: login.body.mfa_token, method: 'sms', code } });
    assert.equal(verified.status, 200, JSON.stringify(verified.body));

    // Nothing reached a prototype.
    assert.deepEqual(Object.getOwnPropertyNames(Object.prototype).sort(), prototypeBefore);
    const probe = {} as Record<string, unknown>;
    for (const key of ['polluted', 'isAdmin']) assert.equal(probe[key], undefined, `Object.prototype.${key}`);
    assert.equal(([] as unknown as Record<string, unknown>).polluted, undefined);
  });
});
