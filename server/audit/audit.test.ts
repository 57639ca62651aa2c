import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { Secret, TOTP } from 'otpauth';
import { call, enrolledUser, latestCode, signUp, uniqueEmail, uniquePhone } from '../../test/helpers/http.ts';
import { startTestServer, type TestServer } from '../../test/helpers/server.ts';
import { SANDBOX_FROM } from '../delivery/sandbox.ts';
import { maskPhone } from '../phone.ts';
import { recordDeliveryStatusEvent, recordOptOutEvent } from '../delivery/audit.ts';
import { eventsOf, listEvents, only } from '../../test/helpers/audit.ts';

let server: TestServer;

before(async () => {
  server = await startTestServer();
});
after(() => server.stop());

const UA = 'audit-suite/1.0';
const post = (path: string, body: unknown, token?: string, cookie?: string, requestId?: string) =>
  call(server.url, 'POST', path, { body, token, cookie, headers: { 'user-agent': UA, ...(requestId ? { 'x-request-id': requestId } : {}) } });
const del = (path: string, body: unknown, token: string) => call(server.url, 'DELETE', path, { body, token, headers: { 'user-agent': UA } });
const events = (userId: string) => eventsOf(server.url, server.adminKey, userId);

async function challengeFor(email: string, password: string, cookie?: string) {
  const login = await post('/v1/auth/login', { email, password }, undefined, cookie);
  assert.equal(login.status, 403, JSON.stringify(login.body));
  return login.body.mfa_token as string;
}

function wrongCodeFor(code: string): string {
  return String((Number(code) + 1) % 1_000_000).padStart(6, '0');
}

describe('every action writes its event, with its payload', () => {
  test('the life of an account: sign-up, enrollment, logins, devices, recovery codes, TOTP, disabling, password', async () => {
    // Sign-up
    const email = uniqueEmail('audit');
    const signup = await post('/v1/auth/signup', { email, password: 'correct horse battery' }, undefined, undefined, 'req-audit-signup');
    assert.equal(signup.status, 201);
    const me = await call(server.url, 'GET', '/v1/auth/me', { token: signup.body.accessToken });
    const userId = me.body.id as string;
    const signedUp = only(await events(userId), 'user.signed_up');
    assert.deepEqual(signedUp.payload, { method: 'password' });
    assert.equal(signedUp.requestId, 'req-audit-signup', 'the request id of the request that made the change');
    assert.equal(signedUp.userAgent, UA);
    assert.equal(signedUp.ip, '127.0.0.1');
    assert.equal(signedUp.actor, 'end_user');
    assert.ok(!Number.isNaN(Date.parse(signedUp.time)));

    // Enrollment: consent, code sent, a wrong code, the right one.
    const phone = uniquePhone();
    const masked = maskPhone(phone);
    assert.equal((await post('/v1/auth/mfa/sms/setup', { phone, disclosureVersion: '2026-11-01' }, signup.body.accessToken)).status, 200);
    const enrollCode = await latestCode(server.url, server.adminKey, phone);
    const wrong = await post('/v1/auth/mfa/sms/confirm', { code: wrongCodeFor(enrollCode) }, signup.body.accessToken);
    assert.equal(wrong.status, 400);
    const confirm = await post('/v1/auth/mfa/sms/confirm', { code: enrollCode }, signup.body.accessToken);
    assert.equal(confirm.status, 200);
    let trail = await events(userId);
    const consent = only(trail, 'consent.recorded');
    assert.deepEqual({ ...consent.payload, consentId: undefined }, { consentId: undefined, maskedPhone: masked, disclosureVersion: '2026-11-01', source: 'component' });
    const enrollSent = only(trail, 'mfa.code.sent', (e) => e.payload.purpose === 'enroll_sms');
    assert.equal(enrollSent.payload.maskedPhone, masked);
    assert.equal(enrollSent.payload.sender, SANDBOX_FROM);
    assert.match(enrollSent.payload.messageId, /^msg_/);
    assert.equal(enrollSent.payload.deliveryStatus, 'delivered');
    assert.equal(enrollSent.payload.sendsRemaining, 2);
    assert.deepEqual(only(trail, 'mfa.verify.failed').payload, {
      purpose: 'enroll_sms', method: 'sms', challengeId: enrollSent.payload.challengeId, reason: 'invalid_code', attemptsRemaining: 4,
    });
    assert.deepEqual(only(trail, 'mfa.verify.succeeded').payload, { purpose: 'enroll_sms', method: 'sms', challengeId: enrollSent.payload.challengeId });
    assert.deepEqual(only(trail, 'mfa.sms.enrolled').payload, { maskedPhone: masked, consentId: consent.payload.consentId });
    assert.deepEqual(only(trail, 'mfa.recovery_codes.generated').payload, { count: 10, reason: 'enrollment' });
    const recoveryCodes = confirm.body.recoveryCodes as string[];

    // Login failures: a wrong password, an unknown email.
    assert.equal((await post('/v1/auth/login', { email, password: 'not the password' })).status, 401);
    const unknownEmail = uniqueEmail('nobody');
    assert.equal((await post('/v1/auth/login', { email: unknownEmail, password: 'whatever it is' })).status, 401);
    assert.deepEqual(only(await events(userId), 'login.failed').payload, { email, reason: 'wrong_password' });
    const unknown = (await listEvents(server.url, server.adminKey, { type: 'login.failed' })).find((e) => e.payload.email === unknownEmail);
    assert.deepEqual(unknown?.payload, { email: unknownEmail, reason: 'unknown_user' });
    assert.equal(unknown?.userId, null);

    // Login: MFA required, the code auto-sent, verified, the device trusted.
    const mfaToken = await challengeFor(email, 'correct horse battery');
    const loginCode = await latestCode(server.url, server.adminKey, phone);
    const verify = await post('/v1/auth/mfa/verify', { mfa_token: mfaToken, method: 'sms', code: loginCode, trustDevice: true });
    assert.equal(verify.status, 200);
    const cookie = verify.cookies[0]!.split(';')[0]!;
    trail = await events(userId);
    const required = only(trail, 'login.mfa_required');
    assert.deepEqual(required.payload.availableMethods, ['sms', 'recovery_code']);
    assert.equal(required.payload.codeSent, true);
    assert.equal(required.payload.sendRefusedReason, null);
    const loginSent = only(trail, 'mfa.code.sent', (e) => e.payload.purpose === 'login');
    assert.equal(loginSent.payload.challengeId, required.payload.challengeId);
    assert.deepEqual(only(trail, 'mfa.verify.succeeded', (e) => e.payload.purpose === 'login').payload, { purpose: 'login', method: 'sms', challengeId: required.payload.challengeId });
    assert.deepEqual(only(trail, 'login.succeeded').payload, { amr: ['pwd', 'sms'] });
    const trusted = only(trail, 'device.trusted');
    assert.match(trusted.payload.deviceId, /^dvc_/);
    assert.ok(Date.parse(trusted.payload.expiresAt) > Date.now() + 29 * 86_400_000);

    // The trusted device skips MFA: used, and the sign-in says so.
    assert.equal((await post('/v1/auth/login', { email, password: 'correct horse battery' }, undefined, cookie)).status, 200);
    trail = await events(userId);
    assert.deepEqual(only(trail, 'device.used').payload, { deviceId: trusted.payload.deviceId });
    only(trail, 'login.succeeded', (e) => e.payload.amr.join() === 'pwd,device');

    // Recovery codes regenerated (fresh MFA session).
    const regenerated = await post('/v1/auth/mfa/recovery-codes', {}, verify.body.accessToken);
    assert.equal(regenerated.status, 200);
    only(await events(userId), 'mfa.recovery_codes.generated', (e) => e.payload.reason === 'regenerated');
    const codes = regenerated.body.recoveryCodes as string[];
    assert.notDeepEqual(codes, recoveryCodes);

    // TOTP enrolled; then a login that uses a recovery code.
    const totpSetup = await post('/v1/auth/mfa/totp/setup', {}, verify.body.accessToken);
    const totp = new TOTP({ secret: Secret.fromBase32(totpSetup.body.secret) });
    assert.equal((await post('/v1/auth/mfa/totp/confirm', { code: totp.generate() }, verify.body.accessToken)).status, 200);
    only(await events(userId), 'mfa.totp.enrolled');
    const second = await challengeFor(email, 'correct horse battery');
    const withRecovery = await post('/v1/auth/mfa/verify', { mfa_token: second, method: 'recovery_code', code: codes[0] });
    assert.equal(withRecovery.status, 200);
    trail = await events(userId);
    assert.deepEqual(only(trail, 'mfa.recovery_code.used', (e) => e.payload.purpose === 'login').payload, { purpose: 'login', remaining: 9 });
    only(trail, 'mfa.verify.succeeded', (e) => e.payload.method === 'recovery_code' && e.payload.purpose === 'login');

    // A device revoked by the user.
    const devices = await call(server.url, 'GET', '/v1/auth/devices', { token: withRecovery.body.accessToken });
    const deviceId = devices.body.devices[0].id as string;
    assert.equal((await del(`/v1/auth/devices/${deviceId}`, {}, withRecovery.body.accessToken)).status, 200);
    assert.deepEqual(only(await events(userId), 'device.revoked').payload, { deviceId, reason: 'user', count: 1 });

    // Trust another device, then disable TOTP with a recovery code: the device goes with it.
    const third = await challengeFor(email, 'correct horse battery');
    const again = await post('/v1/auth/mfa/verify', { mfa_token: third, method: 'recovery_code', code: codes[1], trustDevice: true });
    assert.equal(again.status, 200);
    assert.equal((await del('/v1/auth/mfa/totp', { code: codes[2] }, again.body.accessToken)).status, 200);
    trail = await events(userId);
    assert.deepEqual(only(trail, 'mfa.totp.disabled').payload, { verifiedWith: 'recovery_code' });
    assert.deepEqual(only(trail, 'mfa.recovery_code.used', (e) => e.payload.purpose === 'disable_totp').payload, { purpose: 'disable_totp', remaining: 7 });
    assert.deepEqual(only(trail, 'device.revoked', (e) => e.payload.reason === 'factor_disabled').payload, { deviceId: null, reason: 'factor_disabled', count: 1 });

    // Disable SMS: a wrong code first (counted, without attempts left: a time window), then a right one.
    assert.equal((await del('/v1/auth/mfa/sms', { code: '0000-0000' }, again.body.accessToken)).status, 400);
    assert.equal((await del('/v1/auth/mfa/sms', { code: codes[3] }, again.body.accessToken)).status, 200);
    trail = await events(userId);
    assert.deepEqual(only(trail, 'mfa.verify.failed', (e) => e.payload.purpose === 'disable_sms').payload, {
      purpose: 'disable_sms', method: null, challengeId: null, reason: 'invalid_code', attemptsRemaining: null,
    });
    assert.deepEqual(only(trail, 'mfa.sms.disabled').payload, { maskedPhone: masked, verifiedWith: 'recovery_code' });

    // The password changed.
    assert.equal((await post('/v1/auth/password', { currentPassword: 'correct horse battery', newPassword: 'another fine password' }, again.body.accessToken)).status, 200);
    only(await events(userId), 'user.password_changed');

    // Nothing of this user's trail belongs to anyone else, and every event names its request.
    for (const event of await events(userId)) {
      assert.equal(event.userId, userId);
      assert.ok(event.requestId, `${event.type} has a request id`);
    }
  });

  test('5 wrong codes: each counted, the 5th invalidates the challenge, the 6th is a refusal', async () => {
    const user = await enrolledUser(server.url, server.adminKey);
    const mfaToken = await challengeFor(user.email, user.password);
    const code = await latestCode(server.url, server.adminKey, user.phone);
    for (let i = 0; i < 5; i++) await post('/v1/auth/mfa/verify', { mfa_token: mfaToken, method: 'sms', code: wrongCodeFor(code) });
    const refused = await post('/v1/auth/mfa/verify', { mfa_token: mfaToken, method: 'sms', code });
    assert.equal(refused.status, 429);
    const trail = await eventsOf(server.url, server.adminKey, (await call(server.url, 'GET', '/v1/auth/me', { token: user.accessToken })).body.id);
    const failures = trail.filter((e) => e.type === 'mfa.verify.failed' && e.payload.purpose === 'login');
    assert.deepEqual(failures.map((e) => e.payload.attemptsRemaining), [4, 3, 2, 1, 0]);
    const invalidated = only(trail, 'mfa.challenge.invalidated');
    assert.deepEqual(invalidated.payload, { challengeId: failures[0]!.payload.challengeId, purpose: 'login', failedAttempts: 5 });
    const refusal = only(trail, 'rate_limit.refused');
    assert.deepEqual(refusal.payload, { reason: 'challenge_attempt_limit', errorCode: 'MFA_RATE_LIMITED', procedure: 'auth.mfa.verify', retryAfterSeconds: null });
  });

  test('rate-limit refusals are recorded with their reason: sends per challenge, countries, failed logins', async () => {
    const user = await enrolledUser(server.url, server.adminKey);
    const userId = (await call(server.url, 'GET', '/v1/auth/me', { token: user.accessToken })).body.id as string;
    const mfaToken = await challengeFor(user.email, user.password);
    const resend = { mfa_token: mfaToken, challenge_type: 'oob', oob_channel: 'sms' };
    await post('/v1/auth/mfa/challenge', resend);
    await post('/v1/auth/mfa/challenge', resend);
    assert.equal((await post('/v1/auth/mfa/challenge', resend)).status, 429);
    only(await events(userId), 'rate_limit.refused', (e) => e.payload.reason === 'challenge_send_limit' && e.payload.procedure === 'auth.mfa.challenge');

    const other = await signUp(server.url);
    const otherId = (await call(server.url, 'GET', '/v1/auth/me', { token: other.accessToken })).body.id as string;
    assert.equal((await call(server.url, 'PATCH', '/v1/admin/tenant', { token: server.adminKey, body: { allowedCountries: ['GB'] } })).status, 200);
    try {
      const refused = await post('/v1/auth/mfa/sms/setup', { phone: uniquePhone() }, other.accessToken);
      assert.equal(refused.status, 429);
    } finally {
      await call(server.url, 'PATCH', '/v1/admin/tenant', { token: server.adminKey, body: { allowedCountries: [] } });
    }
    assert.deepEqual(only(await events(otherId), 'rate_limit.refused').payload, {
      reason: 'country_not_allowed', errorCode: 'MFA_RATE_LIMITED', procedure: 'auth.mfa.sms.setup', retryAfterSeconds: null,
    });

    const target = await signUp(server.url);
    const targetId = (await call(server.url, 'GET', '/v1/auth/me', { token: target.accessToken })).body.id as string;
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await post('/v1/auth/login', { email: target.email, password: `wrong guess ${i}` })).status);
    assert.deepEqual(statuses, [...Array(10).fill(401), 429]);
    const loginRefusal = (await listEvents(server.url, server.adminKey, { type: 'rate_limit.refused' })).find(
      (e) => e.payload.reason === 'login_attempts' && e.payload.procedure === 'auth.login',
    );
    assert.ok(loginRefusal, 'the refused login is recorded');
    assert.equal(loginRefusal.payload.errorCode, 'RATE_LIMITED');
    assert.ok(loginRefusal.payload.retryAfterSeconds > 0);
    assert.equal((await events(targetId)).filter((e) => e.type === 'login.failed').length, 10);
  });

  test('admin actions: user created, session minted, tenant settings changed', async () => {
    const email = uniqueEmail('idp');
    const created = await call(server.url, 'POST', '/v1/admin/users', { token: server.adminKey, body: { email, oauthProvider: 'okta' } });
    assert.equal(created.status, 201);
    const minted = await call(server.url, 'POST', '/v1/admin/sessions', { token: server.adminKey, body: { userId: created.body.id } });
    assert.equal(minted.status, 201);
    const trail = await events(created.body.id);
    const userCreated = only(trail, 'admin.user_created');
    assert.deepEqual(userCreated.payload, { email, oauthProvider: 'okta' });
    assert.equal(userCreated.actor, 'admin');
    assert.deepEqual(only(trail, 'admin.session_minted').payload, { amr: ['fed'] });

    const patch = await call(server.url, 'PATCH', '/v1/admin/tenant', { token: server.adminKey, body: { webOtpHost: null, quotas: { minIntervalSeconds: 0 } } });
    assert.equal(patch.status, 200);
    const changes = await listEvents(server.url, server.adminKey, { type: 'admin.tenant_settings_changed' });
    assert.deepEqual([...changes[0]!.payload.fields].sort(), ['quotas', 'webOtpHost']);
    assert.equal(changes[0]!.actor, 'admin');
    assert.equal(changes[0]!.userId, null);
  });

  test('for the delivery feature: delivery updates, opt-out and opt-in are recorded as system events, masked', async () => {
    const realm = (await server.deps.tenants.resolve('acme-sandbox')).realm;
    const phone = uniquePhone();
    const deps = server.deps;
    await recordDeliveryStatusEvent(deps, { realm, userId: 'usr_delivery', challengeId: 'chl_x', messageId: 'msg_x', to: phone, sender: '+18445550100', status: 'failed', reason: 'invalid_number' });
    await recordOptOutEvent(deps, { realm, userId: 'usr_delivery', phone, sender: '+18445550100', optedOut: true, keyword: 'STOP' });
    await recordOptOutEvent(deps, { realm, userId: 'usr_delivery', phone, sender: '+18445550100', optedOut: false, keyword: 'START' });
    const trail = await events('usr_delivery');
    assert.deepEqual(trail.map((e) => e.type), ['mfa.code.delivery_updated', 'sms.opted_out', 'sms.opted_in']);
    assert.deepEqual(trail[0]!.payload, {
      challengeId: 'chl_x', messageId: 'msg_x', maskedPhone: maskPhone(phone), sender: '+18445550100', deliveryStatus: 'failed', deliveryReason: 'invalid_number',
    });
    assert.deepEqual(trail[1]!.payload, { maskedPhone: maskPhone(phone), sender: '+18445550100', keyword: 'STOP' });
    for (const event of trail) {
      assert.equal(event.actor, 'system');
      assert.deepEqual([event.ip, event.userAgent, event.requestId], [null, null, null]);
    }
  });

  test('events of one environment are not listed in the other; no admin key, no trail', async () => {
    const user = await signUp(server.url, 'acme');
    const userId = (await call(server.url, 'GET', '/v1/auth/me', { token: user.accessToken, tenant: 'acme' })).body.id as string;
    assert.equal((await eventsOf(server.url, server.adminKey, userId, 'acme')).length, 1);
    assert.equal((await eventsOf(server.url, server.adminKey, userId, 'acme-sandbox')).length, 0);
    assert.equal((await call(server.url, 'GET', '/v1/admin/audit', { token: user.accessToken })).status, 401);
    assert.equal((await call(server.url, 'GET', '/v1/admin/audit')).status, 401);
  });
});
