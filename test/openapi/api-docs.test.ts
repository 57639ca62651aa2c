/**
 * /api/docs in Chromium: the reference renders the document of the host it is opened on, from
 * our own origin only (no request leaves it), with the guide's flow as its introduction, and
 * the verify operation shows its 410 and 429 answers. /api/docs/demo leads to the demo.
 *
 * Chromium: /usr/bin/chromium (Debian: `apt-get install chromium`) or CHROME_PATH.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser } from 'playwright-core';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const executablePath = process.env.CHROME_PATH ?? '/usr/bin/chromium';

let server: TestServer;
let browser: Browser;
let demoDir: string;

before(async () => {
  if (!existsSync(executablePath)) throw new Error(`No Chromium at ${executablePath}: install it with \`apt-get install chromium\` or set CHROME_PATH.`);
  // A stand-in for the built demo (npm run build): the redirect's target must be what / serves.
  demoDir = mkdtempSync(join(tmpdir(), 'aldero-docs-demo-'));
  writeFileSync(join(demoDir, 'index.html'), '<!doctype html><title>Acme demo</title><p id="demo">demo</p>');
  server = await startTestServer({ demoDir });
  browser = await chromium.launch({ executablePath, headless: true, args: ['--no-sandbox', '--disable-gpu', '--no-first-run'] });
});

after(async () => {
  await browser?.close();
  await server?.stop();
  if (demoDir) rmSync(demoDir, { recursive: true, force: true });
});

describe('/api/docs', () => {
  for (const host of ['apex', 'tenant'] as const) {
    test(`on the ${host} host: Swagger UI from our origin renders the guide and the verify operation with its 410 and 429 answers`, async () => {
      const origin = new URL(server.url).origin;
      const context = await browser.newContext(host === 'tenant' ? { extraHTTPHeaders: { 'x-aldero-tenant': 'acme-sandbox' } } : {});
      const page = await context.newPage();
      const foreign: string[] = [];
      const failures: string[] = [];
      page.on('request', (request) => {
        if (!request.url().startsWith(origin) && !request.url().startsWith('data:')) foreign.push(request.url());
      });
      page.on('pageerror', (error) => failures.push(error.message));
      try {
        const response = await page.goto(`${server.url}/api/docs`);
        assert.equal(response?.status(), 200);
        await page.locator('.info .description').getByText('Try it live').waitFor({ timeout: 20_000 });
        assert.match(await page.locator('.info .description').innerText(), /mfa_required[\s\S]*3 SMS per challenge/);
        const verify = page.locator('.opblock', { has: page.locator('[data-path="/v1/auth/mfa/verify"]') });
        await verify.locator('.opblock-summary').first().click();
        const statuses = verify.locator('.responses-table .response-col_status');
        await statuses.first().waitFor({ timeout: 20_000 });
        const codes = (await statuses.allInnerTexts()).map((text) => text.trim().split(/\s/)[0]);
        for (const status of ['200', '410', '429']) assert.ok(codes.includes(status), `verify lists ${status} (got ${codes.join(', ')})`);
        assert.deepEqual(foreign, [], 'every request stays on our origin');
        assert.deepEqual(failures, []);
      } finally {
        await context.close();
      }
    });
  }

  test('/api/docs/demo leads to the demo on the same host (the sign-up page the guide names)', async () => {
    const redirect = await fetch(`${server.url}/api/docs/demo`, { redirect: 'manual' });
    assert.equal(redirect.status, 302);
    assert.equal(redirect.headers.get('location'), '/signup');
    const followed = await fetch(`${server.url}/api/docs/demo`);
    assert.equal(followed.status, 200);
    assert.match(await followed.text(), /Acme demo/);
  });

  test('a 405 says what the route answers (Allow): REST, tRPC, the discovery documents, the webhooks, the reference', async () => {
    const cases: [string, string, Record<string, string>, string][] = [
      ['PUT', '/v1/auth/mfa/verify', { 'x-aldero-tenant': 'acme-sandbox' }, 'POST'],
      ['GET', '/v1/auth/mfa/sms', { 'x-aldero-tenant': 'acme-sandbox' }, 'DELETE'],
      ['POST', '/.well-known/jwks.json', { 'x-aldero-tenant': 'acme-sandbox' }, 'GET'],
      ['POST', '/v1/openapi.json', {}, 'GET'],
      ['DELETE', '/v1/admin/audit/export', { 'x-aldero-tenant': 'acme-sandbox' }, 'GET'],
      ['GET', '/v1/webhooks/telnyx', {}, 'POST'],
      ['GET', '/trpc/auth.login', { 'x-aldero-tenant': 'acme-sandbox' }, 'POST'],
      ['POST', '/api/docs', {}, 'GET, HEAD'],
    ];
    for (const [method, path, headers, allow] of cases) {
      const response = await fetch(`${server.url}${path}`, { method, headers });
      assert.equal(response.status, 405, `${method} ${path}`);
      assert.equal(response.headers.get('allow'), allow, `${method} ${path}`);
    }
  });

  test('/v1/openapi.json answers on the apex host and on tenant hosts', async () => {
    const apex = await fetch(`${server.url}/v1/openapi.json`);
    assert.equal(apex.status, 200);
    const apexDocument = (await apex.json()) as { openapi: string; servers: { url: string }[] };
    assert.equal(apexDocument.openapi, '3.1.0');
    assert.match(apexDocument.servers[0]!.url, /\{tenant\}/);
    const tenant = await fetch(`${server.url}/v1/openapi.json`, { headers: { 'x-aldero-tenant': 'acme-sandbox' } });
    assert.equal(tenant.status, 200);
    const tenantDocument = (await tenant.json()) as { servers: { url: string }[] };
    assert.match(tenantDocument.servers[0]!.url, /acme-sandbox/);
    const docs = await fetch(`${server.url}/api/docs`, { headers: { 'x-aldero-tenant': 'acme' } });
    assert.equal(docs.status, 200);
    assert.match(docs.headers.get('content-security-policy') ?? '', /script-src 'self'/);
  });
});
