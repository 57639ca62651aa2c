import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { createTRPCClient, httpLink, TRPCClientError } from '@trpc/client';
import type { AppRouter } from '../router.ts';
import { call, signUp, uniqueEmail } from '../../test/helpers/http.ts';
import { startTestServer, type TestServer } from '../../test/helpers/server.ts';

let server: TestServer;
let otherKey: string;

before(async () => {
  server = await startTestServer();
  otherKey = (await server.deps.tenants.create({ slug: 'globex', brand: 'Globex' })).adminKey;
});
after(() => server.stop());

describe('accounts over REST', () => {
  test('signup → me → login → refresh → logout', async () => {
    const email = uniqueEmail();
    const signup = await call(server.url, 'POST', '/v1/auth/signup', { body: { email, password: 'hunter2hunter2' } });
    assert.equal(signup.status, 201);
    assert.equal(signup.body.expiresIn, 900);
    assert.match(signup.body.accessToken, /^ey/);

    const me = await call(server.url, 'GET', '/v1/auth/me', { token: signup.body.accessToken });
    assert.equal(me.status, 200);
    assert.deepEqual(
      { email: me.body.email, phone: me.body.phone, phoneVerified: me.body.phoneVerified, mfa: me.body.mfa, left: me.body.recoveryCodesRemaining },
      { email, phone: null, phoneVerified: false, mfa: { sms: false, totp: false }, left: 0 },
    );

    const login = await call(server.url, 'POST', '/v1/auth/login', { body: { email: email.toUpperCase(), password: 'hunter2hunter2' } });
    assert.equal(login.status, 200);
    const refreshed = await call(server.url, 'POST', '/v1/auth/refresh', { body: { refreshToken: login.body.refreshToken } });
    assert.equal(refreshed.status, 200);
    assert.notEqual(refreshed.body.refreshToken, login.body.refreshToken);

    const logout = await call(server.url, 'POST', '/v1/auth/logout', { token: refreshed.body.accessToken, body: {} });
    assert.equal(logout.status, 200);
    const afterLogout = await call(server.url, 'POST', '/v1/auth/refresh', { body: { refreshToken: refreshed.body.refreshToken } });
    assert.equal(afterLogout.status, 401);
    assert.equal(afterLogout.body.error, 'INVALID_REFRESH_TOKEN');
    const meAfter = await call(server.url, 'GET', '/v1/auth/me', { token: refreshed.body.accessToken });
    assert.equal(meAfter.status, 401, 'an access token of an ended session is refused');
  });

  // Issue 15: rotation has a grace window (the same successor for a token presented again at
  // once); reuse after the window revokes the family — test/security/refresh-race.security.test.ts
  // moves the clock past it.
  test('a rotated refresh token presented again within the grace window answers the same successor', async () => {
    const user = await signUp(server.url);
    const first = await call(server.url, 'POST', '/v1/auth/refresh', { body: { refreshToken: user.refreshToken } });
    assert.equal(first.status, 200);
    const again = await call(server.url, 'POST', '/v1/auth/refresh', { body: { refreshToken: user.refreshToken } });
    assert.equal(again.status, 200);
    assert.equal(again.body.refreshToken, first.body.refreshToken);
    const newest = await call(server.url, 'POST', '/v1/auth/refresh', { body: { refreshToken: first.body.refreshToken } });
    assert.equal(newest.status, 200, 'the family lives on');
  });

  test('concurrent refreshes of one token: one rotation, every caller gets its successor', async () => {
    const user = await signUp(server.url);
    const results = await Promise.all(
      Array.from({ length: 10 }, () => call(server.url, 'POST', '/v1/auth/refresh', { body: { refreshToken: user.refreshToken } })),
    );
    assert.equal(results.filter((r) => r.status === 200).length, 10);
    assert.equal(new Set(results.map((r) => r.body.refreshToken)).size, 1);
  });

  test('duplicate email → 409 EMAIL_TAKEN', async () => {
    const user = await signUp(server.url);
    const again = await call(server.url, 'POST', '/v1/auth/signup', { body: { email: user.email, password: 'another password' } });
    assert.equal(again.status, 409);
    assert.equal(again.body.error, 'EMAIL_TAKEN');
  });

  test('wrong password and unknown email answer alike', async () => {
    const user = await signUp(server.url);
    const wrong = await call(server.url, 'POST', '/v1/auth/login', { body: { email: user.email, password: 'not it at all' } });
    const unknown = await call(server.url, 'POST', '/v1/auth/login', { body: { email: uniqueEmail('nobody'), password: 'not it at all' } });
    assert.equal(wrong.status, 401);
    assert.deepEqual(wrong.body, unknown.body);
  });
});

describe('tenants and environments', () => {
  test('a token of tenant A is refused at tenant B and at A’s sandbox', async () => {
    const live = await signUp(server.url, 'acme');
    assert.equal((await call(server.url, 'GET', '/v1/auth/me', { token: live.accessToken, tenant: 'acme' })).status, 200);
    const atSandbox = await call(server.url, 'GET', '/v1/auth/me', { token: live.accessToken, tenant: 'acme-sandbox' });
    assert.equal(atSandbox.status, 401);
    assert.equal(atSandbox.body.error, 'UNAUTHORIZED');
    const atOther = await call(server.url, 'GET', '/v1/auth/me', { token: live.accessToken, tenant: 'globex' });
    assert.equal(atOther.status, 401);
  });

  test('users of live and sandbox never mix', async () => {
    const email = uniqueEmail();
    await signUp(server.url, 'acme', email, 'live password 1');
    const sandboxLogin = await call(server.url, 'POST', '/v1/auth/login', { body: { email, password: 'live password 1' }, tenant: 'acme-sandbox' });
    assert.equal(sandboxLogin.status, 401);
    const sandboxSignup = await call(server.url, 'POST', '/v1/auth/signup', { body: { email, password: 'sandbox password' }, tenant: 'acme-sandbox' });
    assert.equal(sandboxSignup.status, 201, 'the same email is free in the other environment');
  });

  test('tenant from the Host header: {slug}-sandbox.localhost and {slug}.localhost', async () => {
    const port = Number(new URL(server.url).port);
    const email = uniqueEmail('host');
    const viaHost = (host: string, path: string, body: unknown) =>
      new Promise<{ status: number; body: Record<string, any> }>((resolve, reject) => {
        const text = JSON.stringify(body);
        const req = request({ host: '127.0.0.1', port, path, method: 'POST', headers: { host, 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) } }, (res) => {
          let data = '';
          res.on('data', (chunk) => (data += chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(data) }));
        });
        req.on('error', reject);
        req.end(text);
      });
    const created = await viaHost(`acme-sandbox.localhost:${port}`, '/v1/auth/signup', { email, password: 'password123' });
    assert.equal(created.status, 201);
    // The same email exists in acme's sandbox (reached by header) but not in its live environment (reached by host).
    assert.equal((await call(server.url, 'POST', '/v1/auth/login', { body: { email, password: 'password123' }, tenant: 'acme-sandbox' })).status, 200);
    assert.equal((await viaHost(`acme.localhost:${port}`, '/v1/auth/login', { email, password: 'password123' })).status, 401);
    assert.equal((await viaHost(`nope.localhost:${port}`, '/v1/auth/login', { email, password: 'password123' })).status, 404);
  });

  test('unknown tenant → 404 TENANT_NOT_FOUND, no tenant → 404', async () => {
    const unknown = await call(server.url, 'POST', '/v1/auth/signup', { tenant: 'nope', body: { email: uniqueEmail(), password: 'password123' } });
    assert.equal(unknown.status, 404);
    assert.equal(unknown.body.error, 'TENANT_NOT_FOUND');
    const none = await call(server.url, 'GET', '/v1/auth/me', { tenant: null });
    assert.equal(none.status, 404);
  });

  test('admin API: OAuth-only user cannot log in with a password; admin sessions work', async () => {
    const email = uniqueEmail('idp');
    const created = await call(server.url, 'POST', '/v1/admin/users', { token: server.adminKey, body: { email, oauthProvider: 'google' } });
    assert.equal(created.status, 201);
    assert.equal(created.body.email, email);
    const login = await call(server.url, 'POST', '/v1/auth/login', { body: { email, password: '' } });
    assert.equal(login.status, 401);
    const session = await call(server.url, 'POST', '/v1/admin/sessions', { token: server.adminKey, body: { userId: created.body.id } });
    assert.equal(session.status, 201);
    const me = await call(server.url, 'GET', '/v1/auth/me', { token: session.body.accessToken });
    assert.equal(me.body.hasPassword, false);
    const wrongKey = await call(server.url, 'POST', '/v1/admin/users', { token: otherKey, body: { email: uniqueEmail(), oauthProvider: 'google' } });
    assert.equal(wrongKey.status, 401, "another tenant's admin key is refused");
  });
});

describe('bad input', () => {
  test('malformed JSON, wrong types, missing fields → 400 VALIDATION_ERROR with issues', async () => {
    const malformed = await call(server.url, 'POST', '/v1/auth/signup', { raw: '{"email": ' });
    assert.equal(malformed.status, 400);
    assert.equal(malformed.body.error, 'VALIDATION_ERROR');
    const wrongType = await call(server.url, 'POST', '/v1/auth/signup', { body: { email: 42, password: ['x'] } });
    assert.equal(wrongType.status, 400);
    assert.equal(wrongType.body.error, 'VALIDATION_ERROR');
    assert.ok(Array.isArray(wrongType.body.issues) && wrongType.body.issues.length >= 2);
    const array = await call(server.url, 'POST', '/v1/auth/login', { raw: '[1,2]' });
    assert.equal(array.status, 400);
    const operator = await call(server.url, 'POST', '/v1/auth/login', { body: { email: { $gt: '' }, password: { $gt: '' } } });
    assert.equal(operator.status, 400);
    for (const result of [malformed, wrongType, array, operator]) assert.ok(!JSON.stringify(result.body).includes('    at '), 'no stack trace');
  });

  test('a body over the limit → 413; a non-JSON content type → 415', async () => {
    const big = await call(server.url, 'POST', '/v1/auth/signup', { raw: JSON.stringify({ email: 'a@b.co', password: 'x'.repeat(100_000) }) });
    assert.equal(big.status, 413);
    assert.equal(big.body.error, 'PAYLOAD_TOO_LARGE');
    const form = await call(server.url, 'POST', '/v1/auth/login', { raw: 'email=a', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    assert.equal(form.status, 415);
  });

  test('a chunked upload over the limit (no Content-Length) gets its 413, not a reset', async () => {
    const url = new URL('/v1/auth/signup', server.url);
    const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(url, { method: 'POST', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked', 'x-aldero-tenant': 'acme-sandbox' } }, (res) => {
        let body = '';
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, body }));
      });
      req.on('error', reject);
      const piece = Buffer.alloc(8192, 0x20);
      let sent = 0;
      const pump = () => {
        while (sent < 200_000) {
          sent += piece.length;
          if (!req.write(piece)) return void req.once('drain', pump);
        }
        req.end();
      };
      pump();
    });
    assert.equal(answer.status, 413);
    assert.equal(JSON.parse(answer.body).error, 'PAYLOAD_TOO_LARGE');
  });

  test('unknown route → 404; wrong method → 405', async () => {
    assert.equal((await call(server.url, 'GET', '/v1/auth/nothing')).status, 404);
    const method = await call(server.url, 'GET', '/v1/auth/signup');
    assert.equal(method.status, 405);
    assert.equal(method.body.error, 'METHOD_NOT_ALLOWED');
  });
});

describe('limits', () => {
  test('failed logins: 50 parallel wrong passwords → at most 10 checked, the rest 429', async () => {
    const user = await signUp(server.url);
    const results = await Promise.all(
      Array.from({ length: 50 }, () => call(server.url, 'POST', '/v1/auth/login', { body: { email: user.email, password: 'wrong password!' } })),
    );
    const counts = { invalid: 0, limited: 0 };
    for (const result of results) {
      if (result.status === 401) counts.invalid++;
      else if (result.status === 429) {
        counts.limited++;
        assert.equal(result.body.error, 'RATE_LIMITED');
        assert.ok(Number(result.headers.get('retry-after')) > 0);
      }
    }
    assert.deepEqual(counts, { invalid: 10, limited: 40 });
    const right = await call(server.url, 'POST', '/v1/auth/login', { body: { email: user.email, password: user.password } });
    assert.equal(right.status, 429, 'the account stays locked for the window, even for the right password');
  });
});

describe('CORS and discovery', () => {
  test('sandbox accepts a localhost origin; live refuses an unlisted origin', async () => {
    const preflight = await fetch(`${server.url}/v1/auth/login`, {
      method: 'OPTIONS',
      headers: { origin: 'http://localhost:5173', 'x-aldero-tenant': 'acme-sandbox', 'access-control-request-method': 'POST' },
    });
    assert.equal(preflight.status, 204);
    assert.equal(preflight.headers.get('access-control-allow-origin'), 'http://localhost:5173');
    assert.equal(preflight.headers.get('access-control-allow-credentials'), 'true');
    const refused = await call(server.url, 'POST', '/v1/auth/login', { tenant: 'acme', headers: { origin: 'https://evil.example' }, body: { email: 'a@b.co', password: 'x' } });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error, 'ORIGIN_NOT_ALLOWED');
  });

  test('JWKS verifies the access token; OpenAPI covers every REST route', async () => {
    const jwks = await call(server.url, 'GET', '/.well-known/jwks.json');
    assert.equal(jwks.status, 200);
    assert.equal(jwks.body.keys[0].kty, 'EC');
    assert.equal(jwks.body.keys[0].d, undefined, 'no private part');
    const { createLocalJWKSet, jwtVerify } = await import('jose');
    const user = await signUp(server.url);
    const { payload } = await jwtVerify(user.accessToken, createLocalJWKSet(jwks.body as never));
    assert.deepEqual(payload.amr, ['pwd']);
    assert.equal(payload.env, 'sandbox');

    const openapi = await call(server.url, 'GET', '/v1/openapi.json');
    assert.equal(openapi.status, 200);
    for (const [method, path] of [['post', '/v1/auth/signup'], ['post', '/v1/auth/login'], ['get', '/v1/auth/me'], ['post', '/v1/auth/mfa/verify'], ['delete', '/v1/auth/mfa/sms'], ['post', '/v1/admin/users'], ['get', '/v1/sandbox/messages']]) {
      assert.ok(openapi.body.paths[path]?.[method], `${method} ${path} documented`);
    }
  });
});

describe('the tRPC surface', () => {
  test('same procedures, errors carry appCode and context', async () => {
    const client = createTRPCClient<AppRouter>({
      links: [httpLink({ url: `${server.url}/trpc`, headers: { 'x-aldero-tenant': 'acme-sandbox' } })],
    });
    const email = uniqueEmail('trpc');
    const tokens = await client.auth.signup.mutate({ email, password: 'password1234' });
    assert.equal(tokens.expiresIn, 900);
    const error = await client.auth.login.mutate({ email, password: 'nope nope nope' }).catch((e: unknown) => e);
    assert.ok(error instanceof TRPCClientError);
    assert.equal(error.data?.appCode, 'INVALID_CREDENTIALS');
    assert.equal(error.data?.httpStatus, 401);
    const invalid = await client.auth.signup.mutate({ email: 'not-an-email', password: 'x' }).catch((e: unknown) => e);
    assert.ok(invalid instanceof TRPCClientError);
    assert.equal(invalid.data?.appCode, 'VALIDATION_ERROR');
  });
});
