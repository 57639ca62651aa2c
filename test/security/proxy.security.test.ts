/**
 * Regression (issue 15, medium): with ALDERO_TRUST_PROXY on, the client IP was the left-most
 * X-Forwarded-For entry, which the client writes itself: a spoofed first entry gave 40 SMS
 * through a 30-per-hour per-IP quota. `ALDERO_TRUST_PROXY=N` trusts N hops (or a list of proxy
 * addresses/CIDRs): the client is the address the last trusted hop saw. The same IP feeds the
 * per-IP quotas, the login limits and the audit trail.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { uniquePhone } from '../helpers/http.ts';
import { api, createAccount, freshIp } from './helpers.ts';

const servers: TestServer[] = [];
after(async () => {
  for (const server of servers) await server.stop();
});

async function serverTrusting(trust: string): Promise<TestServer> {
  const server = await startTestServer({ env: { ALDERO_TRUST_PROXY: trust }, quotas: { ipPerHour: 5 } });
  servers.push(server);
  return server;
}

/** Setups of fresh accounts, each request's X-Forwarded-For made by `forwardedFor(i)`. */
async function setups(server: TestServer, count: number, forwardedFor: (i: number) => string): Promise<{ status: number; body: Record<string, any> }[]> {
  const results = [];
  for (let i = 0; i < count; i++) {
    const account = await createAccount(server.url, { forwardedFor: freshIp() });
    results.push(await api(server.url, 'POST', '/v1/auth/mfa/sms/setup', { body: { phone: uniquePhone() }, token: account.accessToken, forwardedFor: forwardedFor(i) }));
  }
  return results;
}

describe('X-Forwarded-For', () => {
  let one: TestServer;
  before(async () => {
    one = await serverTrusting('1');
  });

  test('ALDERO_TRUST_PROXY=1: a spoofed left-most entry does not move the per-IP quota', async () => {
    const results = await setups(one, 8, (i) => `10.9.8.${i}, 192.0.2.50`);
    assert.equal(results.filter((r) => r.status === 200).length, 5, JSON.stringify(results.map((r) => r.status)));
    const refused = results.filter((r) => r.status === 429);
    assert.equal(refused.length, 3);
    for (const r of refused) assert.equal(r.body.reason, 'ip_hourly');
  });

  test('the audit trail records the address the proxy saw', async () => {
    const account = await createAccount(one.url, { forwardedFor: '6.6.6.6, 192.0.2.51' });
    const me = await api(one.url, 'GET', '/v1/auth/me', { token: account.accessToken });
    const audit = await api(one.url, 'GET', `/v1/admin/audit?userId=${me.body.id}`, { token: one.adminKey });
    const signedUp = audit.body.events.find((event: { type: string }) => event.type === 'user.signed_up');
    assert.equal(signedUp?.ip, '192.0.2.51');
  });

  test('failed logins are counted for the address the proxy saw', async () => {
    const account = await createAccount(one.url, { forwardedFor: freshIp() });
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const r = await api(one.url, 'POST', '/v1/auth/login', { body: { email: account.email, password: 'wrong!' }, forwardedFor: `10.1.1.${i}, 192.0.2.52` });
      statuses.push(r.status);
    }
    assert.deepEqual(statuses.slice(10), [429, 429], 'a new spoofed entry per attempt does not reset the (account, IP) limit');
  });

  test('ALDERO_TRUST_PROXY=2: the second entry from the right is the client', async () => {
    const two = await serverTrusting('2');
    const results = await setups(two, 7, (i) => `10.9.7.${i}, 192.0.2.60, 172.16.0.${i}`);
    assert.equal(results.filter((r) => r.status === 200).length, 5, JSON.stringify(results.map((r) => r.status)));
  });

  test('a list of trusted proxy addresses/CIDRs: trusted hops are skipped from the right', async () => {
    const listed = await serverTrusting('127.0.0.1/8, 172.16.0.0/12');
    const results = await setups(listed, 7, (i) => `10.9.6.${i}, 192.0.2.70, 172.16.0.${i}`);
    assert.equal(results.filter((r) => r.status === 200).length, 5, JSON.stringify(results.map((r) => r.status)));
  });
});
