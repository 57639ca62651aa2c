import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, signUp, uniquePhone } from '../../test/helpers/http.ts';
import { startTestServer, type TestServer } from '../../test/helpers/server.ts';

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
