/**
 * Fixtures for the Aldero target and its floor (the same code builds both, so both serve the
 * same documents): enrolled users made through the guide's HTTP flow, and login challenges
 * made by the server's own `createChallenge` with a real context. Only the insert is batched
 * (`insertMany` of the documents `createChallenge` built), so tens of thousands of fresh
 * challenges are ready in seconds instead of one scrypt login each.
 */
import { createContext, type Context, type RequestInfo } from '../../../server/context.ts';
import { decrypt, randomToken } from '../../../server/crypto.ts';
import { createChallenge } from '../../../server/mfa/challenges.ts';
import type { ChallengeDoc } from '../../../server/store/documents.ts';
import type { Store } from '../../../server/store/index.ts';
import { enrolledUser } from '../../helpers/http.ts';
import type { TestServer } from '../../helpers/server.ts';
import type { Fixture } from './ipc.ts';

export const BENCH_TENANT = 'acme-sandbox';

export interface BenchWorld {
  server: TestServer;
  ctx: Context;
  users: { id: string; email: string; password: string; phone: string }[];
}

/** Two users with SMS enrolled (the first also logs in during the login scenario). */
export async function prepareWorld(server: TestServer): Promise<BenchWorld> {
  const tenant = await server.deps.tenants.resolve(BENCH_TENANT);
  const info: RequestInfo = {
    requestId: 'bench-fixtures',
    ip: '127.0.0.1',
    userAgent: 'aldero-bench',
    headers: {},
    cookies: {},
    secure: false,
    hostname: '127.0.0.1',
    tenant,
  };
  const ctx = createContext(server.deps, info);
  const users = [];
  for (let i = 0; i < 2; i++) {
    const user = await enrolledUser(server.url, server.adminKey);
    const doc = await server.store.users.findOne({ realm: tenant.realm, email: user.email });
    users.push({ id: doc!._id, email: user.email, password: user.password, phone: user.phone });
  }
  return { server, ctx, users };
}

export type ChallengeScenario = 'verify-wrong' | 'verify-right' | 'send';

/** A wrong code for sure: the right one plus one, mod 10^6. */
function wrongCodeFor(code: string): string {
  return String((Number(code) + 1) % 1_000_000).padStart(6, '0');
}

/**
 * `count` fresh login challenges and the request body that answers each: a wrong code, the
 * right code, or a send. Send challenges each get their own phone and user id so the per-phone
 * and per-user quotas never refuse (every send still takes its 5 quota counters); wrong-code
 * challenges each get their own user id, so the account-level limit (20 wrong codes per user an
 * hour) never refuses either: every request is a judged wrong code, counted by that limit too.
 */
export async function challengeFixtures(world: BenchWorld, scenario: ChallengeScenario, count: number): Promise<Fixture[]> {
  const built: ChallengeDoc[] = [];
  const capture = {
    ...world.ctx,
    deps: { ...world.ctx.deps, store: { challenges: { insertOne: async (doc: ChallengeDoc) => void built.push(doc) } } as unknown as Store },
  };
  const fixtures: Fixture[] = [];
  const batchSize = 1000;
  const run = randomToken(6).replace(/[^a-z0-9]/gi, '');
  for (let i = 0; i < count; i++) {
    const user = world.users[i % world.users.length]!;
    const sendTarget = scenario === 'send';
    const phone = sendTarget ? `+1555${String(1_000_000 + i).slice(-7)}` : user.phone;
    const userId = scenario === 'verify-right' ? user.id : `usr_bench_${scenario}_${run}_${i}`;
    const { challenge, mfaToken } = await createChallenge(capture, {
      kind: 'login',
      userId,
      phone,
      availableMethods: ['sms', 'recovery_code'],
      withToken: true,
    });
    const code = decrypt(world.ctx.deps.keys.secret, 'challenge-code', challenge.codeSealed);
    const body =
      scenario === 'send'
        ? { mfa_token: mfaToken, challenge_type: 'oob', oob_channel: 'sms' }
        : { mfa_token: mfaToken, method: 'sms', code: scenario === 'verify-right' ? code : wrongCodeFor(code) };
    fixtures.push({ body: JSON.stringify(body) });
    if (built.length >= batchSize) await world.server.store.challenges.insertMany(built.splice(0));
  }
  if (built.length > 0) await world.server.store.challenges.insertMany(built.splice(0));
  return fixtures;
}

/**
 * Users to sign in as: copies of the first enrolled user (same password hash, SMS factor and
 * recovery codes) under new ids, emails and phones. One account per connection at least: the
 * per-account login limit counts attempts in flight, so ten parallel logins to one account are
 * (rightly) refused.
 */
export async function loginFixtures(world: BenchWorld, count: number): Promise<Fixture[]> {
  const { store } = world.server;
  const first = world.users[0]!;
  const template = await store.users.findOne({ _id: first.id });
  if (!template) throw new Error('the enrolled user is gone');
  const run = randomToken(6).toLowerCase().replace(/[^a-z0-9]/g, '');
  const copies = Array.from({ length: count }, (_, i) => ({
    ...template,
    _id: `usr_${randomToken(12)}`,
    email: `login-${run}-${i}@example.com`,
    phone: `+1555${String(2_000_000 + i).slice(-7)}`,
  }));
  await store.users.insertMany(copies);
  return copies.map((user) => ({ body: JSON.stringify({ email: user.email, password: first.password }) }));
}
