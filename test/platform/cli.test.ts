/**
 * The `aldero` CLI end to end (issue 13): the bin launcher run as a program against a running
 * server, onboarding a tenant, rotating its keys and deleting it, in tables and in JSON.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { call } from '../helpers/http.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { newPlatformKey } from './helpers.ts';

const bin = fileURLToPath(new URL('../../bin/aldero.mjs', import.meta.url));
const platformKey = newPlatformKey();
let server: TestServer;
let apexUrl: string;

before(async () => {
  server = await startTestServer({ env: { ALDERO_PLATFORM_KEY: platformKey } });
  apexUrl = `http://localhost:${new URL(server.url).port}`;
});
after(async () => server?.stop());

function aldero(args: string[], env: Record<string, string> = { ALDERO_PLATFORM_KEY: platformKey }): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, '--url', apexUrl, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? (typeof error.code === 'number' ? error.code : 1) : 0, stdout, stderr });
    });
  });
}

describe('aldero CLI', () => {
  test('onboards a tenant, rotates its keys and deletes it', async () => {
    const created = await aldero(['tenants', 'create', 'cli-corp', '--brand', "Ben & Jerry's", '--origin', 'https://app.cli-corp.example']);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /SLUG\s+BRAND\s+STATUS/);
    assert.match(created.stdout, /cli-corp\s+Ben & Jerry's\s+active/);
    const firstKey = /Admin key \(shown once, store it now\): (ak_\S+)/.exec(created.stdout)?.[1];
    assert.ok(firstKey, created.stdout);
    assert.equal((await call(server.url, 'GET', '/v1/admin/tenant', { token: firstKey, tenant: 'cli-corp' })).status, 200, 'the key works');

    const listed = await aldero(['tenants', 'list']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /^acme\s+Acme\s+active/m);
    assert.match(listed.stdout, /^cli-corp\s/m);
    const json = JSON.parse((await aldero(['tenants', 'list', '--json'])).stdout) as { tenants: { slug: string }[] };
    assert.deepEqual(json.tenants.map((t) => t.slug).sort(), ['acme', 'cli-corp']);

    const made = await aldero(['tenants', 'keys', 'create', 'cli-corp', '--label', 'rotation', '--json']);
    assert.equal(made.code, 0, made.stderr);
    const second = JSON.parse(made.stdout) as { key: { id: string; prefix: string }; adminKey: string };
    assert.ok(second.adminKey.startsWith(second.key.prefix));
    const keys = await aldero(['tenants', 'keys', 'list', 'cli-corp']);
    assert.match(keys.stdout, /ID\s+SCOPE\s+PREFIX\s+LABEL/);
    assert.match(keys.stdout, /rotation/);
    const firstId = /^(key_\S+)\s+all\s+\S+\s+first key/m.exec(keys.stdout)?.[1];
    assert.ok(firstId, keys.stdout);
    const revoked = await aldero(['tenants', 'keys', 'revoke', 'cli-corp', firstId]);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.match(revoked.stdout, /Revoked key_/);
    assert.equal((await call(server.url, 'GET', '/v1/admin/tenant', { token: firstKey, tenant: 'cli-corp' })).status, 401);
    assert.equal((await call(server.url, 'GET', '/v1/admin/tenant', { token: second.adminKey, tenant: 'cli-corp' })).status, 200);

    const unsure = await aldero(['tenants', 'delete', 'cli-corp']);
    assert.equal(unsure.code, 2, 'deleting needs --yes');
    assert.match(unsure.stderr, /--yes/);
    const deleted = await aldero(['tenants', 'delete', 'cli-corp', '--yes']);
    assert.equal(deleted.code, 0, deleted.stderr);
    assert.match(deleted.stdout, /Deleted cli-corp: \d+ documents erased/);
    assert.match(deleted.stdout, /adminKeys\s+2/);
    assert.equal((await call(server.url, 'GET', '/v1/tenant', { tenant: 'cli-corp' })).status, 404);
  });

  test('says what went wrong: bad brand, wrong key, no key, unknown command', async () => {
    const bad = await aldero(['tenants', 'create', 'cli-bad', '--brand', 'Call 1-800-555-0100']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /VALIDATION_ERROR: .*brand_phone_number/);
    const wrong = await aldero(['tenants', 'list'], { ALDERO_PLATFORM_KEY: 'pk_wrong_wrong_wrong_wrong_wrong_wrong' });
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /UNAUTHORIZED/);
    const none = await aldero(['tenants', 'list'], {});
    assert.equal(none.code, 2);
    assert.match(none.stderr, /ALDERO_PLATFORM_KEY/);
    const unknown = await aldero(['tenants', 'frobnicate']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /Usage: aldero/);
  });
});
