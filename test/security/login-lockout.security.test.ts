/**
 * Regression (issue 15, medium): 10 wrong passwords locked the account for 15 minutes for
 * everyone, so anyone who knew the e-mail could lock the owner out. Failed passwords are
 * limited per (account, client IP) and per IP, with a much higher account-wide ceiling; the
 * owner from another address, or with a valid trusted-device cookie, still signs in.
 * The server trusts one proxy hop, so each request's X-Forwarded-For is its client address.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { latestCode } from '../helpers/http.ts';
import { api, cookieOf, createAccount, createEnrolledAccount, freshIp, openChallenge } from './helpers.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer({ env: { ALDERO_TRUST_PROXY: '1' } });
});
after(() => server?.stop());

const login = (email: string, password: string, forwardedFor: string, cookie?: string) =>
  api(server.url, 'POST', '/v1/auth/login', { body: { email, password }, forwardedFor, cookie });

describe('failed passwords do not lock the owner out', () => {
  test('an attacker IP locks the account for itself only: the owner from another IP signs in', async () => {
    const owner = await createAccount(server.url, { forwardedFor: freshIp() });
    const attacker = '198.51.100.66';
    const results = await Promise.all(Array.from({ length: 30 }, () => login(owner.email, 'wrong password!', attacker)));
    assert.equal(results.filter((r) => r.status === 401).length, 10, 'per (account, IP): 10 wrong passwords judged');
    assert.equal(results.filter((r) => r.status === 429).length, 20);
    assert.equal((await login(owner.email, owner.password, attacker)).status, 429, 'the attacker’s address stays locked, even with the right password');
    const fromHome = await login(owner.email, owner.password, '192.0.2.10');
    assert.equal(fromHome.status, 200, `the owner from another address: ${JSON.stringify(fromHome.body)}`);
  });

  test('the owner with a valid trusted-device cookie signs in even from the attacker’s address', async () => {
    const owner = await createEnrolledAccount(server.url, server.adminKey, { forwardedFor: '192.0.2.20' });
    const mfaToken = await openChallenge(server.url, owner, { forwardedFor: '192.0.2.20' });
    const code = await latestCode(server.url, server.adminKey, owner.phone);
    const verified = await api(server.url, 'POST', '/v1/auth/mfa/verify', { body: { mfa_token: mfaToken, method: 'sms', code, trustDevice: true }, forwardedFor: '192.0.2.20' });
    assert.equal(verified.status, 200);
    const cookie = cookieOf(verified.cookies, 'mfa_device');
    const shared = '198.51.100.77';
    for (let i = 0; i < 12; i++) await login(owner.email, `wrong guess ${i}`, shared);
    assert.equal((await login(owner.email, owner.password, shared)).status, 429);
    const withDevice = await login(owner.email, owner.password, shared, cookie);
    assert.equal(withDevice.status, 200, `with the trusted-device cookie: ${JSON.stringify(withDevice.body)}`);
  });

  test('many addresses: the account-wide ceiling holds, and the trusted device still gets in', async () => {
    const owner = await createEnrolledAccount(server.url, server.adminKey, { forwardedFor: '192.0.2.30' });
    const mfaToken = await openChallenge(server.url, owner, { forwardedFor: '192.0.2.30' });
    const code = await latestCode(server.url, server.adminKey, owner.phone);
    const verified = await api(server.url, 'POST', '/v1/auth/mfa/verify', { body: { mfa_token: mfaToken, method: 'sms', code, trustDevice: true }, forwardedFor: '192.0.2.30' });
    const cookie = cookieOf(verified.cookies, 'mfa_device');
    let judged = 0;
    for (let address = 1; address <= 30; address++) {
      const results = await Promise.all(Array.from({ length: 10 }, (_, i) => login(owner.email, `guess ${address}-${i}`, `100.64.0.${address}`)));
      judged += results.filter((r) => r.status === 401).length;
    }
    assert.ok(judged < 300, `the account-wide ceiling refused some of 300 guesses from 30 addresses (${judged} judged)`);
    assert.ok(judged > 10, 'guesses from other addresses are not refused by one address’s limit');
    const withDevice = await login(owner.email, owner.password, '100.64.1.1', cookie);
    assert.equal(withDevice.status, 200, JSON.stringify(withDevice.body));
  });

});
