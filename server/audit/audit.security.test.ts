import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { EJSON } from 'bson';
import { Secret, TOTP } from 'otpauth';
import { call, latestCode, signUp, uniquePhone } from '../../test/helpers/http.ts';
import { startTestServer, type TestServer } from '../../test/helpers/server.ts';

process.env.ALDERO_JOBS_POLL_MS = '50';

let server: TestServer;
let receiver: Server;
let hooksReceived = 0;

before(async () => {
  receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      hooksReceived++;
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  server = await startTestServer();
});
after(async () => {
  await server.stop();
  receiver.closeAllConnections();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});

/** A secret appears as a token of its own (not as a run of digits inside some other value). */
function containsToken(haystack: string, secret: string): boolean {
  const escaped = secret.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![A-Za-z0-9])${escaped}(?![A-Za-z0-9])`).test(haystack);
}

async function dump(collection: string): Promise<string> {
  return EJSON.stringify(await server.store.db.collection(collection).find({}).toArray(), { relaxed: true });
}

describe('the audit trail holds no secret', () => {
  test('after every kind of event, auditEvents, jobs and consents hold no code, token, recovery code, key or secret; full phones only in consents', async () => {
    const post = (path: string, body: unknown, token?: string, cookie?: string) => call(server.url, 'POST', path, { body, token, cookie });
    const secrets: string[] = [server.adminKey];
    const phones: string[] = [];

    const hook = await call(server.url, 'PATCH', '/v1/admin/tenant', {
      token: server.adminKey,
      body: { notificationWebhook: { url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook` } },
    });
    secrets.push(hook.body.notificationWebhookSecret);

    // Enrollment with a wrong code first.
    const user = await signUp(server.url, 'acme-sandbox', `scan-${Date.now()}@example.com`, 'password in plain form');
    secrets.push(user.password, user.accessToken, user.refreshToken);
    const phone = uniquePhone();
    phones.push(phone);
    await post('/v1/auth/mfa/sms/setup', { phone, disclosureVersion: '2026-11-01' }, user.accessToken);
    const enrollCode = await latestCode(server.url, server.adminKey, phone);
    await post('/v1/auth/mfa/sms/confirm', { code: String((Number(enrollCode) + 3) % 1e6).padStart(6, '0') }, user.accessToken);
    const confirm = await post('/v1/auth/mfa/sms/confirm', { code: enrollCode }, user.accessToken);
    secrets.push(enrollCode, ...confirm.body.recoveryCodes);

    // Login: wrong password, challenge, resends, a wrong code, the right one with a trusted device.
    await post('/v1/auth/login', { email: user.email, password: 'the wrong password' });
    const login = await post('/v1/auth/login', { email: user.email, password: user.password });
    const mfaToken = login.body.mfa_token as string;
    await post('/v1/auth/mfa/challenge', { mfa_token: mfaToken, challenge_type: 'oob', oob_channel: 'sms' });
    const loginCode = await latestCode(server.url, server.adminKey, phone);
    await post('/v1/auth/mfa/verify', { mfa_token: mfaToken, method: 'sms', code: String((Number(loginCode) + 7) % 1e6).padStart(6, '0') });
    const verify = await post('/v1/auth/mfa/verify', { mfa_token: mfaToken, method: 'sms', code: loginCode, trustDevice: true });
    const deviceCookie = verify.cookies[0]!.split(';')[0]!;
    secrets.push(mfaToken, loginCode, deviceCookie.split('=')[1]!, verify.body.accessToken, verify.body.refreshToken);
    const trusted = await post('/v1/auth/login', { email: user.email, password: user.password }, undefined, deviceCookie);
    secrets.push(trusted.body.accessToken, trusted.body.refreshToken);

    // Recovery codes regenerated; TOTP enrolled; a recovery code used; refresh; password changed.
    const regenerated = await post('/v1/auth/mfa/recovery-codes', {}, verify.body.accessToken);
    secrets.push(...regenerated.body.recoveryCodes);
    const totpSetup = await post('/v1/auth/mfa/totp/setup', {}, verify.body.accessToken);
    secrets.push(totpSetup.body.secret);
    const totpCode = new TOTP({ secret: Secret.fromBase32(totpSetup.body.secret) }).generate();
    await post('/v1/auth/mfa/totp/confirm', { code: totpCode }, verify.body.accessToken);
    const second = await post('/v1/auth/login', { email: user.email, password: user.password });
    secrets.push(second.body.mfa_token);
    const withRecovery = await post('/v1/auth/mfa/verify', { mfa_token: second.body.mfa_token, method: 'recovery_code', code: regenerated.body.recoveryCodes[0] });
    secrets.push(withRecovery.body.accessToken, withRecovery.body.refreshToken);
    const refreshed = await post('/v1/auth/refresh', { refreshToken: withRecovery.body.refreshToken });
    secrets.push(refreshed.body.refreshToken, refreshed.body.accessToken);
    await call(server.url, 'DELETE', '/v1/auth/mfa/totp', { body: { code: regenerated.body.recoveryCodes[1] }, token: refreshed.body.accessToken });
    await call(server.url, 'DELETE', '/v1/auth/mfa/sms', { body: { code: '0000-0000' }, token: refreshed.body.accessToken });
    await call(server.url, 'DELETE', '/v1/auth/mfa/sms', { body: { code: regenerated.body.recoveryCodes[2] }, token: refreshed.body.accessToken });
    await post('/v1/auth/password', { currentPassword: user.password, newPassword: 'the next plain password' }, refreshed.body.accessToken);
    secrets.push('the next plain password');

    // A refusal (4 sends), admin actions, a second phone through the guide's curl.
    const other = await signUp(server.url);
    const otherPhone = uniquePhone();
    phones.push(otherPhone);
    for (let i = 0; i < 4; i++) await post('/v1/auth/mfa/sms/setup', { phone: otherPhone }, other.accessToken);
    secrets.push(await latestCode(server.url, server.adminKey, otherPhone), other.accessToken, other.refreshToken);
    const created = await call(server.url, 'POST', '/v1/admin/users', { token: server.adminKey, body: { email: `idp-${Date.now()}@example.com`, oauthProvider: 'okta' } });
    const minted = await call(server.url, 'POST', '/v1/admin/sessions', { token: server.adminKey, body: { userId: created.body.id } });
    secrets.push(minted.body.accessToken, minted.body.refreshToken);

    const deadline = Date.now() + 5000;
    while (hooksReceived < 6 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 25));

    assert.ok(secrets.every((secret) => typeof secret === 'string' && secret.length >= 6), 'the flow produced every secret');
    const events = await dump('auditEvents');
    const jobs = await dump('jobs');
    const consents = await dump('consents');
    const types = new Set((await server.store.db.collection('auditEvents').distinct('type')) as string[]);
    for (const type of ['mfa.code.sent', 'mfa.verify.failed', 'mfa.recovery_code.used', 'device.trusted', 'device.used', 'rate_limit.refused', 'consent.recorded', 'admin.session_minted', 'mfa.sms.disabled']) {
      assert.ok(types.has(type), `the run recorded ${type}`);
    }
    assert.ok(jobs.includes('mfa.factor_added'), 'notifications were queued');
    // A control: the scan finds a planted secret, or it proves nothing.
    assert.ok(containsToken(`${events} code ${loginCode}`, loginCode));
    for (const secret of secrets) {
      for (const [name, text] of [['auditEvents', events], ['jobs', jobs], ['consents', consents]] as const) {
        assert.ok(!containsToken(text, secret), `a secret (${secret.slice(0, 4)}…) is in ${name}`);
      }
    }
    for (const phone of phones) {
      for (const form of [phone, phone.slice(1), phone.slice(2)]) {
        assert.ok(!containsToken(events, form), `a full phone number is in auditEvents`);
        assert.ok(!containsToken(jobs, form), `a full phone number is in jobs`);
      }
      assert.ok(containsToken(consents, phone), 'the consent names the phone it is about');
    }
  });
});
