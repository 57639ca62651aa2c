/**
 * Issue 20, "When a code cannot be delivered, say so", over HTTP: a live tenant through the
 * Telnyx emulator (shared sender unverified, daily cap 3) and the sandbox on the same server.
 * - What is known when the request is made is refused in that answer, with its code and reason,
 *   and the challenge's sends are left as they were.
 * - What is learnt later (provider refusal, receipt) shows in the enrollment's status.
 * - The sandbox magic numbers behave like the numbers they stand for.
 *
 * Run: node --import tsx --test test/delivery/truthful-answers.test.ts
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, latestCode, signUp, uniquePhone } from '../helpers/http.ts';
import type { TestServer } from '../helpers/server.ts';
import type { TelnyxEmulator } from '../../server/delivery/emulator/emulator.ts';
import { startServerWithEmulator } from './api-fixture.ts';
import { SHARED_FROM, uniqueHandset, waitFor } from './fixture.ts';

let emulator: TelnyxEmulator;
let server: TestServer;
const DAILY_CAP = 3;

// The dispatcher reads its settings from the process environment (DELIVERY_ENV), and the test server runs in this process.
const DELIVERY_SETTINGS = { ALDERO_SHARED_SENDER_VERIFIED: 'false', ALDERO_SMS_UNVERIFIED_DAILY_CAP: String(DAILY_CAP) };

before(async () => {
  Object.assign(process.env, DELIVERY_SETTINGS);
  ({ server, emulator } = await startServerWithEmulator(DELIVERY_SETTINGS));
});
after(async () => {
  for (const name of Object.keys(DELIVERY_SETTINGS)) delete process.env[name];
  await server?.stop();
});

const setup = (token: string, phone: string, tenant: string) => call(server.url, 'POST', '/v1/auth/mfa/sms/setup', { body: { phone }, token, tenant });
const status = (token: string, tenant: string) => call(server.url, 'POST', '/v1/auth/mfa/sms/status', { body: {}, token, tenant });
const confirm = (token: string, code: string, tenant: string) => call(server.url, 'POST', '/v1/auth/mfa/sms/confirm', { body: { code }, token, tenant });
const inbox = async (phone: string) =>
  (await call(server.url, 'GET', `/v1/sandbox/messages?phone=${encodeURIComponent(phone)}`, { token: server.adminKey, tenant: 'acme-sandbox' })).body.messages as { body: string; status: string }[];

/** A refusal in the answer: its status, code and reason. */
function assertRefused(result: { status: number; body: Record<string, any> }, status: number, error: string, reason: string) {
  assert.deepEqual([result.status, result.body.error, result.body.reason], [status, error, reason], JSON.stringify(result.body));
  assert.equal(typeof result.body.message, 'string');
  assert.notEqual(result.body.message, 'Verification code sent via SMS.');
}

/** The enrollment's status right after a refused setup: nothing sent, every send left. */
async function assertNothingSent(token: string, tenant: string) {
  const state = await status(token, tenant);
  assert.equal(state.status, 200, JSON.stringify(state.body));
  assert.equal(state.body.codeSent, false);
  assert.equal(state.body.sendsRemaining, 3, 'the refused setup used none of the 3 sends');
}

describe('what is learnt later shows in the enrollment status (live, emulator)', () => {
  test('the provider refuses the number (40310): status failed/invalid_number; the number cannot be enrolled', async () => {
    const user = await signUp(server.url, 'acme');
    const phone = uniqueHandset();
    emulator.invalidNumbers.add(phone);
    const answer = await setup(user.accessToken, phone, 'acme');
    assert.equal(answer.status, 200, 'queued for delivery: the provider answers later');
    assert.equal(answer.body.delivery.status, 'queued');
    const failed = await waitFor(async () => {
      const state = await status(user.accessToken, 'acme');
      return state.body.delivery?.status === 'failed' ? state.body : null;
    }, 5000, 'the failure in the status');
    assert.deepEqual(failed.delivery, { status: 'failed', reason: 'invalid_number' });
    assert.equal(failed.phone, phone);
    assert.equal(failed.sendsRemaining, 2);
  });

  test('a receipt says delivery_failed: status failed/delivery_failed', async () => {
    const user = await signUp(server.url, 'acme');
    const phone = uniqueHandset();
    assert.equal((await setup(user.accessToken, phone, 'acme')).status, 200);
    const message = await waitFor(async () => emulator.messages.find((m) => m.to === phone), 5000, 'the message');
    await emulator.deliver(message.id, 'delivery_failed');
    const failed = await waitFor(async () => {
      const state = await status(user.accessToken, 'acme');
      return state.body.delivery?.status === 'failed' ? state.body : null;
    }, 5000, 'the receipt in the status');
    assert.deepEqual(failed.delivery, { status: 'failed', reason: 'delivery_failed' });
  });

  test('no enrollment in progress → 409 MFA_SETUP_REQUIRED', async () => {
    const user = await signUp(server.url, 'acme');
    const state = await status(user.accessToken, 'acme');
    assert.deepEqual([state.status, state.body.error], [409, 'MFA_SETUP_REQUIRED']);
  });
});

describe('what is known when the request is made is refused in the answer (live, emulator)', () => {
  test('opted out (STOP): setup 422, login sendError, resend 422; no send used, Telnyx never called', async () => {
    // Enrolled while it could receive, then the handset replies STOP.
    const user = await signUp(server.url, 'acme');
    const phone = uniqueHandset();
    assert.equal((await setup(user.accessToken, phone, 'acme')).status, 200);
    const message = await waitFor(async () => emulator.messages.find((m) => m.to === phone), 5000, 'the enrollment code');
    const code = /code is (\d{6})/.exec(message.text)![1]!;
    assert.equal((await confirm(user.accessToken, code, 'acme')).status, 200);
    assert.equal((await emulator.inbound(phone, SHARED_FROM, 'STOP')).status, 200);
    const attempts = emulator.attempts.length;

    const other = await signUp(server.url, 'acme');
    assertRefused(await setup(other.accessToken, phone, 'acme'), 422, 'MFA_DELIVERY_FAILED', 'opted_out');
    await assertNothingSent(other.accessToken, 'acme');

    const me = await call(server.url, 'GET', '/v1/auth/me', { token: user.accessToken, tenant: 'acme' });
    const login = await call(server.url, 'POST', '/v1/auth/login', { body: { email: me.body.email, password: 'correct horse battery' }, tenant: 'acme' });
    assert.equal(login.status, 403);
    assert.equal(login.body.codeSent, null, 'SMS is the only factor: the refusal is not a "code sent"');
    assert.deepEqual([login.body.sendError?.error, login.body.sendError?.reason], ['MFA_DELIVERY_FAILED', 'opted_out']);
    const resend = () => call(server.url, 'POST', '/v1/auth/mfa/challenge', { body: { mfa_token: login.body.mfa_token, challenge_type: 'oob', oob_channel: 'sms' }, tenant: 'acme' });
    for (let i = 0; i < 4; i++) assertRefused(await resend(), 422, 'MFA_DELIVERY_FAILED', 'opted_out');
    const challenge = await call(server.url, 'POST', '/v1/auth/mfa/status', { body: { mfa_token: login.body.mfa_token }, tenant: 'acme' });
    assert.equal(challenge.body.sendsRemaining, 3, 'five refused sends used none of the 3');
    assert.equal(challenge.body.codeSent, false);
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(emulator.attempts.length, attempts, 'Telnyx was never called for the opted-out pair');

    // START lifts it: the next resend is accepted for delivery, and only then "sent".
    assert.equal((await emulator.inbound(phone, SHARED_FROM, 'START')).status, 200);
    const accepted = await resend();
    assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
    assert.equal(accepted.body.sendsRemaining, 2);
  });

  test("the unverified sender's daily cap: refused at once with sender_daily_limit, no send used", async () => {
    // The day's 3 slots were taken above: the failed receipt's message, the enrollment before the
    // STOP and the resend after the START (the number the provider refused gave its slot back).
    const user = await signUp(server.url, 'acme');
    const refused = await setup(user.accessToken, uniqueHandset(), 'acme');
    assertRefused(refused, 422, 'MFA_DELIVERY_FAILED', 'sender_daily_limit');
    await assertNothingSent(user.accessToken, 'acme');
  });
});

describe('the sandbox (magic numbers, quotas)', () => {
  test('+15005550009 (opted out) is refused like a real opted-out number, and cannot be enrolled', async () => {
    const user = await signUp(server.url);
    assertRefused(await setup(user.accessToken, '+15005550009', 'acme-sandbox'), 422, 'MFA_DELIVERY_FAILED', 'opted_out');
    await assertNothingSent(user.accessToken, 'acme-sandbox');
    assert.deepEqual(await inbox('+15005550009'), [], 'nothing was sent');
    const attempt = await confirm(user.accessToken, '123456', 'acme-sandbox');
    assert.deepEqual([attempt.status, attempt.body.error], [409, 'MFA_SETUP_REQUIRED']);
  });

  test('+15005550001 (invalid) is never delivered, its code is not in the inbox, and it cannot be enrolled', async () => {
    const user = await signUp(server.url);
    assertRefused(await setup(user.accessToken, '+15005550001', 'acme-sandbox'), 422, 'MFA_DELIVERY_FAILED', 'invalid_number');
    await assertNothingSent(user.accessToken, 'acme-sandbox');
    const messages = await inbox('+15005550001');
    assert.ok(messages.length > 0 && messages.every((m) => m.status === 'failed' && !/\d{6}/.test(m.body)), JSON.stringify(messages));
    const attempt = await confirm(user.accessToken, '123456', 'acme-sandbox');
    assert.deepEqual([attempt.status, attempt.body.error], [409, 'MFA_SETUP_REQUIRED']);
  });

  test('+15005550006 is always delivered and enrolls', async () => {
    const user = await signUp(server.url);
    const sent = await setup(user.accessToken, '+15005550006', 'acme-sandbox');
    assert.equal(sent.status, 200);
    assert.equal(sent.body.message, 'Verification code sent via SMS.');
    assert.deepEqual(sent.body.delivery, { status: 'delivered', reason: null });
    const state = await status(user.accessToken, 'acme-sandbox');
    assert.deepEqual([state.body.codeSent, state.body.sendsRemaining, state.body.delivery.status], [true, 2, 'delivered']);
    const code = await latestCode(server.url, server.adminKey, '+15005550006');
    const done = await confirm(user.accessToken, code, 'acme-sandbox');
    assert.equal(done.status, 200, JSON.stringify(done.body));
    assert.equal(done.body.recoveryCodes.length, 10);
  });

  test('country not allowed and the tenant budget: MFA_RATE_LIMITED with the reason, at once, no send used', async () => {
    const patch = (body: Record<string, unknown>) => call(server.url, 'PATCH', '/v1/admin/tenant', { token: server.adminKey, tenant: 'acme-sandbox', body });
    const user = await signUp(server.url);
    assert.equal((await patch({ allowedCountries: ['FR'] })).status, 200);
    try {
      assertRefused(await setup(user.accessToken, '+14155550123', 'acme-sandbox'), 429, 'MFA_RATE_LIMITED', 'country_not_allowed');
      await assertNothingSent(user.accessToken, 'acme-sandbox');
    } finally {
      await patch({ allowedCountries: [] });
    }
    const before = (await call(server.url, 'GET', '/v1/admin/tenant', { token: server.adminKey, tenant: 'acme-sandbox' })).body.quotas;
    assert.equal((await patch({ quotas: { tenantPerDay: 0 } })).status, 200);
    try {
      const other = await signUp(server.url);
      assertRefused(await setup(other.accessToken, uniquePhone(), 'acme-sandbox'), 429, 'MFA_RATE_LIMITED', 'tenant_daily_budget');
      await assertNothingSent(other.accessToken, 'acme-sandbox');
    } finally {
      await patch({ quotas: { tenantPerDay: before.tenantPerDay } });
    }
  });
});
