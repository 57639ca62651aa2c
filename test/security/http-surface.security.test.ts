/**
 * Regressions (issue 15): a 405 carries an `Allow` header (RFC 9110 §15.5.6) on every route;
 * `/v1/auth/signup` keeps answering 409 EMAIL_TAKEN (what users need) but is rate-limited per
 * client IP, which bounds how fast anyone can learn which e-mails are registered.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { uniqueEmail } from '../helpers/http.ts';
import { api, createAccount, freshIp } from './helpers.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer({ env: { ALDERO_TRUST_PROXY: '1' } });
});
after(() => server?.stop());

function allowOf(result: { headers: Record<string, unknown> }): string[] {
  return String(result.headers.allow ?? '').split(',').map((method) => method.trim()).filter(Boolean);
}

describe('405 Method Not Allowed', () => {
  test('every REST route answers a wrong method with 405 and an Allow header listing its methods', async () => {
    const openapi = await api(server.url, 'GET', '/v1/openapi.json');
    const paths = openapi.body.paths as Record<string, Record<string, unknown>>;
    assert.ok(Object.keys(paths).length > 10);
    for (const [template, operations] of Object.entries(paths)) {
      const methods = Object.keys(operations).filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m)).map((m) => m.toUpperCase());
      const path = template.replace(/\{[^}]+\}/g, 'x1');
      const result = await api(server.url, 'PUT', path, { body: {} });
      if (methods.includes('PUT')) continue;
      assert.equal(result.status, 405, `PUT ${path}: ${result.status}`);
      const allow = allowOf(result);
      for (const method of methods) assert.ok(allow.includes(method), `PUT ${path}: Allow "${allow}" lacks ${method}`);
      assert.ok(!allow.includes('PUT'));
    }
  });

  test('the discovery documents answer GET only, and say so', async () => {
    for (const path of ['/.well-known/jwks.json', '/v1/openapi.json']) {
      const result = await api(server.url, 'POST', path, { body: {} });
      assert.equal(result.status, 405, path);
      assert.ok(allowOf(result).includes('GET'), `${path}: Allow ${result.headers.allow}`);
    }
  });
});

describe('signup enumeration', () => {
  test('EMAIL_TAKEN stays, but one address gets a bounded number of answers; another address is not affected', async () => {
    const taken = await createAccount(server.url, { forwardedFor: freshIp() });
    const prober = '198.51.100.123';
    const statuses: number[] = [];
    let limited: Awaited<ReturnType<typeof api<Record<string, any>>>> | null = null;
    for (let i = 0; i < 40 && !limited; i++) {
      const result = await api(server.url, 'POST', '/v1/auth/signup', { body: { email: taken.email, password: 'some password' }, forwardedFor: prober });
      statuses.push(result.status);
      if (result.status === 429) limited = result;
    }
    assert.equal(statuses[0], 409, 'the duplicate is still told');
    assert.ok(limited, `40 probes from one address were all answered: ${statuses.join(',')}`);
    assert.equal(limited.body.error, 'RATE_LIMITED');
    assert.equal(limited.body.reason, 'signup_attempts');
    assert.ok(Number(limited.headers['retry-after']) > 0);
    const elsewhere = await api(server.url, 'POST', '/v1/auth/signup', { body: { email: uniqueEmail(), password: 'some password' }, forwardedFor: freshIp() });
    assert.equal(elsewhere.status, 201);
  });
});
