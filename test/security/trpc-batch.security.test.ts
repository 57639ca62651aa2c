/**
 * Regression (issue 15, low): 50 logins in one tRPC batch cost 50 scrypt runs for one HTTP
 * request. Batches are capped, and credential procedures are never batched.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { api, createAccount } from './helpers.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server?.stop());

function batchBody(count: number, input: unknown): Record<string, unknown> {
  return Object.fromEntries(Array.from({ length: count }, (_, i) => [String(i), input]));
}

async function failedLogins(userId: string): Promise<number> {
  const audit = await api(server.url, 'GET', `/v1/admin/audit?userId=${userId}&limit=200`, { token: server.adminKey });
  return audit.body.events.filter((event: { type: string }) => event.type === 'login.failed').length;
}

describe('tRPC batches', () => {
  test('50 logins in one batch are refused before any password is checked', async () => {
    const account = await createAccount(server.url);
    const me = await api(server.url, 'GET', '/v1/auth/me', { token: account.accessToken });
    const paths = Array(50).fill('auth.login').join(',');
    const result = await api(server.url, 'POST', `/trpc/${paths}?batch=1`, { body: batchBody(50, { email: account.email, password: 'wrong guess' }) });
    assert.equal(result.status, 400, JSON.stringify(result.body).slice(0, 300));
    assert.equal(await failedLogins(me.body.id), 0, 'no password was checked');
  });

  test('a credential procedure is never batched, even two', async () => {
    const account = await createAccount(server.url);
    const me = await api(server.url, 'GET', '/v1/auth/me', { token: account.accessToken });
    const result = await api(server.url, 'POST', '/trpc/auth.login,auth.signup?batch=1', {
      body: { 0: { email: account.email, password: 'wrong guess' }, 1: { email: 'new-batch@example.com', password: 'password1234' } },
    });
    assert.equal(result.status, 400, JSON.stringify(result.body).slice(0, 300));
    assert.equal(await failedLogins(me.body.id), 0);
  });

  test('a big batch of anything is refused; a small batch of reads is served', async () => {
    const account = await createAccount(server.url);
    const big = Array(50).fill('auth.me').join(',');
    const refused = await api(server.url, 'GET', `/trpc/${big}?batch=1&input=${encodeURIComponent(JSON.stringify({}))}`, { token: account.accessToken });
    assert.equal(refused.status, 400);
    const small = await api(server.url, 'GET', `/trpc/auth.me,auth.me?batch=1&input=${encodeURIComponent(JSON.stringify({}))}`, { token: account.accessToken });
    assert.equal(small.status, 200, JSON.stringify(small.body).slice(0, 300));
    assert.equal(small.body.length, 2);
  });
});
