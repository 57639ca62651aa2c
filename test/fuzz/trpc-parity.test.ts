/**
 * Plain tRPC calls are answered without tRPC's fetch adapter (server/http/trpc-route.ts, a
 * performance path). This holds it to tRPC's own answers: the same generated calls (every
 * procedure, GET and POST, with and without valid auth, valid and broken inputs, odd content
 * types) go to a server taking the direct path and to one sending everything through tRPC's
 * adapter (`trpcDirect: false`), over the same dependencies; status, media type, Retry-After and
 * the error envelope (message, code, appCode, httpStatus, context, path) must match.
 *
 *   PARITY_COUNT=3000 node --import tsx --test test/fuzz/trpc-parity.test.ts
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { procedures } from '../../server/http/dispatch.ts';
import { createHttpHandler } from '../../server/http/handler.ts';
import { call, enrolledUser } from '../helpers/http.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { BodyGenerator, type JsonSchema } from './generate.ts';

const SEED = Number(process.env.PARITY_SEED ?? 0x7a1c);
const COUNT = Number(process.env.PARITY_COUNT ?? 600);
/** Answers that depend on what the previous call changed: not compared. */
const STATEFUL = new Set(['MFA_INVALID_CODE', 'MFA_RATE_LIMITED', 'RATE_LIMITED', 'MFA_CHALLENGE_EXPIRED', 'INVALID_REFRESH_TOKEN', 'EMAIL_TAKEN', 'MFA_ALREADY_ENABLED', 'MFA_SETUP_REQUIRED', 'MFA_NOT_ENABLED', 'NOT_FOUND', 'INVALID_CREDENTIALS']);

/** Queries whose successful answers are the same twice in a row. */
const READ_ONLY = new Set(['auth.me', 'auth.devices.list', 'admin.tenant.get']);

let server: TestServer;
let adapterServer: Server;
let adapterUrl: string;
const known = { token: '', userId: '', phone: '', mfaToken: 'mfa_unknown', refreshToken: 'rt_unknown' };

before(async () => {
  server = await startTestServer();
  adapterServer = createServer((req, res) => void createHttpHandler(server.deps, { trpcDirect: false })(req, res));
  await new Promise<void>((resolve) => adapterServer.listen(0, '127.0.0.1', resolve));
  adapterUrl = `http://127.0.0.1:${(adapterServer.address() as AddressInfo).port}`;
  const user = await enrolledUser(server.url, server.adminKey);
  known.token = user.accessToken;
  known.refreshToken = user.refreshToken;
  known.phone = user.phone;
  known.userId = (await call(server.url, 'GET', '/v1/auth/me', { token: user.accessToken })).body.id;
});

after(async () => {
  adapterServer?.closeAllConnections();
  await new Promise((resolve) => adapterServer?.close(resolve));
  await server?.stop();
});

interface Answer {
  status: number;
  mediaType: string;
  retryAfter: string | null;
  json: unknown;
}

async function ask(base: string, method: string, path: string, headers: Record<string, string>, body: Buffer | undefined): Promise<Answer> {
  const response = await fetch(base + path, { method, headers, body: method === 'GET' || !body ? undefined : new Uint8Array(body) });
  const text = await response.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    // compared as text
  }
  return { status: response.status, mediaType: (response.headers.get('content-type') ?? '').split(';')[0]!.trim(), retryAfter: response.headers.get('retry-after'), json };
}

test(`tRPC calls answered directly match tRPC's adapter (${COUNT} generated calls, seed 0x${SEED.toString(16)})`, async (t) => {
  const openapi = await call(server.url, 'GET', '/v1/openapi.json');
  const schemas = new Map<string, JsonSchema>();
  for (const [path, operations] of Object.entries(openapi.body.paths as Record<string, Record<string, { operationId?: string; requestBody?: { content?: Record<string, { schema?: JsonSchema }> } }>>)) {
    for (const operation of Object.values(operations)) {
      const schema = operation.requestBody?.content?.['application/json']?.schema;
      if (schema && operation.operationId) schemas.set(operation.operationId.replaceAll('-', '.'), schema);
      void path;
    }
  }
  const entries = [...procedures.values()];
  const gen = new BodyGenerator(SEED, { mfaToken: () => known.mfaToken, refreshToken: () => known.refreshToken, userId: () => known.userId, phone: () => known.phone }, server.deps.config.maxBodyBytes);
  let compared = 0;
  let comparedSuccesses = 0;
  let skipped = 0;
  const mismatches: string[] = [];
  for (let i = 0; i < COUNT; i++) {
    const { path, type } = gen.pick(entries);
    const query = type === 'query';
    const fuzz = gen.chance(0.6) ? gen.schemaAware(schemas.get(path), query) : gen.randomBody(query);
    const method = gen.chance(0.05) ? (query ? 'POST' : 'GET') : query ? 'GET' : 'POST';
    const headers: Record<string, string> = { 'x-aldero-tenant': 'acme-sandbox' };
    if (fuzz.contentType) headers['content-type'] = fuzz.contentType;
    const auth = gen.pick(['none', 'user', 'admin', 'forged']);
    if (auth === 'user') headers.authorization = `Bearer ${known.token}`;
    if (auth === 'admin') headers.authorization = `Bearer ${server.adminKey}`;
    if (auth === 'forged') headers.authorization = 'Bearer eyJhbGciOiJub25lIn0.e30.';
    let url = `/trpc/${path}`;
    if (method === 'GET') {
      const input = fuzz.query !== undefined ? JSON.stringify(fuzz.query) : fuzz.body?.toString('utf8');
      if (input !== undefined && input.length < 6000) url += `?input=${encodeURIComponent(input.replace(/[\uD800-\uDFFF]/g, '\uFFFD'))}`;
    }
    const direct = await ask(server.url, method, url, headers, fuzz.body);
    const adapter = await ask(adapterUrl, method, url, headers, fuzz.body);
    const codeOf = (answer: Answer) => (answer.json as { error?: { data?: { appCode?: string } } })?.error?.data?.appCode;
    // A success may change what the second call sees (a refresh rotates its token): left out,
    // except the answers of read-only queries.
    const readOnly = READ_ONLY.has(path) && direct.status < 300 && adapter.status < 300;
    const stateful = !readOnly && (direct.status < 300 || adapter.status < 300 || STATEFUL.has(codeOf(direct) ?? '') || STATEFUL.has(codeOf(adapter) ?? ''));
    if (stateful) {
      skipped++;
      continue;
    }
    compared++;
    if (readOnly) comparedSuccesses++;
    try {
      assert.equal(direct.status, adapter.status, 'status');
      assert.equal(direct.mediaType, adapter.mediaType, 'media type');
      assert.equal(direct.retryAfter, adapter.retryAfter, 'retry-after');
      assert.deepEqual(direct.json, adapter.json, 'body');
    } catch (error) {
      mismatches.push(`#${i} ${method} ${url.slice(0, 100)} auth=${auth} ${fuzz.label} ct=${fuzz.contentType}: ${(error as Error).message.split('\n').slice(0, 6).join(' ')} direct=${JSON.stringify(direct).slice(0, 300)} adapter=${JSON.stringify(adapter).slice(0, 300)}`);
    }
  }
  t.diagnostic(`seed 0x${SEED.toString(16)}: ${compared} calls compared (${comparedSuccesses} successful queries), ${skipped} left out (a success, or a refusal that depends on state the first call may have changed)`);
  assert.deepEqual(mismatches.slice(0, 10), [], `${mismatches.length} mismatches`);
  assert.ok(compared >= COUNT / 2, `enough calls compared (${compared})`);
});
