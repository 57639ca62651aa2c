/**
 * Brand rules of the shared sender (issue 13): what went into SMS verbatim before — a phone number
 * to call, CRLF, a right-to-left override — is refused on every write with the rule named;
 * ordinary brands pass.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { brandViolations } from '../../server/platform/brand.ts';
import { call } from '../helpers/http.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { apex, newPlatformKey } from './helpers.ts';

const GOOD = ['Acme', "Ben & Jerry's", "O'Neill", 'AT&T', 'Zürich Bank', 'Zu\u0308rich Bank', 'J.P. Morgan', 'Acme Inc.', 'Crédit Agricole', 'Société Générale', '7-Eleven', '3M', 'Müller, Schmidt & Co', 'Banco do Brasil', 'Ωmega', 'トヨタ', 'Acme 2000', 'ab'];

const BAD: [string, string][] = [
  ['Chase Bank. Call 1-800-555-0100.', 'brand_phone_number'],
  ['Acme\r\nCall 555 0100 now', 'brand_line_break'],
  ['Acme\nBank', 'brand_line_break'],
  ['Acme\u2028Bank', 'brand_line_break'],
  ['Acme\u202Eknab', 'brand_format_character'],
  ['Acme\u200Bbank', 'brand_format_character'],
  ['Acme\u2066Bank\u2069', 'brand_format_character'],
  ['Acme\tBank', 'brand_control_character'],
  ['Acme\u0007Bank', 'brand_control_character'],
  ['Visit acme.com', 'brand_url'],
  ['https://acme', 'brand_url'],
  ['www.acme', 'brand_url'],
  ['mail me@acme.io', 'brand_email'],
  ['Acme 12345', 'brand_phone_number'],
  ['Acme (555) 0100', 'brand_phone_number'],
  ['Acme!', 'brand_characters'],
  ['Acme <b>', 'brand_characters'],
  ['Acme 😀', 'brand_characters'],
  ['A', 'brand_length'],
  ['x'.repeat(31), 'brand_length'],
];

describe('brand rules', () => {
  test('ordinary brands pass', () => {
    for (const brand of GOOD) assert.deepEqual(brandViolations(brand.normalize('NFC')), [], brand);
  });

  test('each bad brand breaks the rule it should', () => {
    for (const [brand, rule] of BAD) {
      const rules = brandViolations(brand).map((v) => v.rule);
      assert.equal(rules[0], rule, `${JSON.stringify(brand)}: ${rules.join(', ')}`);
    }
  });
});

describe('brand rules on every write', () => {
  const platformKey = newPlatformKey();
  let server: TestServer;
  before(async () => {
    server = await startTestServer({ env: { ALDERO_PLATFORM_KEY: platformKey } });
  });
  after(async () => server?.stop());

  test('platform create and update refuse a bad brand with 400 VALIDATION_ERROR naming the rule', async () => {
    for (const [brand, rule] of BAD) {
      const refused = await apex(server, 'POST', '/v1/platform/tenants', { key: platformKey, body: { slug: 'brandtest', brand } });
      assert.equal(refused.status, 400, JSON.stringify(brand));
      assert.equal(refused.body.error, 'VALIDATION_ERROR');
      assert.ok(refused.body.message.includes(rule), `${JSON.stringify(brand)} → ${refused.body.message}`);
    }
    for (const [index, brand] of GOOD.entries()) {
      const created = await apex(server, 'POST', '/v1/platform/tenants', { key: platformKey, body: { slug: `brand-${index}`, brand } });
      assert.equal(created.status, 201, `${brand}: ${JSON.stringify(created.body)}`);
      assert.equal(created.body.tenant.brand, brand.normalize('NFC'), 'stored in NFC');
    }
    const update = await apex(server, 'PATCH', '/v1/platform/tenants/brand-0', { key: platformKey, body: { brand: 'Acme\u202Eknab' } });
    assert.equal(update.status, 400);
    assert.match(update.body.message, /brand_format_character/);
  });

  test("the tenant admin's PATCH /v1/admin/tenant refuses them too", async () => {
    for (const [brand, rule] of BAD) {
      const refused = await call(server.url, 'PATCH', '/v1/admin/tenant', { token: server.adminKey, tenant: 'acme', body: { brand } });
      assert.equal(refused.status, 400, JSON.stringify(brand));
      assert.ok(refused.body.message.includes(rule), `${JSON.stringify(brand)} → ${refused.body.message}`);
    }
    const fine = await call(server.url, 'PATCH', '/v1/admin/tenant', { token: server.adminKey, tenant: 'acme', body: { brand: "Ben & Jerry's" } });
    assert.equal(fine.status, 200);
    assert.equal(fine.body.brand, "Ben & Jerry's");
  });
});
