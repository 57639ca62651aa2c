/**
 * Bench target: better-auth 1.7 with its two-factor plugin (OTP), configured as its docs say
 * (emailAndPassword, `twoFactor({ otpOptions: { sendOTP } })`, the official MongoDB adapter),
 * served by its node handler, on its own embedded engine through the same driver — one process,
 * like the Aldero target. Only the built-in rate limiter and telemetry are off (on by default in
 * production: 3 requests / 10 s on `/two-factor/*` would make every run a 429 run).
 *
 * `sendOTP` writes the message to a `sandboxMessages` collection, as Aldero's sandbox does.
 * Fixtures: a user signs up, enables OTP 2FA and signs in over HTTP once (so the flow is real);
 * further sign-in states are made with the calls the plugin's sign-in hook makes
 * (`createVerificationValue` ×2 and the signed `better-auth.two_factor` cookie) — sign-in itself
 * is scrypt, too slow to repeat thousands of times — and each code is sent by the real
 * `send-otp` endpoint (`auth.api.sendTwoFactorOTP`).
 */
import { createHmac } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { betterAuth } from 'better-auth';
import { mongodbAdapter } from 'better-auth/adapters/mongodb';
import { toNodeHandler } from 'better-auth/node';
import { twoFactor } from 'better-auth/plugins/two-factor';
import { MongoClient } from 'mongodb';
import { startEmbeddedMongo } from '../../../server/embedded-mongo/index.ts';
import { randomToken } from '../../../server/crypto.ts';
import { serveTarget, trackInFlight, type Fixture } from '../lib/ipc.ts';
import { startProfiling, stopProfiling } from '../lib/profiler.ts';

const engine = await startEmbeddedMongo();
// The same driver options as the Aldero store (server/store/index.ts).
const client = new MongoClient(engine.uri, { maxPoolSize: 20, serverSelectionTimeoutMS: 10_000 });
await client.connect();
const db = client.db(`better_auth_bench_${randomToken(6).replace(/[^a-z0-9]/gi, '')}`);

const server = createServer();
server.keepAliveTimeout = 65_000;
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
const secret = `bench-secret-${randomToken(32)}`;

/** The code sent for each sign-in (keyed by its cookie), read by the fixtures as a phone would. */
const sentCodes = new Map<string, string>();
let preparing = 0;

const auth = betterAuth({
  baseURL,
  secret,
  database: mongodbAdapter(db),
  emailAndPassword: { enabled: true },
  rateLimit: { enabled: false },
  telemetry: { enabled: false },
  plugins: [
    twoFactor({
      otpOptions: {
        async sendOTP({ user, otp }, ctx) {
          const cookie = ctx?.headers?.get('cookie');
          if (cookie && preparing > 0) sentCodes.set(cookie, otp);
          await db.collection('sandboxMessages').insertOne({ to: user.email, body: `Your verification code is ${otp}.`, createdAt: new Date() });
        },
      },
    }),
  ],
});

const handler = toNodeHandler(auth);
const inFlight = trackInFlight(server);
server.on('request', (req, res) => void handler(req, res));

async function post(path: string, body: unknown, cookie?: string) {
  const response = await fetch(`${baseURL}/api/auth${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: baseURL, ...(cookie ? { cookie } : {}) },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${path} answered ${response.status}: ${text}`);
  return { body: JSON.parse(text), cookies: response.headers.getSetCookie().map((c) => c.split(';')[0]!) };
}

// One user through the documented flow: sign up, enable OTP 2FA, sign in (→ twoFactorRedirect).
const email = `bench-${randomToken(6).toLowerCase().replace(/[^a-z0-9]/g, '')}@example.com`;
const password = 'correct horse battery';
const signUp = await post('/sign-up/email', { email, password, name: 'Bench' });
await post('/two-factor/enable', { password, method: 'otp' }, signUp.cookies.join('; '));
const signIn = await post('/sign-in/email', { email, password });
if (!signIn.body.twoFactorRedirect) throw new Error(`sign-in did not ask for 2FA: ${JSON.stringify(signIn.body)}`);
const userId = (await db.collection('user').findOne({ email }))!._id.toString();
const context = await auth.$context;
const twoFactorCookieName = context.createAuthCookie('two_factor').name;

/** A sign-in waiting for its second factor, as the plugin's sign-in hook leaves it. */
async function pendingSignIn(): Promise<string> {
  const identifier = `2fa-${randomToken(15)}`;
  const expiresAt = new Date(Date.now() + 600_000);
  await context.internalAdapter.createVerificationValue({ value: userId, identifier, expiresAt });
  await context.internalAdapter.createVerificationValue({ value: '0', identifier: `2fa-attempts-${identifier}`, expiresAt });
  const signature = createHmac('sha256', secret).update(identifier).digest('base64');
  return `${twoFactorCookieName}=${encodeURIComponent(`${identifier}.${signature}`)}`;
}

async function sendOtp(cookie: string): Promise<string> {
  await auth.api.sendTwoFactorOTP({ headers: new Headers({ cookie, origin: baseURL }), body: {} });
  const code = sentCodes.get(cookie);
  sentCodes.delete(cookie);
  if (!code) throw new Error('send-otp sent no code');
  return code;
}

async function fixture(scenario: string): Promise<Fixture> {
  const cookie = await pendingSignIn();
  const headers = { cookie, origin: baseURL };
  if (scenario === 'send') return { body: '{}', headers };
  const code = await sendOtp(cookie);
  const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
  return { body: JSON.stringify({ code: scenario === 'verify-right' ? code : wrong }), headers };
}

async function fixtures(scenario: string, count: number): Promise<Fixture[]> {
  if (scenario === 'login') return [{ body: JSON.stringify({ email, password }) }];
  const out: Fixture[] = [];
  preparing++;
  // Twenty at a time: each sign-in state is a few round trips.
  for (let i = 0; i < count; i += 20) {
    out.push(...(await Promise.all(Array.from({ length: Math.min(20, count - i) }, () => fixture(scenario)))));
  }
  preparing--;
  return out;
}

serveTarget(
  baseURL,
  {
    fixtures: (params) => fixtures(params.scenario === 'verify-wrong-trpc' ? 'verify-wrong' : String(params.scenario), Number(params.count)),
    async profileStart() {
      await startProfiling();
      return true;
    },
    profileStop: (params) => stopProfiling(String(params.file)),
    memory: () => process.memoryUsage(),
    cpu: () => process.cpuUsage(),
  },
  async () => {
    await inFlight.drain();
    server.closeAllConnections();
    server.close();
    await client.close();
    await engine.stop();
  },
);
