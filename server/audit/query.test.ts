import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, signUp } from '../../test/helpers/http.ts';
import { startTestServer, type TestServer } from '../../test/helpers/server.ts';
import { auditEvents, DEFAULT_AUDIT_RETENTION_DAYS } from './record.ts';
import type { ListedEvent } from '../../test/helpers/audit.ts';

let server: TestServer;

before(async () => {
  server = await startTestServer();
});
after(() => server.stop());

const DAY = 86_400_000;

async function page(query: Record<string, string>) {
  return call<{ events: ListedEvent[]; nextCursor: string | null }>(server.url, 'GET', `/v1/admin/audit?${new URLSearchParams(query)}`, { token: server.adminKey });
}

describe('reading the trail', () => {
  test('pagination is stable while events are being recorded: no event twice, none skipped, newest first', async () => {
    await Promise.all(Array.from({ length: 24 }, () => signUp(server.url)));
    const existing = (await auditEvents(server.store).find({}, { projection: { _id: 1 } }).toArray()).map((e) => e._id);
    assert.ok(existing.length >= 24);

    let writing = true;
    const writer = (async () => {
      let written = 0;
      while (writing) {
        await Promise.all([signUp(server.url), signUp(server.url)]);
        written += 2;
      }
      return written;
    })();
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const result = await page({ limit: '5', ...(cursor ? { cursor } : {}) });
      assert.equal(result.status, 200, JSON.stringify(result.body));
      seen.push(...result.body.events.map((e) => e.id));
      cursor = result.body.nextCursor;
      pages++;
      // Give the writer room to land events between pages.
      await new Promise((resolve) => setTimeout(resolve, 20));
    } while (cursor);
    writing = false;
    const written = await writer;

    assert.ok(written > 0, 'events were recorded while paging');
    assert.ok(pages >= Math.ceil(existing.length / 5), `${pages} pages`);
    assert.equal(new Set(seen).size, seen.length, 'no event twice');
    for (let i = 1; i < seen.length; i++) assert.ok(seen[i - 1]! > seen[i]!, 'strictly newest first');
    const seenSet = new Set(seen);
    for (const id of existing) assert.ok(seenSet.has(id), `event ${id}, recorded before paging began, was skipped`);
  });

  test('filters: user, types (comma-separated), time range; bad filters are VALIDATION_ERROR', async () => {
    const user = await signUp(server.url);
    const userId = (await call(server.url, 'GET', '/v1/auth/me', { token: user.accessToken })).body.id as string;
    await call(server.url, 'POST', '/v1/auth/login', { body: { email: user.email, password: 'wrong password!' } });
    await call(server.url, 'POST', '/v1/auth/login', { body: { email: user.email, password: user.password } });

    const mine = await page({ userId });
    assert.deepEqual(mine.body.events.map((e) => e.type), ['login.succeeded', 'login.failed', 'user.signed_up']);
    const failures = await page({ userId, type: 'login.failed,user.signed_up' });
    assert.deepEqual(failures.body.events.map((e) => e.type), ['login.failed', 'user.signed_up']);

    const signedUpAt = Date.parse(mine.body.events[2]!.time);
    const lastAt = Date.parse(mine.body.events[0]!.time);
    const inRange = await page({ userId, since: new Date(signedUpAt + 1).toISOString(), until: new Date(lastAt + 1).toISOString() });
    assert.deepEqual(inRange.body.events.map((e) => e.type), ['login.succeeded', 'login.failed'].filter((_, i) => Date.parse(mine.body.events[i]!.time) > signedUpAt));
    const none = await page({ userId, until: new Date(signedUpAt).toISOString() });
    assert.deepEqual(none.body.events, [], 'until is exclusive');

    const badQueries: Record<string, string>[] = [{ type: 'no.such.type' }, { since: 'yesterday' }, { cursor: 'not-a-cursor' }, { limit: '0' }, { limit: '201' }];
    for (const query of badQueries) {
      const bad = await page(query);
      assert.equal(bad.status, 400, JSON.stringify(query));
      assert.equal((bad.body as unknown as { error: string }).error, 'VALIDATION_ERROR');
    }
  });

  test('the tRPC procedure admin.audit.list answers the same as the REST route', async () => {
    const rest = await page({ limit: '3' });
    const input = encodeURIComponent(JSON.stringify({ limit: 3 }));
    const trpc = await call(server.url, 'GET', `/trpc/admin.audit.list?input=${input}`, { token: server.adminKey });
    assert.equal(trpc.status, 200, JSON.stringify(trpc.body));
    assert.deepEqual(trpc.body.result.data.events.map((e: ListedEvent) => e.id), rest.body.events.map((e) => e.id));
  });

  test('export: JSON lines for a time range, oldest first, admin key required', async () => {
    const from = new Date(Date.now() - 1000);
    const users = [await signUp(server.url), await signUp(server.url)];
    const until = new Date(Date.now() + 1000);
    const url = `${server.url}/v1/admin/audit/export?since=${from.toISOString()}&until=${until.toISOString()}&type=user.signed_up`;
    const response = await fetch(url, { headers: { authorization: `Bearer ${server.adminKey}`, 'x-aldero-tenant': 'acme-sandbox' } });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type')!, /^application\/x-ndjson/);
    const text = await response.text();
    assert.ok(text.endsWith('\n'));
    const lines = text.trim().split('\n').map((line) => JSON.parse(line) as ListedEvent);
    assert.ok(lines.length >= 2);
    for (const line of lines) {
      assert.equal(line.type, 'user.signed_up');
      assert.ok(Date.parse(line.time) >= from.getTime() && Date.parse(line.time) < until.getTime());
    }
    for (let i = 1; i < lines.length; i++) assert.ok(lines[i - 1]!.id < lines[i]!.id, 'oldest first');
    assert.ok(users.length === 2);

    const anonymous = await fetch(url, { headers: { 'x-aldero-tenant': 'acme-sandbox' } });
    assert.equal(anonymous.status, 401);
    assert.equal((await anonymous.json()).error, 'UNAUTHORIZED');
    const bad = await fetch(`${server.url}/v1/admin/audit/export?since=soon`, { headers: { authorization: `Bearer ${server.adminKey}`, 'x-aldero-tenant': 'acme-sandbox' } });
    assert.equal(bad.status, 400);
    assert.equal((await bad.json()).error, 'VALIDATION_ERROR');
  });

  test('retention: each event expires after the tenant retention (default 400 days) through a TTL index', async () => {
    const indexes = await auditEvents(server.store).listIndexes().toArray();
    const ttl = indexes.find((index) => index.key.expiresAt === 1);
    assert.equal(ttl?.expireAfterSeconds, 0);

    await signUp(server.url);
    const [byDefault] = await auditEvents(server.store).find({ type: 'user.signed_up' }).sort({ _id: -1 }).limit(1).toArray();
    assert.equal(byDefault!.expiresAt.getTime() - byDefault!.time.getTime(), DEFAULT_AUDIT_RETENTION_DAYS * DAY);

    const patch = await call(server.url, 'PATCH', '/v1/admin/tenant', { token: server.adminKey, body: { auditRetentionDays: 30 } });
    assert.equal(patch.status, 200);
    assert.equal(patch.body.auditRetentionDays, 30);
    try {
      await signUp(server.url);
      const [shorter] = await auditEvents(server.store).find({ type: 'user.signed_up' }).sort({ _id: -1 }).limit(1).toArray();
      assert.equal(shorter!.expiresAt.getTime() - shorter!.time.getTime(), 30 * DAY);
    } finally {
      await call(server.url, 'PATCH', '/v1/admin/tenant', { token: server.adminKey, body: { auditRetentionDays: DEFAULT_AUDIT_RETENTION_DAYS } });
    }
    const refused = await call(server.url, 'PATCH', '/v1/admin/tenant', { token: server.adminKey, body: { auditRetentionDays: 0 } });
    assert.equal(refused.status, 400);
  });
});
