/**
 * Memory: 100,000 login challenges created and expired, then the heap must come back near its
 * baseline (pass: after ≤ baseline + 20 %). Server and embedded engine share this process, as
 * `npm start` runs them, so the heap holds both the API's state and the engine's documents.
 *
 *   node --expose-gc --import tsx test/memory/challenges.memory.ts [--count 100000]
 *
 * How:
 * - Challenges are made by the server's own `createChallenge` with a real request context and
 *   stored through the real driver (the HTTP login would cost one scrypt each: about an hour for
 *   100,000 on 2 cores). A sample is then answered over HTTP (wrong code → 400), so the request
 *   path's own allocations are part of the measure.
 * - Expiry: the server's ManualClock is advanced past the 5 minutes; the same sample then
 *   answers 410 MFA_CHALLENGE_EXPIRED (expiry is checked in the query). Removal is the engine's
 *   TTL monitor, which keeps challenges a day past expiry and reads the wall clock
 *   (`Date.now()`, every second): this script moves that clock too — `Date.now` is offset by the
 *   same amount as the ManualClock — so a day passes for the monitor without waiting a day.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { ManualClock } from '../../server/clock.ts';
import { createContext, type Context } from '../../server/context.ts';
import { decrypt } from '../../server/crypto.ts';
import { createChallenge } from '../../server/mfa/challenges.ts';
import { CHALLENGE_TTL_SECONDS } from '../../server/contract/rules.ts';
import { call, enrolledUser } from '../helpers/http.ts';
import { startTestServer } from '../helpers/server.ts';

const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) {
  console.error('run with --expose-gc: node --expose-gc --import tsx test/memory/challenges.memory.ts');
  process.exit(2);
}

const { values } = parseArgs({ options: { count: { type: 'string', default: '100000' }, concurrency: { type: 'string', default: '32' } } });
const COUNT = Number(values.count);
const CONCURRENCY = Number(values.concurrency);
/** The challenges' TTL index keeps them a day past expiresAt (server/store/index.ts). */
const TTL_GRACE_MS = 86_400_000;
const SAMPLE = 500;

const mb = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;

async function settledHeap(): Promise<NodeJS.MemoryUsage> {
  for (let i = 0; i < 4; i++) {
    gc!();
    await new Promise((resolve) => setImmediate(resolve));
  }
  return process.memoryUsage();
}

const clock = new ManualClock();
const server = await startTestServer({ clock });
const user = await enrolledUser(server.url, server.adminKey);
const tenant = await server.deps.tenants.resolve('acme-sandbox');
const userDoc = await server.store.users.findOne({ realm: tenant.realm, email: user.email });
const ctx: Context = createContext(server.deps, {
  requestId: 'memory',
  ip: '127.0.0.1',
  userAgent: 'aldero-memory',
  headers: {},
  cookies: {},
  secure: false,
  hostname: '127.0.0.1',
  tenant,
});

interface Made {
  mfaToken: string;
  wrongCode: string;
}

/** Creates `count` challenges, `CONCURRENCY` at a time; keeps the tokens of the first `keep`. */
async function createMany(count: number, keep: number, onProgress?: () => void): Promise<Made[]> {
  const kept: Made[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < count) {
        const i = next++;
        const { challenge, mfaToken } = await createChallenge(ctx, {
          kind: 'login',
          userId: userDoc!._id,
          phone: user.phone,
          availableMethods: ['sms', 'recovery_code'],
          withToken: true,
        });
        if (i < keep) {
          const code = decrypt(server.deps.keys.secret, 'challenge-code', challenge.codeSealed);
          kept.push({ mfaToken: mfaToken!, wrongCode: String((Number(code) + 1) % 1_000_000).padStart(6, '0') });
        }
        if (i % 5000 === 0) onProgress?.();
      }
    }),
  );
  return kept;
}

/** Answers each sample challenge once over HTTP; returns the statuses seen. */
async function answer(sample: Made[]): Promise<Record<string, number>> {
  const statuses: Record<string, number> = {};
  for (let i = 0; i < sample.length; i += 16) {
    const results = await Promise.all(
      sample.slice(i, i + 16).map((made) => call(server.url, 'POST', '/v1/auth/mfa/verify', { body: { mfa_token: made.mfaToken, method: 'sms', code: made.wrongCode } })),
    );
    for (const result of results) statuses[`${result.status} ${result.body.error}`] = (statuses[`${result.status} ${result.body.error}`] ?? 0) + 1;
  }
  return statuses;
}

async function waitFor(condition: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await condition()) return true;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return condition();
}

/**
 * Moves time for both clocks: the server's ManualClock and the wall clock the engine's TTL
 * monitor reads (`Date.now()`; `new Date()` and timers are untouched).
 */
const realDateNow = Date.now.bind(Date);
let wallOffsetMs = 0;
Date.now = () => realDateNow() + wallOffsetMs;
function advanceBoth(ms: number): void {
  clock.advance(ms);
  wallOffsetMs += ms;
}

// Warm-up: the same work at a small scale (JIT, pools, index structures), expired and removed
// the same way, so the baseline is a warm process.
const warmCount = Math.min(5000, Math.max(1000, Math.floor(COUNT / 20)));
await answer(await createMany(warmCount, SAMPLE));
advanceBoth(CHALLENGE_TTL_SECONDS * 1000 + TTL_GRACE_MS + 1000);
await waitFor(async () => (await server.store.challenges.estimatedDocumentCount()) === 0, 30_000);
const documentsAtStart = await server.store.challenges.estimatedDocumentCount();
const baseline = await settledHeap();

const createStarted = realDateNow();
let peakHeap = 0;
const samplePeak = () => (peakHeap = Math.max(peakHeap, process.memoryUsage().heapUsed));
const sampler = setInterval(samplePeak, 100);
const sample = await createMany(COUNT, SAMPLE, samplePeak);
const createSeconds = (realDateNow() - createStarted) / 1000;
const documentsAtPeak = await server.store.challenges.estimatedDocumentCount();
// Idle for 3 s with every challenge live: what the engine's once-a-second TTL sweep costs.
const idleDelay = monitorEventLoopDelay({ resolution: 10 });
idleDelay.enable();
await new Promise((resolve) => setTimeout(resolve, 3000));
idleDelay.disable();
const liveAnswers = await answer(sample);
samplePeak();
const peakSettled = await settledHeap();

// Expire: 5 minutes pass; the same challenges now answer 410, and are still stored.
advanceBoth(CHALLENGE_TTL_SECONDS * 1000 + 1000);
const expiredAnswers = await answer(sample.slice(0, 100));
const documentsExpired = await server.store.challenges.estimatedDocumentCount();
// A day passes: the TTL monitor removes them on its next sweep.
const removalStarted = realDateNow();
const delay = monitorEventLoopDelay({ resolution: 10 });
delay.enable();
advanceBoth(TTL_GRACE_MS);
const removed = await waitFor(async () => (await server.store.challenges.estimatedDocumentCount()) <= documentsAtStart, 60_000);
delay.disable();
clearInterval(sampler);
const removalSeconds = (realDateNow() - removalStarted) / 1000;
const documentsAfter = await server.store.challenges.estimatedDocumentCount();
sample.length = 0;
const afterHeap = await settledHeap();

const limit = baseline.heapUsed * 1.2;
const pass = removed && afterHeap.heapUsed <= limit && documentsAtPeak >= COUNT;
console.log(`challenges: ${COUNT.toLocaleString('en-US')} created by createChallenge (real context, real driver, ${CONCURRENCY} at a time) in ${createSeconds.toFixed(1)} s; ${documentsAtPeak.toLocaleString('en-US')} stored at the peak`);
console.log(`idle 3 s with ${documentsAtPeak.toLocaleString('en-US')} live challenges: event-loop delay max ${(idleDelay.max / 1e6).toFixed(1)} ms, mean ${(idleDelay.mean / 1e6).toFixed(1)} ms (the engine's TTL monitor runs every second; it visits only what is due)`);
console.log(`sample of ${SAMPLE} over HTTP while live: ${JSON.stringify(liveAnswers)}; after the clock moved 5 min: ${JSON.stringify(expiredAnswers)}`);
console.log(`expired: ${documentsExpired.toLocaleString('en-US')} still stored 5 min later; a day later the engine's TTL monitor removed them in ${removalSeconds.toFixed(1)} s (${documentsAfter} left; event-loop delay meanwhile: p50 ${(delay.percentile(50) / 1e6).toFixed(1)} ms, max ${(delay.max / 1e6).toFixed(1)} ms)`);
console.log(`heap used: baseline ${mb(baseline.heapUsed)}, peak ${mb(Math.max(peakHeap, peakSettled.heapUsed))} (after GC at the peak ${mb(peakSettled.heapUsed)}), after ${mb(afterHeap.heapUsed)} (${((afterHeap.heapUsed / baseline.heapUsed - 1) * 100).toFixed(1)} % vs baseline; limit +20 % = ${mb(limit)})`);
console.log(`rss: baseline ${mb(baseline.rss)}, peak ${mb(peakSettled.rss)}, after ${mb(afterHeap.rss)} (rss is not expected to shrink back: the allocator keeps its pages)`);
console.log(pass ? 'PASS: the heap came back near its baseline' : 'FAIL');

await server.stop();
process.exit(pass ? 0 : 1);
