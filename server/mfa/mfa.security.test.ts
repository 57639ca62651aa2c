import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';
import { EJSON } from 'bson';
import { Secret, TOTP } from 'otpauth';
import { safeEqual } from '../crypto.ts';
import { createLogger } from '../log.ts';
import { call, latestCode, signUp, uniquePhone } from '../../test/helpers/http.ts';
import { startTestServer, type TestServer } from '../../test/helpers/server.ts';

const logLines: string[] = [];
let server: TestServer;

before(async () => {
  server = await startTestServer({ log: createLogger('debug', (line) => logLines.push(line)) });
});
after(() => server.stop());

/** A secret appears as a token of its own (not as a run of digits inside some other value). */
function containsToken(haystack: string, secret: string): boolean {
  const escaped = secret.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?<![A-Za-z0-9])${escaped}(?![A-Za-z0-9])`).test(haystack);
}

async function dumpDatabase(): Promise<string> {
  const db = server.store.db;
  const collections = await db.listCollections().toArray();
  const parts: string[] = [];
  for (const { name } of collections) {
    const docs = await db.collection(name).find({}).toArray();
    parts.push(`${name}: ${EJSON.stringify(docs, { relaxed: true })}`);
  }
  return parts.join('\n');
}

describe('secrets at rest and in logs', () => {
  test('after a full flow, no code, token, recovery code, key or phone is stored or logged in plain form', async () => {
    const secrets: string[] = [server.adminKey];
    const user = await signUp(server.url, 'acme-sandbox', `secret-${Date.now()}@example.com`, 'password in plain form');
    secrets.push(user.password, user.refreshToken);
    const phone = uniquePhone();
    const post = (path: string, body: unknown, token?: string) => call(server.url, 'POST', path, { body, token });

    await post('/v1/auth/mfa/sms/setup', { phone }, user.accessToken);
    const enrollCode = await latestCode(server.url, server.adminKey, phone);
    const confirm = await post('/v1/auth/mfa/sms/confirm', { code: enrollCode }, user.accessToken);
    secrets.push(enrollCode, ...confirm.body.recoveryCodes);

    const login = await post('/v1/auth/login', { email: user.email, password: user.password });
    const mfaToken = login.body.mfa_token as string;
    await post('/v1/auth/mfa/challenge', { mfa_token: mfaToken, challenge_type: 'oob', oob_channel: 'sms' });
    const loginCode = await latestCode(server.url, server.adminKey, phone);
    const wrong = String((Number(loginCode) + 7) % 1e6).padStart(6, '0');
    await post('/v1/auth/mfa/verify', { mfa_token: mfaToken, method: 'sms', code: wrong });
    const verify = await post('/v1/auth/mfa/verify', { mfa_token: mfaToken, method: 'sms', code: loginCode, trustDevice: true });
    const deviceToken = verify.cookies[0]!.split(';')[0]!.split('=')[1]!;
    secrets.push(mfaToken, loginCode, deviceToken, verify.body.refreshToken);

    const regenerated = await post('/v1/auth/mfa/recovery-codes', {}, verify.body.accessToken);
    secrets.push(...regenerated.body.recoveryCodes);
    const totp = await post('/v1/auth/mfa/totp/setup', {}, verify.body.accessToken);
    secrets.push(totp.body.secret);
    const code = new TOTP({ secret: Secret.fromBase32(totp.body.secret) }).generate();
    await post('/v1/auth/mfa/totp/confirm', { code }, verify.body.accessToken);
    const refreshed = await post('/v1/auth/refresh', { refreshToken: verify.body.refreshToken });
    secrets.push(refreshed.body.refreshToken);
    await post('/v1/auth/mfa/verify', { mfa_token: mfaToken, method: 'recovery_code', code: regenerated.body.recoveryCodes[0] });

    assert.ok(secrets.every((secret) => typeof secret === 'string' && secret.length >= 6), 'the flow produced every secret');
    // A control: a planted plain secret must be found, or the scan proves nothing.
    await server.store.db.collection('canary').insertOne({ note: `code ${loginCode} here` });
    const withCanary = await dumpDatabase();
    assert.ok(containsToken(withCanary, loginCode), 'the scan finds a code stored in plain form');
    await server.store.db.collection('canary').drop();
    const dump = await dumpDatabase();
    assert.ok(dump.includes('challenges') && dump.includes('sandboxMessages'), 'the dump covers the collections');
    for (const secret of secrets) {
      assert.ok(!containsToken(dump, secret), `a secret (${secret.slice(0, 3)}…) is stored in plain form`);
    }
    const logs = logLines.join('\n');
    assert.ok(logLines.length > 0, 'the server logged');
    for (const secret of [...secrets, phone, user.email]) {
      assert.ok(!containsToken(logs, secret), `a secret or identifier (${secret.slice(0, 3)}…) is in the log`);
    }
  });

  test('code comparison is constant-time: HMACs compared with timingSafeEqual', async () => {
    assert.equal(safeEqual('abc', 'abc'), true);
    assert.equal(safeEqual('abc', 'abd'), false);
    assert.equal(safeEqual('abc', 'abcd'), false);
    const source = await readFile(new URL('./challenges.ts', import.meta.url), 'utf8');
    assert.match(source, /safeEqual\(codeHash\(/, 'the code check goes through safeEqual');
    assert.doesNotMatch(source, /codeHash\s*===|===\s*challenge\.codeHash/, 'no early-exit comparison of code hashes');
    const crypto = await readFile(new URL('../crypto.ts', import.meta.url), 'utf8');
    assert.match(crypto, /timingSafeEqual\(left, right\)/);
  });
});

describe('isolation of tenants and environments', () => {
  test('an mfa_token of the sandbox is unknown in live; an inbox is not readable with another tenant’s key', async () => {
    const user = await signUp(server.url);
    const phone = uniquePhone();
    await call(server.url, 'POST', '/v1/auth/mfa/sms/setup', { body: { phone }, token: user.accessToken });
    const code = await latestCode(server.url, server.adminKey, phone);
    await call(server.url, 'POST', '/v1/auth/mfa/sms/confirm', { body: { code }, token: user.accessToken });
    const login = await call(server.url, 'POST', '/v1/auth/login', { body: { email: user.email, password: user.password } });
    const atLive = await call(server.url, 'POST', '/v1/auth/mfa/verify', {
      tenant: 'acme',
      body: { mfa_token: login.body.mfa_token, method: 'sms', code: await latestCode(server.url, server.adminKey, phone) },
    });
    assert.equal(atLive.status, 410);

    const { adminKey: otherKey } = await server.deps.tenants.create({ slug: `iso${Date.now().toString(36)}`, brand: 'Iso' });
    const inbox = await call(server.url, 'GET', `/v1/sandbox/messages?phone=${encodeURIComponent(phone)}`, { token: otherKey });
    assert.equal(inbox.status, 401);
  });

  test('a trusted-device cookie of the sandbox does not skip MFA in live', async () => {
    const phone = uniquePhone();
    const email = `both-${Date.now()}@example.com`;
    const enroll = async (tenant: string) => {
      const user = await signUp(server.url, tenant, email, 'same password both');
      await call(server.url, 'POST', '/v1/auth/mfa/sms/setup', { tenant, body: { phone }, token: user.accessToken });
      return user;
    };
    const sandboxUser = await enroll('acme-sandbox');
    const code = await latestCode(server.url, server.adminKey, phone);
    await call(server.url, 'POST', '/v1/auth/mfa/sms/confirm', { body: { code }, token: sandboxUser.accessToken });
    const login = await call(server.url, 'POST', '/v1/auth/login', { body: { email, password: 'same password both' } });
    const verify = await call(server.url, 'POST', '/v1/auth/mfa/verify', {
      body: { mfa_token: login.body.mfa_token, method: 'sms', code: await latestCode(server.url, server.adminKey, phone), trustDevice: true },
    });
    const cookie = verify.cookies[0]!.split(';')[0]!;
    const sandboxAgain = await call(server.url, 'POST', '/v1/auth/login', { body: { email, password: 'same password both' }, cookie });
    assert.equal(sandboxAgain.status, 200, 'the cookie works where it was issued');
    // In live the same email is another user with no factor; give it one through the database-free path: TOTP.
    const liveUser = await signUp(server.url, 'acme', email, 'same password both');
    const totp = await call(server.url, 'POST', '/v1/auth/mfa/totp/setup', { tenant: 'acme', body: {}, token: liveUser.accessToken });
    const totpCode = new TOTP({ secret: Secret.fromBase32(totp.body.secret) }).generate();
    await call(server.url, 'POST', '/v1/auth/mfa/totp/confirm', { tenant: 'acme', body: { code: totpCode }, token: liveUser.accessToken });
    const liveLogin = await call(server.url, 'POST', '/v1/auth/login', { tenant: 'acme', body: { email, password: 'same password both' }, cookie });
    assert.equal(liveLogin.status, 403);
  });
});
