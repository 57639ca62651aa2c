import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { after, before, beforeEach, describe, test } from 'node:test';
import { call, enrolledUser, latestCode, signUp, uniquePhone } from '../../test/helpers/http.ts';
import { startTestServer, type TestServer } from '../../test/helpers/server.ts';
import { WebhookReceiver, type ReceivedCall } from '../../test/helpers/webhook-receiver.ts';
import type { JobDoc } from '../queue/jobs.ts';
import { backoffMs } from '../queue/jobs.ts';
import { parseWebhookUrl, verifyNotificationSignature } from './notifications.ts';

// Retries come fast in this suite; the defaults are 10 s doubling up to an hour.
process.env.ALDERO_JOBS_RETRY_BASE_MS = '200';
process.env.ALDERO_JOBS_POLL_MS = '50';

/** The receiver's check, written from the documented contract (not with the server's helper). */
function verifiedByReceiver(secret: string, received: ReceivedCall): boolean {
  const header = String(received.headers['aldero-signature'] ?? '');
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (!match) return false;
  const expected = createHmac('sha256', secret).update(`${match[1]}.${received.body}`).digest();
  const fresh = Math.abs(Date.now() / 1000 - Number(match[1])) < 300;
  return fresh && timingSafeEqual(expected, Buffer.from(match[2]!, 'hex'));
}

let server: TestServer;
const receiver = new WebhookReceiver('/hooks/aldero?source=test');
let secret = '';

before(async () => {
  await receiver.start();
  server = await startTestServer();
  const set = await call(server.url, 'PATCH', '/v1/admin/tenant', { token: server.adminKey, body: { notificationWebhook: { url: receiver.url } } });
  assert.equal(set.status, 200, JSON.stringify(set.body));
  secret = set.body.notificationWebhookSecret;
});
after(async () => {
  await server.stop();
  await receiver.stop();
});
beforeEach(() => {
  receiver.received.length = 0;
  receiver.plan = [];
});

const jobs = () => server.store.collection<JobDoc>('jobs');

describe('credential-change notifications (webhook)', () => {
  test('the secret is answered once, kept sealed; the URL is shown without its query', async () => {
    assert.match(secret, /^whsec_[\w-]{43}$/);
    const tenant = await call(server.url, 'GET', '/v1/admin/tenant', { token: server.adminKey });
    assert.equal(tenant.body.notificationWebhookSecret, undefined);
    assert.equal(tenant.body.notificationWebhook.url, receiver.url.split('?')[0]);
    const stored = JSON.stringify(await server.store.tenants.findOne({ slug: 'acme' }));
    assert.ok(!stored.includes(secret), 'the secret is not stored in plain form');
    const sameUrl = await call(server.url, 'PATCH', '/v1/admin/tenant', { token: server.adminKey, body: { notificationWebhook: { url: receiver.url } } });
    assert.equal(sameUrl.body.notificationWebhookSecret, undefined, 'changing the URL keeps the secret');
    const change = (await call(server.url, 'GET', '/v1/admin/audit?type=admin.tenant_settings_changed&limit=1', { token: server.adminKey })).body.events[0];
    assert.deepEqual(change.payload, { fields: ['notificationWebhook'], notificationWebhookUrl: receiver.url.split('?')[0], notificationWebhookSecretIssued: false });
    // The live environment has no webhook: its own setting.
    const live = await call(server.url, 'GET', '/v1/admin/tenant', { token: server.adminKey, tenant: 'acme' });
    assert.equal(live.body.notificationWebhook, null);
  });

  test('a factor added: signed, verified by the receiver, retried after a 500 with the same event id; the request never waits', async () => {
    receiver.plan = [{ status: 500, delayMs: 1500 }];
    const user = await signUp(server.url);
    const phone = uniquePhone();
    await call(server.url, 'POST', '/v1/auth/mfa/sms/setup', { body: { phone }, token: user.accessToken });
    const code = await latestCode(server.url, server.adminKey, phone);
    const confirm = await call(server.url, 'POST', '/v1/auth/mfa/sms/confirm', { body: { code }, token: user.accessToken, headers: { 'user-agent': 'notify-suite' } });
    const confirmedAt = Date.now();
    assert.equal(confirm.status, 200);

    const [first, second] = await receiver.waitFor(2);
    assert.ok(confirmedAt < first!.answered || first!.answered === 0, 'the user had the answer before the webhook answered');
    assert.equal(first!.body, second!.body, 'the same notification');
    assert.equal(first!.headers['aldero-event-id'], second!.headers['aldero-event-id']);
    assert.deepEqual([first!.headers['aldero-delivery-attempt'], second!.headers['aldero-delivery-attempt']], ['1', '2']);
    assert.ok(second!.at - first!.answered >= 100, 'the retry waited (backoff)');
    for (const received of [first!, second!]) {
      assert.ok(verifiedByReceiver(secret, received), 'the signature verifies with the tenant secret');
      assert.ok(verifyNotificationSignature(secret, received.headers['aldero-signature'] as string, received.body));
      assert.ok(!verifiedByReceiver('whsec_another', received));
      assert.equal(received.headers['content-type'], 'application/json');
    }
    assert.ok(!verifiedByReceiver(secret, { ...second!, body: second!.body.replace('sms', 'totp') }), 'a changed body fails');

    const body = JSON.parse(second!.body);
    const me = await call(server.url, 'GET', '/v1/auth/me', { token: user.accessToken });
    assert.equal(body.type, 'mfa.factor_added');
    assert.equal(body.environment, 'sandbox');
    assert.equal(body.tenant, 'acme');
    assert.deepEqual(body.user, { id: me.body.id, email: user.email });
    assert.deepEqual(body.data, { factor: 'sms', maskedPhone: `+1 ••• ••• ${phone.slice(-4)}` });
    assert.equal(body.context.userAgent, 'notify-suite');
    assert.equal(body.id, `ntf_${body.context.auditEventId}`);
    assert.equal(second!.headers['aldero-event-id'], body.id);

    const deadline = Date.now() + 5000;
    let job: JobDoc | null = null;
    while (Date.now() < deadline) {
      job = await jobs().findOne({ 'payload.id': body.id });
      if (job?.status === 'done') break;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
    assert.equal(job?.status, 'done');
    assert.equal(job?.attempts, 2);
    assert.ok(job?.expiresAt, 'a finished job expires');
  });

  test('every credential change notifies: recovery codes regenerated and used, device trusted, factor removed, password changed', async () => {
    const user = await enrolledUser(server.url, server.adminKey);
    await receiver.waitFor(1);
    const login = await call(server.url, 'POST', '/v1/auth/login', { body: { email: user.email, password: user.password } });
    const code = await latestCode(server.url, server.adminKey, user.phone);
    const verify = await call(server.url, 'POST', '/v1/auth/mfa/verify', { body: { mfa_token: login.body.mfa_token, method: 'sms', code, trustDevice: true } });
    const fresh = await call(server.url, 'POST', '/v1/auth/mfa/recovery-codes', { body: {}, token: verify.body.accessToken });
    await call(server.url, 'DELETE', '/v1/auth/mfa/sms', { body: { code: fresh.body.recoveryCodes[0] }, token: verify.body.accessToken });
    await call(server.url, 'POST', '/v1/auth/password', { body: { currentPassword: user.password, newPassword: 'a whole new password' }, token: verify.body.accessToken });
    const received = await receiver.waitFor(6);
    const types = received.map((r) => JSON.parse(r.body).type).sort();
    assert.deepEqual(types, [
      'device.trusted',
      'mfa.factor_added',
      'mfa.factor_removed',
      'mfa.recovery_code_used',
      'mfa.recovery_codes_regenerated',
      'password.changed',
    ]);
    for (const r of received) assert.ok(verifiedByReceiver(secret, r));
    const used = received.map((r) => JSON.parse(r.body)).find((b) => b.type === 'mfa.recovery_code_used');
    assert.deepEqual(used.data, { remaining: 9 });
  });

  test('a rotated secret signs from then on; a removed webhook is not called', async () => {
    const rotated = await call(server.url, 'PATCH', '/v1/admin/tenant', { token: server.adminKey, body: { notificationWebhook: { url: receiver.url, rotateSecret: true } } });
    const newSecret = rotated.body.notificationWebhookSecret as string;
    assert.match(newSecret, /^whsec_/);
    assert.notEqual(newSecret, secret);
    await enrolledUser(server.url, server.adminKey);
    const [received] = await receiver.waitFor(1);
    assert.ok(verifiedByReceiver(newSecret, received!));
    assert.ok(!verifiedByReceiver(secret, received!));
    secret = newSecret;

    const removed = await call(server.url, 'PATCH', '/v1/admin/tenant', { token: server.adminKey, body: { notificationWebhook: null } });
    assert.equal(removed.body.notificationWebhook, null);
    receiver.received.length = 0;
    const before = await jobs().countDocuments({});
    await enrolledUser(server.url, server.adminKey);
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(receiver.received.length, 0);
    assert.equal(await jobs().countDocuments({}), before, 'nothing queued without a webhook');
    const restored = await call(server.url, 'PATCH', '/v1/admin/tenant', { token: server.adminKey, body: { notificationWebhook: { url: receiver.url } } });
    secret = restored.body.notificationWebhookSecret;
  });

  test('webhook URLs: http(s) only, no credentials; production: https to a public host', async () => {
    for (const url of ['ftp://example.com/hook', 'not a url', 'https://user:pass@example.com/hook']) {
      const refused = await call(server.url, 'PATCH', '/v1/admin/tenant', { token: server.adminKey, body: { notificationWebhook: { url } } });
      assert.equal(refused.status, 400, url);
      assert.equal(refused.body.error, 'VALIDATION_ERROR');
    }
    for (const url of ['http://example.com/hook', 'https://127.0.0.1/hook', 'https://10.1.2.3/hook', 'https://[::1]/hook', 'https://localhost/hook', 'https://169.254.169.254/latest']) {
      assert.throws(() => parseWebhookUrl(url, true), url);
    }
    assert.equal(parseWebhookUrl('https://hooks.example.com/aldero', true).hostname, 'hooks.example.com');
  });

  test('backoff doubles from the base, is capped, and half of it is random', () => {
    const settings = { retryBaseMs: 1000, retryMaxMs: 10_000 };
    assert.deepEqual([1, 2, 3, 4, 5, 6].map((n) => backoffMs(settings, n, 1)), [1000, 2000, 4000, 8000, 10_000, 10_000]);
    assert.equal(backoffMs(settings, 3, 0), 2000);
  });
});
