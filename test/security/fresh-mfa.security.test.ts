/**
 * Regression (issue 15, low): a session whose second factor was a trusted-device cookie
 * (`amr` ["pwd","device"]) regenerated the recovery codes. Only an SMS, TOTP or recovery-code
 * check within the window counts as a fresh MFA.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { latestCode } from '../helpers/http.ts';
import { api, claimsOf, cookieOf, createEnrolledAccount, openChallenge } from './helpers.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server?.stop());

describe('fresh MFA means a code', () => {
  test('a device-only session cannot regenerate recovery codes; one that just passed SMS can', async () => {
    const account = await createEnrolledAccount(server.url, server.adminKey);
    const mfaToken = await openChallenge(server.url, account);
    const code = await latestCode(server.url, server.adminKey, account.phone);
    const verified = await api(server.url, 'POST', '/v1/auth/mfa/verify', { body: { mfa_token: mfaToken, method: 'sms', code, trustDevice: true } });
    assert.equal(verified.status, 200);
    const cookie = cookieOf(verified.cookies, 'mfa_device');

    const deviceLogin = await api(server.url, 'POST', '/v1/auth/login', { body: { email: account.email, password: account.password }, cookie });
    assert.equal(deviceLogin.status, 200);
    assert.deepEqual(claimsOf(deviceLogin.body.accessToken).amr, ['pwd', 'device']);
    const refused = await api(server.url, 'POST', '/v1/auth/mfa/recovery-codes', { body: {}, token: deviceLogin.body.accessToken });
    assert.equal(refused.status, 403, JSON.stringify(refused.body));
    assert.equal(refused.body.error, 'MFA_FRESH_AUTH_REQUIRED');

    const refreshed = await api(server.url, 'POST', '/v1/auth/refresh', { body: { refreshToken: deviceLogin.body.refreshToken } });
    assert.equal(refreshed.status, 200);
    const stillRefused = await api(server.url, 'POST', '/v1/auth/mfa/recovery-codes', { body: {}, token: refreshed.body.accessToken });
    assert.equal(stillRefused.status, 403, 'a refresh of a device-only session is not fresh either');

    const withCode = await api(server.url, 'POST', '/v1/auth/mfa/recovery-codes', { body: {}, token: verified.body.accessToken });
    assert.equal(withCode.status, 200, 'the session that passed SMS a moment ago may');
    assert.equal(withCode.body.recoveryCodes.length, 10);
  });
});
