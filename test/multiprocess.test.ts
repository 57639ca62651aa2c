/**
 * The limits hold across processes: two API processes (one here, one spawned) share one
 * database, and requests alternate between them. Every limit is a single atomic database
 * operation, so what holds in one process holds here.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, enrolledUser, latestCode, wrongCodeFor } from './helpers/http.ts';
import { startProcessPair, type ProcessPair, type ServerProcess } from './helpers/process.ts';
import type { TestServer } from './helpers/server.ts';

let pair: ProcessPair;
let local: TestServer;
let remote: ServerProcess;

before(async () => {
  pair = await startProcessPair();
  ({ local, remote } = pair);
});
after(() => pair?.stop());

async function challengeFor() {
  const user = await enrolledUser(local.url, local.adminKey);
  const login = await call(remote.url, 'POST', '/v1/auth/login', { body: { email: user.email, password: user.password } });
  assert.equal(login.status, 403, 'a user enrolled through one process is challenged by the other');
  return { user, mfaToken: login.body.mfa_token as string };
}

describe('two processes, one database', () => {
  test('40 parallel wrong codes → exactly 5 MFA_INVALID_CODE', async () => {
    const { user, mfaToken } = await challengeFor();
    const code = await latestCode(local.url, local.adminKey, user.phone);
    const wrong = wrongCodeFor(code);
    const results = await pair.spread(40, (url) => call(url, 'POST', '/v1/auth/mfa/verify', { body: { mfa_token: mfaToken, method: 'sms', code: wrong } }));
    assert.equal(results.filter((r) => r.status === 400).length, 5);
    assert.equal(results.filter((r) => r.status === 429).length, 35);
  });

  test('12 parallel resends → exactly 2 accepted', async () => {
    const { mfaToken } = await challengeFor();
    const results = await pair.spread(12, (url) => call(url, 'POST', '/v1/auth/mfa/challenge', { body: { mfa_token: mfaToken, challenge_type: 'oob', oob_channel: 'sms' } }));
    assert.equal(results.filter((r) => r.status === 200).length, 2);
  });

  test('10 parallel right codes → exactly one session', async () => {
    const { user, mfaToken } = await challengeFor();
    const code = await latestCode(remote.url, remote.adminKey, user.phone);
    const results = await pair.spread(10, (url) => call(url, 'POST', '/v1/auth/mfa/verify', { body: { mfa_token: mfaToken, method: 'sms', code } }));
    assert.equal(results.filter((r) => r.status === 200).length, 1);
  });

  test('a token issued by one process is accepted by the other (shared keys)', async () => {
    const user = await enrolledUser(remote.url, remote.adminKey);
    const me = await call(local.url, 'GET', '/v1/auth/me', { token: user.accessToken });
    assert.equal(me.status, 200);
    assert.equal(me.body.mfa.sms, true);
  });
});
