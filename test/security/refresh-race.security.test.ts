/**
 * Regression (issue 15, low): 10 parallel refreshes with one token — 1 won, 9 got 401, and then
 * the winner was revoked too (the family revoked as a reuse). Rotation has a short grace window
 * in which the same old token answers the same successor; reuse after it still revokes the family.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { ManualClock } from '../../server/clock.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { api, createAccount } from './helpers.ts';

const clock = new ManualClock();
let server: TestServer;
before(async () => {
  server = await startTestServer({ clock });
});
after(() => server?.stop());

const refresh = (refreshToken: string) => api(server.url, 'POST', '/v1/auth/refresh', { body: { refreshToken } });

describe('refresh-token rotation races', () => {
  test('10 parallel refreshes with one token keep the user signed in: one successor for all', async () => {
    const account = await createAccount(server.url);
    const results = await Promise.all(Array.from({ length: 10 }, () => refresh(account.refreshToken)));
    assert.deepEqual(results.map((r) => r.status), Array(10).fill(200), JSON.stringify(results.map((r) => r.body)));
    const successors = new Set(results.map((r) => r.body.refreshToken));
    assert.equal(successors.size, 1, 'every caller in the window gets the same successor');
    const [successor] = successors;
    assert.notEqual(successor, account.refreshToken);
    const me = await api(server.url, 'GET', '/v1/auth/me', { token: results[9]!.body.accessToken });
    assert.equal(me.status, 200);
    const next = await refresh(successor!);
    assert.equal(next.status, 200, 'the successor still works: the family was not revoked');
  });

  test('reuse after the grace window still revokes the family', async () => {
    const account = await createAccount(server.url);
    const first = await refresh(account.refreshToken);
    assert.equal(first.status, 200);
    clock.advance(60_000);
    const reuse = await refresh(account.refreshToken);
    assert.equal(reuse.status, 401);
    assert.equal(reuse.body.error, 'INVALID_REFRESH_TOKEN');
    assert.equal((await refresh(first.body.refreshToken)).status, 401, 'the thief and the user are both signed out');
  });

  test('the grace answer is the successor only while it is live: a logout in between ends it', async () => {
    const account = await createAccount(server.url);
    const first = await refresh(account.refreshToken);
    await api(server.url, 'POST', '/v1/auth/logout', { token: first.body.accessToken, body: {} });
    assert.equal((await refresh(account.refreshToken)).status, 401);
  });
});
