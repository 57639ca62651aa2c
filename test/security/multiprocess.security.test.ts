/**
 * The limits of issue 15 hold across processes: two API processes (one here, one spawned) on one
 * database, requests alternating between them — the account-level code limit, the failed-password
 * limits per (account, IP), the per-IP SMS quota behind a trusted proxy, the refresh grace window.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startProcessPair, type ProcessPair, type ServerProcess } from '../helpers/process.ts';
import type { TestServer } from '../helpers/server.ts';
import { latestCode, uniquePhone, wrongCodeFor } from '../helpers/http.ts';
import { api, createAccount, createEnrolledAccount, freshIp, openChallenge } from './helpers.ts';

let pair: ProcessPair;
let local: TestServer;
let remote: ServerProcess;
const QUOTAS = { ipPerHour: 5 };

before(async () => {
  pair = await startProcessPair({ env: { ALDERO_TRUST_PROXY: '1' }, quotas: QUOTAS });
  ({ local, remote } = pair);
});
after(() => pair?.stop());

describe('issue 15 limits, two processes, one database', () => {
  test('wrong codes across challenges: at most 20 judged in parallel, then the right code is refused', async () => {
    const account = await createEnrolledAccount(local.url, local.adminKey, { forwardedFor: freshIp() });
    let judged = 0;
    for (let round = 0; round < 8; round++) {
      const mfaTokens = await pair.spread(2, (url) => openChallenge(url, account, { forwardedFor: freshIp() }));
      const code = await latestCode(local.url, local.adminKey, account.phone);
      const results = await pair.spread(10, (url, i) =>
        api(url, 'POST', '/v1/auth/mfa/verify', { body: { mfa_token: mfaTokens[i % 2], method: 'sms', code: wrongCodeFor(code, 1 + Math.floor(i / 2)) } }),
      );
      judged += results.filter((r) => r.status === 400).length;
    }
    assert.ok(judged <= 20, `${judged} wrong codes judged across two processes`);
    const mfaToken = await openChallenge(remote.url, account);
    const right = await api(local.url, 'POST', '/v1/auth/mfa/verify', { body: { mfa_token: mfaToken, method: 'sms', code: await latestCode(local.url, local.adminKey, account.phone) } });
    assert.equal(right.status, 429);
    assert.equal(right.body.reason, 'user_code_attempts');
  });

  test('failed passwords: 30 parallel from one address → 10 judged; the owner elsewhere signs in', async () => {
    const owner = await createAccount(local.url, { forwardedFor: freshIp() });
    const results = await pair.spread(30, (url) => api(url, 'POST', '/v1/auth/login', { body: { email: owner.email, password: 'wrong!' }, forwardedFor: '198.51.100.200' }));
    assert.equal(results.filter((r) => r.status === 401).length, 10);
    const home = await api(remote.url, 'POST', '/v1/auth/login', { body: { email: owner.email, password: owner.password }, forwardedFor: '192.0.2.200' });
    assert.equal(home.status, 200);
  });

  test('per-IP SMS quota behind one trusted proxy: spoofed left-most entries in parallel → exactly 5 sent', async () => {
    const accounts = await Promise.all(Array.from({ length: 10 }, () => createAccount(local.url, { forwardedFor: freshIp() })));
    const results = await pair.spread(10, (url, i) =>
      api(url, 'POST', '/v1/auth/mfa/sms/setup', { body: { phone: uniquePhone() }, token: accounts[i]!.accessToken, forwardedFor: `10.0.${i}.1, 192.0.2.222` }),
    );
    assert.equal(results.filter((r) => r.status === 200).length, 5, JSON.stringify(results.map((r) => r.status)));
  });

  test('10 parallel refreshes of one token across processes: every caller gets the one successor', async () => {
    const account = await createAccount(local.url, { forwardedFor: freshIp() });
    const results = await pair.spread(10, (url) => api(url, 'POST', '/v1/auth/refresh', { body: { refreshToken: account.refreshToken } }));
    assert.deepEqual(results.map((r) => r.status), Array(10).fill(200));
    assert.equal(new Set(results.map((r) => r.body.refreshToken)).size, 1);
    const next = await api(remote.url, 'POST', '/v1/auth/refresh', { body: { refreshToken: results[0]!.body.refreshToken } });
    assert.equal(next.status, 200);
  });
});
