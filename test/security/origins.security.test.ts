/**
 * Regression (issue 15): every sandbox environment reflected any `http://*.localhost:*` /
 * loopback origin with credentials; only environments configured for local development (the
 * demo tenant by default) do. The live same-origin check ignored the scheme; it compares
 * scheme, host and port.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { api } from './helpers.ts';

let server: TestServer;
let port: string;
before(async () => {
  server = await startTestServer();
  port = new URL(server.url).port;
  await server.deps.tenants.create({ slug: 'initech', brand: 'Initech' });
});
after(() => server?.stop());

const preflight = (tenant: string | null, origin: string, host?: string) =>
  api(server.url, 'OPTIONS', '/v1/auth/login', {
    tenant,
    headers: { origin, 'access-control-request-method': 'POST', ...(host ? { host } : {}) },
  });

describe('local development origins', () => {
  test('the demo tenant’s sandbox reflects a localhost origin (configured for local development by default)', async () => {
    const result = await preflight('acme-sandbox', 'http://localhost:5173');
    assert.equal(result.status, 204);
    assert.equal(result.headers['access-control-allow-origin'], 'http://localhost:5173');
  });

  test('another tenant’s sandbox does not reflect loopback or *.localhost origins', async () => {
    for (const origin of ['http://localhost:5173', 'http://127.0.0.1:8080', 'http://evil.localhost:3000', 'http://[::1]:4000']) {
      const result = await preflight('initech-sandbox', origin);
      assert.equal(result.status, 403, `${origin}: ${JSON.stringify(result.body)}`);
      assert.equal(result.body.error, 'ORIGIN_NOT_ALLOWED');
      assert.equal(result.headers['access-control-allow-origin'], undefined);
    }
  });
});

describe('same origin in live', () => {
  test('the API’s own origin is allowed; another scheme or port is not', async () => {
    const host = `acme.localhost:${port}`;
    const own = await preflight(null, `http://acme.localhost:${port}`, host);
    assert.equal(own.status, 204, JSON.stringify(own.body));
    const https = await preflight(null, `https://acme.localhost:${port}`, host);
    assert.equal(https.status, 403, 'https is another origin than http');
    const otherPort = await preflight(null, `http://acme.localhost:1`, host);
    assert.equal(otherPort.status, 403);
  });
});

describe('a page calling an API base that names no tenant (api-base + X-Aldero-Tenant)', () => {
  // An address names no tenant: the page names it in X-Aldero-Tenant.
  const apiHost = () => `127.0.0.1:${port}`;
  const tenantless = (origin: string, requestHeaders: string) =>
    api(server.url, 'OPTIONS', '/v1/auth/login', {
      tenant: null,
      headers: { host: apiHost(), origin, 'access-control-request-method': 'POST', 'access-control-request-headers': requestHeaders },
    });

  test('the preflight is allowed (it cannot carry X-Aldero-Tenant); the request after it is judged by that tenant’s origins', async () => {
    const allowed = await tenantless('http://localhost:5173', 'content-type, x-aldero-tenant');
    assert.equal(allowed.status, 204, JSON.stringify(allowed.body));
    assert.equal(allowed.headers['access-control-allow-origin'], 'http://localhost:5173');
    assert.equal(allowed.headers['access-control-allow-credentials'], 'true');

    // The request names the tenant: the demo sandbox (local development) accepts the origin...
    const login = await api(server.url, 'POST', '/v1/auth/login', {
      tenant: 'acme-sandbox',
      body: { email: 'nobody@example.com', password: 'wrong-password-123' },
      headers: { host: apiHost(), origin: 'http://localhost:5173' },
    });
    assert.equal(login.status, 401, JSON.stringify(login.body));
    assert.equal(login.headers['access-control-allow-origin'], 'http://localhost:5173');
    // ...another tenant refuses it before anything runs.
    const refused = await api(server.url, 'POST', '/v1/auth/login', {
      tenant: 'initech-sandbox',
      body: { email: 'nobody@example.com', password: 'wrong-password-123' },
      headers: { host: apiHost(), origin: 'http://localhost:5173' },
    });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.error, 'ORIGIN_NOT_ALLOWED');
    assert.equal(refused.headers['access-control-allow-origin'], undefined);
  });

  test('a preflight that will not name a tenant is still refused', async () => {
    const result = await tenantless('http://localhost:5173', 'content-type');
    assert.equal(result.status, 404);
    assert.equal(result.body.error, 'TENANT_NOT_FOUND');
  });
});
