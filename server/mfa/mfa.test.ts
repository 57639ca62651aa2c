import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { TOTP, Secret } from 'otpauth';
import { ManualClock } from '../clock.ts';
import { call, enrolledUser, latestCode, signUp, uniquePhone } from '../../test/helpers/http.ts';
import { startTestServer, type TestServer } from '../../test/helpers/server.ts';

let server: TestServer;
const clock = new ManualClock();

before(async () => {
  server = await startTestServer({ clock });
});
after(() => server.stop());

const post = (path: string, body: unknown, token?: string, cookie?: string) => call(server.url, 'POST', path, { body, token, cookie });

async function loginForChallenge(email: string, password: string) {
  const login = await post('/v1/auth/login', { email, password });
  assert.equal(login.status, 403, JSON.stringify(login.body));
  assert.equal(login.body.error, 'mfa_required');
  return login.body as { mfa_token: string; available_methods: string[]; codeSent: { sendsRemaining: number } | null };
}

/** A wrong code for sure: the right one plus one, mod 10^6. */
function wrongCodeFor(code: string): string {
  return String((Number(code) + 1) % 1_000_000).padStart(6, '0');
}

describe('the guide, step by step', () => {
  test('enroll → login challenge → verify with trustDevice → disable with a recovery code', async () => {
    const user = await signUp(server.url);
    const phone = '+15550109911';

    // Enroll: 1. setup
    const setup = await post('/v1/auth/mfa/sms/setup', { phone }, user.accessToken);
    assert.equal(setup.status, 200);
    assert.equal(setup.body.message, 'Verification code sent via SMS.');
    assert.equal(setup.body.phone, phone);
    const inbox = await call(server.url, 'GET', `/v1/sandbox/messages?phone=%2B15550109911`, { token: server.adminKey });
    assert.equal(inbox.status, 200);
    const sms = inbox.body.messages[0];
    assert.match(sms.body, /^Your Acme verification code is \d{6}\. Sent via Aldero\. Reply STOP to opt out, HELP for help\.$/);
    assert.equal(sms.to, phone);
    const code = /(\d{6})/.exec(sms.body)![1]!;

    // 2. confirm
    const confirm = await post('/v1/auth/mfa/sms/confirm', { code }, user.accessToken);
    assert.equal(confirm.status, 200);
    assert.equal(confirm.body.recoveryCodes.length, 10);
    for (const recovery of confirm.body.recoveryCodes) assert.match(recovery, /^[0-9a-f]{4}-[0-9a-f]{4}$/);
    const me = await call(server.url, 'GET', '/v1/auth/me', { token: user.accessToken });
    assert.equal(me.body.phone, phone);
    assert.equal(me.body.phoneVerified, true);
    assert.deepEqual(me.body.mfa, { sms: true, totp: false });
    assert.equal(me.body.recoveryCodesRemaining, 10);

    // Login challenge: 403 mfa_required, the code auto-sent (SMS is the only factor).
    const challenge = await loginForChallenge(user.email, user.password);
    assert.match(challenge.mfa_token, /^mfa_[\w-]{43}$/);
    assert.deepEqual(challenge.available_methods, ['sms', 'recovery_code']);
    assert.equal(challenge.codeSent?.sendsRemaining, 2);
    const loginCode = await latestCode(server.url, server.adminKey, phone);

    // An explicit fresh code: the same code of the challenge is re-sent.
    const resend = await post('/v1/auth/mfa/challenge', { mfa_token: challenge.mfa_token, challenge_type: 'oob', oob_channel: 'sms' });
    assert.equal(resend.status, 200);
    assert.deepEqual([resend.body.challenge_type, resend.body.oob_channel, resend.body.sendsRemaining], ['oob', 'sms', 1]);
    assert.equal(await latestCode(server.url, server.adminKey, phone), loginCode);

    // Verify with trustDevice.
    const verify = await post('/v1/auth/mfa/verify', { mfa_token: challenge.mfa_token, method: 'sms', code: loginCode, trustDevice: true });
    assert.equal(verify.status, 200);
    assert.equal(verify.body.expiresIn, 900);
    assert.ok(verify.body.accessToken && verify.body.refreshToken);
    const cookie = verify.cookies.find((c) => c.startsWith('mfa_device=') && c.includes('Path=/v1/auth'));
    assert.ok(cookie, 'mfa_device cookie set');
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Lax/);
    assert.match(cookie, /Max-Age=2592000/);
    const deviceCookie = cookie.split(';')[0]!;

    // The code works once.
    const replay = await post('/v1/auth/mfa/verify', { mfa_token: challenge.mfa_token, method: 'sms', code: loginCode });
    assert.equal(replay.status, 410);

    // The trusted device skips MFA.
    const trusted = await post('/v1/auth/login', { email: user.email, password: user.password }, undefined, deviceCookie);
    assert.equal(trusted.status, 200);

    // Disable with a recovery code: the phone stays, the factor goes, trusted devices are revoked.
    const disable = await call(server.url, 'DELETE', '/v1/auth/mfa/sms', { token: verify.body.accessToken, body: { code: confirm.body.recoveryCodes[0] } });
    assert.equal(disable.status, 200);
    assert.equal(disable.body.message, 'SMS factor removed.');
    const meAfter = await call(server.url, 'GET', '/v1/auth/me', { token: verify.body.accessToken });
    assert.equal(meAfter.body.phone, phone);
    assert.equal(meAfter.body.mfa.sms, false);
    const plain = await post('/v1/auth/login', { email: user.email, password: user.password });
    assert.equal(plain.status, 200, 'no factor: no challenge');
  });
});

describe('enrollment rules', () => {
  test('VALIDATION_ERROR for a phone not in E.164', async () => {
    const user = await signUp(server.url);
    for (const phone of ['5550109911', '+0155501099', '+1 555 010 9911', '+1234567890123456']) {
      const result = await post('/v1/auth/mfa/sms/setup', { phone }, user.accessToken);
      assert.equal(result.status, 400, phone);
      assert.equal(result.body.error, 'VALIDATION_ERROR');
    }
  });

  test('live refuses numbers that are not valid mobile numbers; sandbox accepts any E.164', async () => {
    const live = await signUp(server.url, 'acme');
    const fictional = await call(server.url, 'POST', '/v1/auth/mfa/sms/setup', { tenant: 'acme', body: { phone: '+15550109911' }, token: live.accessToken });
    assert.equal(fictional.status, 400);
    const premium = await call(server.url, 'POST', '/v1/auth/mfa/sms/setup', { tenant: 'acme', body: { phone: '+19005550123' }, token: live.accessToken });
    assert.equal(premium.status, 400);
  });

  test('MFA_PASSWORD_REQUIRED for OAuth-only users', async () => {
    const created = await call(server.url, 'POST', '/v1/admin/users', { token: server.adminKey, body: { email: `idp-${Date.now()}@example.com`, oauthProvider: 'okta' } });
    const session = await call(server.url, 'POST', '/v1/admin/sessions', { token: server.adminKey, body: { userId: created.body.id } });
    const result = await post('/v1/auth/mfa/sms/setup', { phone: uniquePhone() }, session.body.accessToken);
    assert.equal(result.status, 403);
    assert.equal(result.body.error, 'MFA_PASSWORD_REQUIRED');
  });

  test('MFA_SETUP_REQUIRED before setup, MFA_ALREADY_ENABLED after confirm', async () => {
    const fresh = await signUp(server.url);
    const early = await post('/v1/auth/mfa/sms/confirm', { code: '123456' }, fresh.accessToken);
    assert.equal(early.status, 409);
    assert.equal(early.body.error, 'MFA_SETUP_REQUIRED');
    const user = await enrolledUser(server.url, server.adminKey);
    const again = await post('/v1/auth/mfa/sms/setup', { phone: uniquePhone() }, user.accessToken);
    assert.equal(again.status, 409);
    assert.equal(again.body.error, 'MFA_ALREADY_ENABLED');
  });

  test('enrollment follows the challenge rules: 3 sends, then 429', async () => {
    const user = await signUp(server.url);
    const phone = uniquePhone();
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push(await post('/v1/auth/mfa/sms/setup', { phone }, user.accessToken));
    assert.deepEqual(answers.map((a) => a.status), [200, 200, 200, 429]);
    assert.deepEqual(answers.slice(0, 3).map((a) => a.body.sendsRemaining), [2, 1, 0]);
    assert.equal(answers[3]!.body.error, 'MFA_RATE_LIMITED');
    assert.equal(answers[3]!.body.reason, 'challenge_send_limit');
  });

  test('enrollment: wrong codes count, the 6th call is 429 even with the right code', async () => {
    const user = await signUp(server.url);
    const phone = uniquePhone();
    await post('/v1/auth/mfa/sms/setup', { phone }, user.accessToken);
    const code = await latestCode(server.url, server.adminKey, phone);
    const remaining = [];
    for (let i = 0; i < 5; i++) {
      const wrong = await post('/v1/auth/mfa/sms/confirm', { code: wrongCodeFor(code) }, user.accessToken);
      assert.equal(wrong.status, 400);
      assert.equal(wrong.body.error, 'MFA_INVALID_CODE');
      remaining.push(wrong.body.attemptsRemaining);
    }
    assert.deepEqual(remaining, [4, 3, 2, 1, 0]);
    const right = await post('/v1/auth/mfa/sms/confirm', { code }, user.accessToken);
    assert.equal(right.status, 429);
    assert.equal(right.body.error, 'MFA_RATE_LIMITED');
  });
});

describe('login challenge rules', () => {
  test('3 sends per challenge counting the auto-send: 4th → 429', async () => {
    const user = await enrolledUser(server.url, server.adminKey);
    const challenge = await loginForChallenge(user.email, user.password);
    const body = { mfa_token: challenge.mfa_token, challenge_type: 'oob', oob_channel: 'sms' };
    assert.equal((await post('/v1/auth/mfa/challenge', body)).body.sendsRemaining, 1);
    assert.equal((await post('/v1/auth/mfa/challenge', body)).body.sendsRemaining, 0);
    const fourth = await post('/v1/auth/mfa/challenge', body);
    assert.equal(fourth.status, 429);
    assert.equal(fourth.body.error, 'MFA_RATE_LIMITED');
    assert.equal(fourth.body.reason, 'challenge_send_limit');
  });

  test('5 wrong codes, then even the right code is 429; resends do not reset the count', async () => {
    const user = await enrolledUser(server.url, server.adminKey);
    const challenge = await loginForChallenge(user.email, user.password);
    const code = await latestCode(server.url, server.adminKey, user.phone);
    const verify = (c: string) => post('/v1/auth/mfa/verify', { mfa_token: challenge.mfa_token, method: 'sms', code: c });
    for (let i = 0; i < 3; i++) assert.equal((await verify(wrongCodeFor(code))).body.attemptsRemaining, 4 - i);
    await post('/v1/auth/mfa/challenge', { mfa_token: challenge.mfa_token, challenge_type: 'oob', oob_channel: 'sms' });
    assert.equal((await verify(wrongCodeFor(code))).body.attemptsRemaining, 1);
    assert.equal((await verify(wrongCodeFor(code))).body.attemptsRemaining, 0);
    const right = await verify(code);
    assert.equal(right.status, 429);
    assert.equal(right.body.reason, 'challenge_attempt_limit');
    const resend = await post('/v1/auth/mfa/challenge', { mfa_token: challenge.mfa_token, challenge_type: 'oob', oob_channel: 'sms' });
    assert.equal(resend.status, 429, 'a dead challenge sends nothing');
  });

  test('a challenge expires 5 minutes after creation (clock moved, not slept)', async () => {
    const user = await enrolledUser(server.url, server.adminKey);
    const challenge = await loginForChallenge(user.email, user.password);
    const code = await latestCode(server.url, server.adminKey, user.phone);
    clock.advance(4 * 60_000 + 59_000);
    const status = await post('/v1/auth/mfa/status', { mfa_token: challenge.mfa_token });
    assert.equal(status.status, 200, 'still alive at 4:59');
    clock.advance(1_000);
    const late = await post('/v1/auth/mfa/verify', { mfa_token: challenge.mfa_token, method: 'sms', code });
    assert.equal(late.status, 410);
    assert.equal(late.body.error, 'MFA_CHALLENGE_EXPIRED');
    const resend = await post('/v1/auth/mfa/challenge', { mfa_token: challenge.mfa_token, challenge_type: 'oob', oob_channel: 'sms' });
    assert.equal(resend.status, 410);
  });

  test('an unknown mfa_token → 410 MFA_CHALLENGE_EXPIRED', async () => {
    const result = await post('/v1/auth/mfa/verify', { mfa_token: 'mfa_unknown', method: 'sms', code: '123456' });
    assert.equal(result.status, 410);
  });

  test('recovery code at login: works once, counts down in /me', async () => {
    const user = await enrolledUser(server.url, server.adminKey);
    const first = await loginForChallenge(user.email, user.password);
    const ok = await post('/v1/auth/mfa/verify', { mfa_token: first.mfa_token, method: 'recovery_code', code: user.recoveryCodes[3]!.toUpperCase() });
    assert.equal(ok.status, 200);
    const me = await call(server.url, 'GET', '/v1/auth/me', { token: ok.body.accessToken });
    assert.equal(me.body.recoveryCodesRemaining, 9);
    const second = await loginForChallenge(user.email, user.password);
    const reused = await post('/v1/auth/mfa/verify', { mfa_token: second.mfa_token, method: 'recovery_code', code: user.recoveryCodes[3] });
    assert.equal(reused.status, 400);
    assert.equal(reused.body.error, 'MFA_INVALID_CODE');
    assert.equal(reused.body.attemptsRemaining, 4);
  });

  test('recovery codes: regenerate needs a fresh MFA', async () => {
    const user = await enrolledUser(server.url, server.adminKey);
    const stale = await post('/v1/auth/mfa/recovery-codes', {}, user.accessToken);
    assert.equal(stale.status, 403);
    assert.equal(stale.body.error, 'MFA_FRESH_AUTH_REQUIRED');
    const challenge = await loginForChallenge(user.email, user.password);
    const code = await latestCode(server.url, server.adminKey, user.phone);
    const session = await post('/v1/auth/mfa/verify', { mfa_token: challenge.mfa_token, method: 'sms', code });
    const fresh = await post('/v1/auth/mfa/recovery-codes', {}, session.body.accessToken);
    assert.equal(fresh.status, 200);
    assert.equal(fresh.body.recoveryCodes.length, 10);
    assert.notDeepEqual(fresh.body.recoveryCodes, user.recoveryCodes);
    const old = await loginForChallenge(user.email, user.password);
    const oldCode = await post('/v1/auth/mfa/verify', { mfa_token: old.mfa_token, method: 'recovery_code', code: user.recoveryCodes[0] });
    assert.equal(oldCode.status, 400, 'old codes no longer work');
  });

  test('disable: wrong codes are limited too (5, then 429)', async () => {
    const user = await enrolledUser(server.url, server.adminKey);
    const statuses = [];
    for (let i = 0; i < 6; i++) statuses.push((await call(server.url, 'DELETE', '/v1/auth/mfa/sms', { token: user.accessToken, body: { code: '0000-0000' } })).status);
    assert.deepEqual(statuses, [400, 400, 400, 400, 400, 429]);
  });
});

describe('trusted devices', () => {
  async function trustedLogin() {
    const user = await enrolledUser(server.url, server.adminKey);
    const challenge = await loginForChallenge(user.email, user.password);
    const code = await latestCode(server.url, server.adminKey, user.phone);
    const verify = await post('/v1/auth/mfa/verify', { mfa_token: challenge.mfa_token, method: 'sms', code, trustDevice: true });
    const cookie = verify.cookies[0]!.split(';')[0]!;
    return { user, cookie, session: verify.body };
  }

  test('list and revoke; a revoked device gets the challenge again', async () => {
    const { user, cookie, session } = await trustedLogin();
    const list = await call(server.url, 'GET', '/v1/auth/devices', { token: session.accessToken, cookie });
    assert.equal(list.body.devices.length, 1);
    assert.equal(list.body.devices[0].current, true);
    const revoke = await call(server.url, 'DELETE', `/v1/auth/devices/${list.body.devices[0].id}`, { token: session.accessToken });
    assert.equal(revoke.status, 200);
    const login = await post('/v1/auth/login', { email: user.email, password: user.password }, undefined, cookie);
    assert.equal(login.status, 403);
  });

  test('a device cookie of another user does not skip MFA', async () => {
    const { cookie } = await trustedLogin();
    const other = await enrolledUser(server.url, server.adminKey);
    const login = await post('/v1/auth/login', { email: other.email, password: other.password }, undefined, cookie);
    assert.equal(login.status, 403);
  });

  test('expires after 30 days; a password change and "sign out everywhere" revoke devices', async () => {
    const first = await trustedLogin();
    clock.advance(30 * 86_400_000 + 1000);
    const expired = await post('/v1/auth/login', { email: first.user.email, password: first.user.password }, undefined, first.cookie);
    assert.equal(expired.status, 403);

    const second = await trustedLogin();
    const change = await post('/v1/auth/password', { currentPassword: second.user.password, newPassword: 'a brand new password' }, second.session.accessToken);
    assert.equal(change.status, 200);
    const afterChange = await post('/v1/auth/login', { email: second.user.email, password: 'a brand new password' }, undefined, second.cookie);
    assert.equal(afterChange.status, 403);

    const third = await trustedLogin();
    await post('/v1/auth/logout', { everywhere: true }, third.session.accessToken);
    const afterLogout = await post('/v1/auth/login', { email: third.user.email, password: third.user.password }, undefined, third.cookie);
    assert.equal(afterLogout.status, 403);
  });
});

describe('TOTP', () => {
  test('enroll with an otpauth URI, log in with a code (used once), disable SMS with it', async () => {
    const user = await enrolledUser(server.url, server.adminKey);
    const setup = await post('/v1/auth/mfa/totp/setup', {}, user.accessToken);
    assert.equal(setup.status, 200);
    assert.match(setup.body.otpauthUri, /^otpauth:\/\/totp\/Acme:/);
    const totp = new TOTP({ secret: Secret.fromBase32(setup.body.secret), digits: 6, period: 30 });
    const confirm = await post('/v1/auth/mfa/totp/confirm', { code: totp.generate({ timestamp: clock.now().getTime() }) }, user.accessToken);
    assert.equal(confirm.status, 200);
    assert.equal(confirm.body.recoveryCodes, undefined, 'the user already has recovery codes');

    const challenge = await loginForChallenge(user.email, user.password);
    assert.deepEqual(challenge.available_methods, ['sms', 'totp', 'recovery_code']);
    assert.equal(challenge.codeSent, null, 'no auto-send when SMS is not the only factor');
    clock.advance(30_000);
    const code = totp.generate({ timestamp: clock.now().getTime() });
    const verify = await post('/v1/auth/mfa/verify', { mfa_token: challenge.mfa_token, method: 'totp', code });
    assert.equal(verify.status, 200);
    const again = await loginForChallenge(user.email, user.password);
    const replay = await post('/v1/auth/mfa/verify', { mfa_token: again.mfa_token, method: 'totp', code });
    assert.equal(replay.status, 400, 'a TOTP code is used once');

    clock.advance(30_000);
    const disable = await call(server.url, 'DELETE', '/v1/auth/mfa/sms', { token: verify.body.accessToken, body: { code: totp.generate({ timestamp: clock.now().getTime() }) } });
    assert.equal(disable.status, 200);
  });
});

describe('concurrency over HTTP', () => {
  test('40 parallel wrong codes → exactly 5 MFA_INVALID_CODE, the rest 429', async () => {
    const user = await enrolledUser(server.url, server.adminKey);
    const challenge = await loginForChallenge(user.email, user.password);
    const code = await latestCode(server.url, server.adminKey, user.phone);
    const results = await Promise.all(
      Array.from({ length: 40 }, () => post('/v1/auth/mfa/verify', { mfa_token: challenge.mfa_token, method: 'sms', code: wrongCodeFor(code) })),
    );
    const invalid = results.filter((r) => r.status === 400 && r.body.error === 'MFA_INVALID_CODE');
    const limited = results.filter((r) => r.status === 429 && r.body.error === 'MFA_RATE_LIMITED');
    assert.equal(invalid.length, 5);
    assert.equal(limited.length, 35);
    assert.deepEqual(invalid.map((r) => r.body.attemptsRemaining).sort(), [0, 1, 2, 3, 4]);
  });

  test('12 parallel resends on a fresh challenge → exactly 2 accepted', async () => {
    const user = await enrolledUser(server.url, server.adminKey);
    const challenge = await loginForChallenge(user.email, user.password);
    const results = await Promise.all(
      Array.from({ length: 12 }, () => post('/v1/auth/mfa/challenge', { mfa_token: challenge.mfa_token, challenge_type: 'oob', oob_channel: 'sms' })),
    );
    assert.equal(results.filter((r) => r.status === 200).length, 2);
    assert.equal(results.filter((r) => r.status === 429).length, 10);
  });

  test('10 parallel right codes → exactly one session', async () => {
    const user = await enrolledUser(server.url, server.adminKey);
    const challenge = await loginForChallenge(user.email, user.password);
    const code = await latestCode(server.url, server.adminKey, user.phone);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => post('/v1/auth/mfa/verify', { mfa_token: challenge.mfa_token, method: 'sms', code })),
    );
    assert.equal(results.filter((r) => r.status === 200).length, 1);
    assert.ok(results.filter((r) => r.status !== 200).every((r) => r.status === 410));
  });
});
