/**
 * A suspended tenant sends nothing, also what was queued before the suspension (issue 13): a live
 * message waits in the outbox (the first process runs no outbox worker), the operator suspends
 * the tenant, and the worker of a second process drops the message (`tenant_suspended`) instead
 * of calling Telnyx.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { randomToken } from '../../server/crypto.ts';
import { startTelnyxEmulator, type TelnyxEmulator } from '../../server/delivery/emulator/emulator.ts';
import { startEmbeddedMongo } from '../../server/embedded-mongo/index.ts';
import { emulatorEnv, uniqueHandset, waitFor } from '../delivery/fixture.ts';
import { call, signUp } from '../helpers/http.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { apex, createTenant, newPlatformKey } from './helpers.ts';

const platformKey = newPlatformKey();
let engine: Awaited<ReturnType<typeof startEmbeddedMongo>>;
let emulator: TelnyxEmulator;
let idle: TestServer;
let working: TestServer | undefined;
let env: Record<string, string>;
let dbName: string;

before(async () => {
  engine = await startEmbeddedMongo();
  emulator = await startTelnyxEmulator();
  dbName = `aldero_suspend_${randomToken(6).replace(/[^a-z0-9]/gi, '')}`;
  env = {
    ALDERO_PLATFORM_KEY: platformKey,
    ALDERO_PUBLIC_URL: 'http://localhost:3000',
    ...emulatorEnv(emulator),
  };
  // Delivery settings are read from the process environment when a dispatcher is made.
  process.env.ALDERO_SMS_WORKER = 'false';
  try {
    idle = await startTestServer({ mongoUri: engine.uri, dbName, env });
  } finally {
    delete process.env.ALDERO_SMS_WORKER;
  }
});
after(async () => {
  await working?.stop();
  await idle?.stop();
  await emulator?.stop();
  await engine?.stop();
});

test('a message queued before the suspension is dropped, never sent', async () => {
  const slug = `halt-${randomToken(3).toLowerCase().replace(/[^a-z0-9]/g, 'x')}`;
  await createTenant(idle, platformKey, { slug, brand: 'Halt Co' });
  const user = await signUp(idle.url, slug);
  const phone = uniqueHandset();
  const setup = await call(idle.url, 'POST', '/v1/auth/mfa/sms/setup', { body: { phone }, token: user.accessToken, tenant: slug });
  assert.equal(setup.status, 200, JSON.stringify(setup.body));
  const queued = await idle.store.collection('smsOutbox').findOne({ to: phone });
  assert.equal(queued?.status, 'queued', 'waiting for a worker');

  const suspended = await apex(idle, 'POST', `/v1/platform/tenants/${slug}/suspend`, { key: platformKey });
  assert.equal(suspended.status, 200);
  working = await startTestServer({ mongoUri: engine.uri, dbName, env });
  const dropped = await waitFor(async () => {
    const message = await working!.store.collection('smsOutbox').findOne({ to: phone });
    return message && message.status !== 'queued' && message.status !== 'sending' ? message : null;
  }, 10_000, 'the worker to finish the message');
  assert.equal(dropped.status, 'dropped');
  assert.equal(dropped.reason, 'tenant_suspended');
  assert.equal(dropped.calls, 0, 'Telnyx was never called');
  assert.deepEqual(emulator.messages.filter((m) => m.to === phone), []);
});
