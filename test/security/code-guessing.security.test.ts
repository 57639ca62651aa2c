/**
 * Regression (issue 15, high): each correct-password login opened a new challenge with 5 fresh
 * guesses and nothing bounded a user's wrong codes across challenges — 100 logins gave 500
 * judged wrong codes and the right code still worked. A user's wrong second-factor codes (SMS,
 * TOTP, recovery codes, at login and on authenticated routes) are bounded per hour, and 100
 * consecutive failures lock the factor until a recovery code or the tenant admin unlocks it.
 * The guide's per-challenge rules stay as they are on top.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ManualClock } from '../../server/clock.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { WebhookReceiver } from '../helpers/webhook-receiver.ts';
import { latestCode, wrongCodeFor } from '../helpers/http.ts';
import { api, createEnrolledAccount, openChallenge, type EnrolledAccount } from './helpers.ts';

const HOUR = 3600_000;
/** Hundreds of sign-ins and codes per test: more than the runner's default on a loaded machine. */
const SLOW = { timeout: 600_000 };
const clock = new ManualClock();
let server: TestServer;
const receiver = new WebhookReceiver();

before(async () => {
  process.env.ALDERO_JOBS_POLL_MS ??= '50';
  await receiver.start();
  server = await startTestServer({ clock });
  const set = await api(server.url, 'PATCH', '/v1/admin/tenant', { token: server.adminKey, body: { notificationWebhook: { url: receiver.url } } });
  assert.equal(set.status, 200, JSON.stringify(set.body));
});
after(async () => {
  await server?.stop();
  await receiver.stop();
});

const verify = (mfaToken: string, code: string, method = 'sms') => api(server.url, 'POST', '/v1/auth/mfa/verify', { body: { mfa_token: mfaToken, method, code } });

/** Opens a challenge and spends its 5 guesses on wrong codes; returns the statuses. */
async function guessOnce(account: EnrolledAccount): Promise<number[]> {
  const mfaToken = await openChallenge(server.url, account);
  const code = await latestCode(server.url, server.adminKey, account.phone);
  const results = await Promise.all([1, 2, 3, 4, 5].map((guess) => verify(mfaToken, wrongCodeFor(code, guess))));
  return results.map((result) => result.status);
}

function assertUserCodeLimit(result: { status: number; body: Record<string, any>; headers: Record<string, unknown> }) {
  assert.equal(result.status, 429, JSON.stringify(result.body));
  assert.equal(result.body.error, 'MFA_RATE_LIMITED');
  assert.equal(result.body.reason, 'user_code_attempts');
  assert.ok(Number(result.headers['retry-after']) > 0, 'a Retry-After says when to come back');
}

describe('wrong codes across challenges', () => {
  test('100 logins of 5 wrong codes each: at most 20 codes judged, then even the right code is refused', SLOW, async () => {
    const account = await createEnrolledAccount(server.url, server.adminKey);
    let judged = 0;
    for (let login = 0; login < 100; login++) {
      const statuses = await guessOnce(account);
      judged += statuses.filter((status) => status === 400).length;
    }
    assert.ok(judged <= 20, `${judged} wrong codes were judged across 100 challenges`);
    const mfaToken = await openChallenge(server.url, account);
    const right = await verify(mfaToken, await latestCode(server.url, server.adminKey, account.phone));
    assertUserCodeLimit(right);
  });

  test('the per-challenge rules stay: a wrong code answers attemptsRemaining, the 6th on one challenge is challenge_attempt_limit', async () => {
    const account = await createEnrolledAccount(server.url, server.adminKey);
    const mfaToken = await openChallenge(server.url, account);
    const code = await latestCode(server.url, server.adminKey, account.phone);
    const first = await verify(mfaToken, wrongCodeFor(code));
    assert.equal(first.status, 400);
    assert.equal(first.body.attemptsRemaining, 4);
    for (let guess = 2; guess <= 5; guess++) await verify(mfaToken, wrongCodeFor(code, guess));
    const sixth = await verify(mfaToken, code);
    assert.equal(sixth.status, 429);
    assert.equal(sixth.body.reason, 'challenge_attempt_limit');
  });

  test('wrong codes on authenticated routes count too (DELETE /v1/auth/mfa/sms shares the account budget)', async () => {
    const account = await createEnrolledAccount(server.url, server.adminKey);
    let judged = 0;
    for (let i = 0; i < 5; i++) {
      const wrong = await api(server.url, 'DELETE', '/v1/auth/mfa/sms', { body: { code: 'abcd-ef01' }, token: account.accessToken });
      if (wrong.status === 400) judged++;
    }
    assert.equal(judged, 5);
    for (let login = 0; login < 5; login++) judged += (await guessOnce(account)).filter((status) => status === 400).length;
    assert.equal(judged, 20, 'the route and the logins share one budget of 20');
    const mfaToken = await openChallenge(server.url, account);
    assertUserCodeLimit(await verify(mfaToken, await latestCode(server.url, server.adminKey, account.phone)));
  });

  test('the hour passes: codes are judged again, and a right code works', async () => {
    const account = await createEnrolledAccount(server.url, server.adminKey);
    for (let login = 0; login < 4; login++) await guessOnce(account);
    const mfaToken = await openChallenge(server.url, account);
    assertUserCodeLimit(await verify(mfaToken, await latestCode(server.url, server.adminKey, account.phone)));
    clock.advance(HOUR + 1000);
    const again = await openChallenge(server.url, account);
    const ok = await verify(again, await latestCode(server.url, server.adminKey, account.phone));
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
  });
});

/**
 * 100 consecutive wrong codes, 20 an hour (the clock moves an hour after each 20).
 * `beforeLastLogin` runs before the last five; the clock then stays, so what it opened is live.
 */
async function fail100Times(account: EnrolledAccount, beforeLastLogin?: () => Promise<void>): Promise<void> {
  for (let hour = 0; hour < 5; hour++) {
    for (let login = 0; login < 4; login++) {
      const last = hour === 4 && login === 3;
      if (last) await beforeLastLogin?.();
      const statuses = await guessOnce(account);
      assert.deepEqual(statuses, [400, 400, 400, 400, 400], `hour ${hour}, login ${login}`);
      if (last && beforeLastLogin) return;
    }
    clock.advance(HOUR + 1000);
  }
}

function assertLocked(result: { status: number; body: Record<string, any> }) {
  assert.equal(result.status, 429, JSON.stringify(result.body));
  assert.equal(result.body.error, 'MFA_RATE_LIMITED');
  assert.equal(result.body.reason, 'factor_locked');
}

describe('100 consecutive wrong codes lock the factor (NIST SP 800-63B)', () => {
  test('locked: the right SMS code is refused, hours later too; a recovery code unlocks; audit event and webhook', SLOW, async () => {
    const account = await createEnrolledAccount(server.url, server.adminKey);
    await fail100Times(account);
    let mfaToken = await openChallenge(server.url, account);
    assertLocked(await verify(mfaToken, await latestCode(server.url, server.adminKey, account.phone)));
    clock.advance(24 * HOUR);
    mfaToken = await openChallenge(server.url, account);
    assertLocked(await verify(mfaToken, await latestCode(server.url, server.adminKey, account.phone)));

    const audit = await api(server.url, 'GET', `/v1/admin/audit?userId=${account.userId}&limit=200`, { token: server.adminKey });
    assert.equal(audit.status, 200);
    const locked = audit.body.events.filter((event: { type: string }) => event.type === 'mfa.factor.locked');
    assert.equal(locked.length, 1, 'one audit event when the factor locks');
    const notification = await receiver.waitForType('mfa.factor_locked');
    assert.equal(notification.user.id, account.userId);

    const recovered = await verify(mfaToken, account.recoveryCodes[0]!, 'recovery_code');
    assert.equal(recovered.status, 200, JSON.stringify(recovered.body));
    const next = await openChallenge(server.url, account);
    const ok = await verify(next, await latestCode(server.url, server.adminKey, account.phone));
    assert.equal(ok.status, 200, 'a recovery code unlocks the factor');
  });

  test('a tenant admin unlocks a locked user', SLOW, async () => {
    const account = await createEnrolledAccount(server.url, server.adminKey);
    await fail100Times(account);
    const mfaToken = await openChallenge(server.url, account);
    assertLocked(await verify(mfaToken, await latestCode(server.url, server.adminKey, account.phone)));
    const unlock = await api(server.url, 'POST', `/v1/admin/users/${account.userId}/mfa/unlock`, { token: server.adminKey, body: {} });
    assert.equal(unlock.status, 200, JSON.stringify(unlock.body));
    const again = await openChallenge(server.url, account);
    const ok = await verify(again, await latestCode(server.url, server.adminKey, account.phone));
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    const audit = await api(server.url, 'GET', `/v1/admin/audit?userId=${account.userId}&limit=200`, { token: server.adminKey });
    assert.ok(audit.body.events.some((event: { type: string }) => event.type === 'mfa.factor.unlocked'));
  });

  test('a success resets the streak: 99 wrong codes, a right one, 99 more do not lock', SLOW, async () => {
    const account = await createEnrolledAccount(server.url, server.adminKey);
    const spend = async (count: number) => {
      let left = count;
      while (left > 0) {
        const mfaToken = await openChallenge(server.url, account);
        const code = await latestCode(server.url, server.adminKey, account.phone);
        const now = Math.min(left, 5, 20 - ((count - left) % 20));
        for (let guess = 1; guess <= now; guess++) assert.equal((await verify(mfaToken, wrongCodeFor(code, guess))).status, 400);
        left -= now;
        if ((count - left) % 20 === 0) clock.advance(HOUR + 1000);
      }
    };
    await spend(99);
    clock.advance(HOUR + 1000);
    let mfaToken = await openChallenge(server.url, account);
    assert.equal((await verify(mfaToken, await latestCode(server.url, server.adminKey, account.phone))).status, 200);
    await spend(99);
    clock.advance(HOUR + 1000);
    mfaToken = await openChallenge(server.url, account);
    assert.equal((await verify(mfaToken, await latestCode(server.url, server.adminKey, account.phone))).status, 200);
  });
});

/** The newest message in a phone's sandbox inbox (its id), or null. */
async function newestMessage(phone: string): Promise<string | null> {
  const inbox = await api(server.url, 'GET', `/v1/sandbox/messages?phone=${encodeURIComponent(phone)}`, { token: server.adminKey });
  assert.equal(inbox.status, 200);
  return (inbox.body.messages as { id: string }[])[0]?.id ?? null;
}

describe('a locked user at sign-in', () => {
  test("a challenge opened before the lock takes no resend; after the admin's unlock it takes them again", SLOW, async () => {
    const account = await createEnrolledAccount(server.url, server.adminKey);
    let opened = '';
    await fail100Times(account, async () => {
      opened = await openChallenge(server.url, account);
    });
    const newest = await newestMessage(account.phone);
    const resend = () => api(server.url, 'POST', '/v1/auth/mfa/challenge', { body: { mfa_token: opened, challenge_type: 'oob', oob_channel: 'sms' } });
    assertLocked(await resend());
    assert.equal(await newestMessage(account.phone), newest, 'no SMS for the locked user on the older challenge');
    const unlock = await api(server.url, 'POST', `/v1/admin/users/${account.userId}/mfa/unlock`, { token: server.adminKey, body: {} });
    assert.equal(unlock.status, 200, JSON.stringify(unlock.body));
    const again = await resend();
    assert.equal(again.status, 200, JSON.stringify(again.body));
    assert.notEqual(await newestMessage(account.phone), newest, 'unlocked: the older challenge texts its code again');
  });

  test('a locked user gets no SMS code at sign-in (none could be used) and no resend; unlocked, codes go out again', SLOW, async () => {
    const account = await createEnrolledAccount(server.url, server.adminKey);
    await fail100Times(account);
    const newest = await newestMessage(account.phone);
    const login = await api(server.url, 'POST', '/v1/auth/login', { body: { email: account.email, password: account.password } });
    assert.equal(login.status, 403, JSON.stringify(login.body));
    assert.equal(login.body.codeSent, null);
    assert.equal(login.body.sendError.error, 'MFA_RATE_LIMITED');
    assert.equal(login.body.sendError.reason, 'factor_locked');
    const resend = await api(server.url, 'POST', '/v1/auth/mfa/challenge', { body: { mfa_token: login.body.mfa_token, challenge_type: 'oob', oob_channel: 'sms' } });
    assertLocked(resend);
    assert.equal(await newestMessage(account.phone), newest, 'no SMS left for the locked user');
    // The recovery code still works on that challenge, and unlocks: the next sign-in texts a code.
    const recovered = await verify(login.body.mfa_token, account.recoveryCodes[1]!, 'recovery_code');
    assert.equal(recovered.status, 200, JSON.stringify(recovered.body));
    const next = await api(server.url, 'POST', '/v1/auth/login', { body: { email: account.email, password: account.password } });
    assert.equal(next.status, 403);
    assert.equal(next.body.sendError, null);
    assert.equal(next.body.codeSent.sendsRemaining, 2);
    assert.notEqual(await newestMessage(account.phone), newest, 'unlocked: the sign-in texted a code');
  });
});
