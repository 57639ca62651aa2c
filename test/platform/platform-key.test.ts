/**
 * The platform key `npm start` generates when ALDERO_PLATFORM_KEY is unset (outside production):
 * the one key printed works wherever the platform key is asked for — the platform API and
 * `/metrics` on the API port — and only its hash is kept.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { apex } from './helpers.ts';

let server: TestServer;
let key: string;

before(async () => {
  server = await startTestServer();
  key = server.deps.platform.generatedKey!;
});
after(async () => server?.stop());

test('the generated platform key opens the platform API and /metrics; another key opens neither', async () => {
  assert.ok(key && key.length >= 32, 'a key is generated');
  assert.equal((await apex(server, 'GET', '/v1/platform/tenants', { key })).status, 200);
  const metrics = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${key}` } });
  assert.equal(metrics.status, 200);
  assert.match(await metrics.text(), /aldero_http_requests_total/);
  const wrong = `${key.slice(0, -4)}xxxx`;
  assert.equal((await apex(server, 'GET', '/v1/platform/tenants', { key: wrong })).status, 401);
  assert.equal((await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${wrong}` } })).status, 401);
  // Only the hash is stored.
  const stored = JSON.stringify(await server.store.db.collection('keys').find({}).toArray());
  assert.ok(!stored.includes(key), 'the platform key is not stored in plain form');
});
