import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, enrolledUser, signUp, uniquePhone } from '../../test/helpers/http.ts';
import { startTestServer, type TestServer } from '../../test/helpers/server.ts';
import { DEFAULT_QUOTAS } from '../tenants/model.ts';

let server: TestServer;

before(async () => {
  server = await startTestServer({ quotas: 'defaults' });
});
after(() => server.stop());

const setup = (token: string, phone: string, headers?: Record<string, string>) =>
  call(server.url, 'POST', '/v1/auth/mfa/sms/setup', { body: { phone }, token, headers });

async function setQuotas(patch: Record<string, unknown>) {
  const result = await call(server.url, 'PATCH', '/v1/admin/tenant', { token: server.adminKey, body: patch });
  assert.equal(result.status, 200, JSON.stringify(result.body));
}

describe('SMS abuse quotas (defaults: 10/hour and 20/day per phone, 10/hour per user, 30/hour per IP)', () => {
  test('per phone: 20 parallel enrollments of one number by 20 users → exactly 10 sent', async () => {
    const phone = uniquePhone();
    const users = await Promise.all(Array.from({ length: 20 }, () => signUp(server.url)));
    const results = await Promise.all(users.map((user) => setup(user.accessToken, phone)));
    assert.equal(results.filter((r) => r.status === 200).length, 10);
    const refused = results.filter((r) => r.status === 429);
    assert.equal(refused.length, 10);
    for (const r of refused) {
      assert.equal(r.body.error, 'MFA_RATE_LIMITED');
      assert.equal(r.body.reason, 'phone_hourly');
      assert.ok(Number(r.headers.get('retry-after')) > 0);
    }
    const inbox = await call(server.url, 'GET', `/v1/sandbox/messages?phone=${encodeURIComponent(phone)}&limit=100`, { token: server.adminKey });
    assert.equal(inbox.body.messages.length, 10, 'refused sends never reached the inbox');
  });

  test('per user: the 11th code in an hour for one user is refused', async () => {
    const user = await signUp(server.url);
    const statuses: number[] = [];
    const reasons: string[] = [];
    for (let i = 0; i < 11; i++) {
      // A new phone each time: a new enrollment challenge, so the 3-per-challenge rule is not what stops it.
      const result = await setup(user.accessToken, uniquePhone());
      statuses.push(result.status);
      if (result.status !== 200) reasons.push(result.body.reason);
    }
    assert.deepEqual(statuses, [...Array(10).fill(200), 429]);
    assert.deepEqual(reasons, ['user_hourly']);
  });

  test('per IP: 30 an hour, then refused', async () => {
    // The quota tests share 127.0.0.1: the earlier tests of this file already sent 20.
    const used = await server.store.rateCounters.find({ _id: { $regex: ':ip:' } } as never).toArray();
    const sentFromIp = used.reduce((sum, doc) => sum + doc.count, 0);
    assert.equal(sentFromIp, 20);
    const users = await Promise.all(Array.from({ length: 11 }, () => signUp(server.url)));
    const results = [];
    for (const user of users) results.push(await setup(user.accessToken, uniquePhone()));
    assert.deepEqual(results.map((r) => r.status), [...Array(10).fill(200), 429]);
    assert.equal(results[10]!.body.reason, 'ip_hourly');
  });
});

describe('tenant settings', () => {
  test('allowed destination countries', async () => {
    await setQuotas({ allowedCountries: ['FR'], quotas: { ipPerHour: 1000 } });
    try {
      const user = await signUp(server.url);
      const us = await setup(user.accessToken, '+14155550123');
      assert.equal(us.status, 429);
      assert.equal(us.body.reason, 'country_not_allowed');
      const fr = await setup(user.accessToken, '+33612345678');
      assert.equal(fr.status, 200);
    } finally {
      await setQuotas({ allowedCountries: [] });
    }
  });

  test('daily budget: the tenant circuit breaker', async () => {
    const today = await server.store.rateCounters.find({ _id: { $regex: ':tenant$' } } as never).toArray();
    const sent = today.reduce((sum, doc) => sum + doc.count, 0);
    await setQuotas({ quotas: { tenantPerDay: sent + 2, ipPerHour: 1000 } });
    const user = await signUp(server.url);
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await setup(user.accessToken, uniquePhone()));
    assert.deepEqual(results.map((r) => r.status), [200, 200, 429]);
    assert.equal(results[2]!.body.reason, 'tenant_daily_budget');
  });

  test('sandbox magic numbers are exempt and fail as documented', async () => {
    await setQuotas({ quotas: { tenantPerDay: 0 } });
    const user = await signUp(server.url);
    // Issue 20: refused in the answer (422 MFA_DELIVERY_FAILED with the reason), not a 200 that says "sent".
    const optedOut = await setup(user.accessToken, '+15005550009');
    assert.equal(optedOut.status, 422);
    assert.deepEqual([optedOut.body.error, optedOut.body.reason], ['MFA_DELIVERY_FAILED', 'opted_out']);
    const invalid = await setup(user.accessToken, '+15005550001');
    assert.deepEqual([invalid.status, invalid.body.error, invalid.body.reason], [422, 'MFA_DELIVERY_FAILED', 'invalid_number']);
    await setQuotas({ quotas: { tenantPerDay: 10_000 } });
  });
});

describe('the quotas share their round trips', () => {
  test('a send a quota refuses after its claim leaves the challenge showing the message before it', async () => {
    await setQuotas({ quotas: { userPerHour: 1, minIntervalSeconds: 0, ipPerHour: 1000, tenantPerDay: 10_000 } });
    try {
      const user = await signUp(server.url);
      const phone = uniquePhone();
      assert.equal((await setup(user.accessToken, phone)).status, 200);
      const challengeOf = async () => (await server.store.challenges.find({ phone, kind: 'enroll' } as never).toArray())[0]!;
      const sent = await challengeOf();
      // The claim showed the planned message: its id is the inbox message's, its state the sandbox's.
      const inbox = await call(server.url, 'GET', `/v1/sandbox/messages?phone=${encodeURIComponent(phone)}`, { token: server.adminKey });
      assert.equal(sent.delivery?.messageId, inbox.body.messages[0].id);
      assert.equal(sent.delivery?.status, 'delivered');
      // The resend's claim shows a second message, then the user's hourly quota refuses it.
      const refused = await setup(user.accessToken, phone);
      assert.deepEqual([refused.status, refused.body.reason], [429, 'user_hourly']);
      const after = await challengeOf();
      assert.deepEqual(after.delivery, sent.delivery, 'the refused send no longer shows');
      assert.equal(after.sends, 1, 'and its send is given back');
    } finally {
      await setQuotas({ quotas: { userPerHour: DEFAULT_QUOTAS.userPerHour, minIntervalSeconds: DEFAULT_QUOTAS.minIntervalSeconds } });
    }
  });

  test("a login's attempt slots go back with its first code's quotas, also when a quota refuses the code", async () => {
    await setQuotas({ quotas: { ipPerHour: 1000, tenantPerDay: 10_000 } });
    const user = await enrolledUser(server.url, server.adminKey);
    const answers = [];
    // 12 right passwords from one IP: past the 10 failed logins per account and IP a quarter
    // hour, and past the phone's 10 codes an hour (the enrollment sent the first).
    for (let i = 0; i < 12; i++) {
      answers.push(await call(server.url, 'POST', '/v1/auth/login', { body: { email: user.email, password: user.password }, tenant: 'acme-sandbox' }));
    }
    assert.deepEqual(answers.map((a) => a.status), Array(12).fill(403), JSON.stringify(answers.at(-1)?.body));
    const sendErrors = answers.map((a) => a.body.sendError?.reason ?? null);
    assert.deepEqual(sendErrors, [...Array(9).fill(null), 'phone_hourly', 'phone_hourly', 'phone_hourly']);
    const slots = await server.store.rateCounters.find({ _id: { $regex: `^login[^:]*:.*${user.email.replace(/[.+]/g, '\\$&')}` } } as never).toArray();
    assert.ok(slots.length >= 2, 'the per-account and per-account-and-IP counters exist');
    for (const slot of slots) assert.equal(slot.count, 0, `${slot._id} holds no slot of a right password`);
  });
});
