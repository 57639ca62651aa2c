/**
 * The tenant platform over HTTP (issue 13): tenants made through the platform API on the apex
 * host, each running the guide's flow in its sandbox with its own brand; nothing of one works at
 * the other; suspension; deletion that leaves nothing behind; key rotation seen by two processes
 * on one database; a user's erasure; the tenant's public face; the demo's inbox-only key.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DISCLOSURE_VERSION, disclosureText } from '../../server/contract/disclosure.ts';
import { startEmbeddedMongo } from '../../server/embedded-mongo/index.ts';
import { randomToken } from '../../server/crypto.ts';
import { call, signUp, uniquePhone } from '../helpers/http.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { apex, createTenant, documentsMentioning, newPlatformKey } from './helpers.ts';

const platformKey = newPlatformKey();
let engine: Awaited<ReturnType<typeof startEmbeddedMongo>>;
/** Two API processes (two apps, two tenant caches) on one database. */
let first: TestServer;
let second: TestServer;

before(async () => {
  engine = await startEmbeddedMongo();
  const dbName = `aldero_platform_${randomToken(6).replace(/[^a-z0-9]/gi, '')}`;
  // Behind one load balancer every process knows the public address clients use (one issuer of tokens).
  const env = { ALDERO_PLATFORM_KEY: platformKey, ALDERO_PUBLIC_URL: 'http://localhost:3000' };
  first = await startTestServer({ mongoUri: engine.uri, dbName, env });
  second = await startTestServer({ mongoUri: engine.uri, dbName, env });
});
after(async () => {
  await second?.stop();
  await first?.stop();
  await engine?.stop();
});

const uniqueSlug = (base: string) => `${base}-${randomToken(4).toLowerCase().replace(/[^a-z0-9]/g, 'x')}`;

async function inbox(url: string, adminKey: string, tenant: string, phone: string) {
  const answer = await call<{ messages: { body: string }[] }>(url, 'GET', `/v1/sandbox/messages?phone=${encodeURIComponent(phone)}`, { token: adminKey, tenant });
  assert.equal(answer.status, 200, JSON.stringify(answer.body));
  return answer.body.messages;
}

async function newestCode(url: string, adminKey: string, tenant: string, phone: string, brand: string): Promise<string> {
  const [message] = await inbox(url, adminKey, tenant, phone);
  assert.ok(message, `a message in the inbox of ${phone}`);
  assert.equal(
    message.body.replace(/\d{6}/, '000000'),
    `Your ${brand} verification code is 000000. Sent via Aldero. Reply STOP to opt out, HELP for help.`,
  );
  return /verification code is (\d{6})/.exec(message.body)![1]!;
}

/** The guide's flow in a sandbox: sign up, enroll SMS, log in through the challenge, trust the device. */
async function guideFlow(url: string, slug: string, brand: string, adminKey: string, email?: string) {
  const tenant = `${slug}-sandbox`;
  const user = await signUp(url, tenant, email);
  const phone = uniquePhone();
  const setup = await call(url, 'POST', '/v1/auth/mfa/sms/setup', { body: { phone }, token: user.accessToken, tenant });
  assert.equal(setup.status, 200, JSON.stringify(setup.body));
  const confirm = await call<{ recoveryCodes: string[] }>(url, 'POST', '/v1/auth/mfa/sms/confirm', {
    body: { code: await newestCode(url, adminKey, tenant, phone, brand) },
    token: user.accessToken,
    tenant,
  });
  assert.equal(confirm.status, 200, JSON.stringify(confirm.body));
  assert.equal(confirm.body.recoveryCodes.length, 10);
  const login = await call(url, 'POST', '/v1/auth/login', { body: { email: user.email, password: user.password }, tenant });
  assert.equal(login.status, 403);
  assert.equal(login.body.error, 'mfa_required');
  const mfaToken = login.body.mfa_token as string;
  const verify = await call(url, 'POST', '/v1/auth/mfa/verify', {
    body: { mfa_token: mfaToken, method: 'sms', code: await newestCode(url, adminKey, tenant, phone, brand), trustDevice: true },
    tenant,
  });
  assert.equal(verify.status, 200, JSON.stringify(verify.body));
  const deviceCookie = verify.cookies.find((c) => c.startsWith('mfa_device='))!.split(';')[0]!;
  const trusted = await call(url, 'POST', '/v1/auth/login', { body: { email: user.email, password: user.password }, tenant, cookie: deviceCookie });
  assert.equal(trusted.status, 200, 'the trusted device skips MFA at its own tenant');
  // A second challenge left open, for the isolation checks.
  const open = await call(url, 'POST', '/v1/auth/login', { body: { email: user.email, password: user.password }, tenant });
  return {
    ...user,
    phone,
    tenant,
    accessToken: verify.body.accessToken as string,
    refreshToken: verify.body.refreshToken as string,
    mfaToken: open.body.mfa_token as string,
    deviceCookie,
  };
}

describe('the platform API', () => {
  test('is served on the apex host only, with the platform key only', async () => {
    const none = await apex(first, 'GET', '/v1/platform/tenants');
    assert.equal(none.status, 401);
    assert.equal(none.body.error, 'UNAUTHORIZED');
    const wrong = await apex(first, 'GET', '/v1/platform/tenants', { key: `${platformKey.slice(0, -1)}x` });
    assert.equal(wrong.status, 401);
    const demoKey = await apex(first, 'GET', '/v1/platform/tenants', { key: first.adminKey });
    assert.equal(demoKey.status, 401, 'a tenant admin key is not the platform key');
    const right = await apex(first, 'GET', '/v1/platform/tenants', { key: platformKey });
    assert.equal(right.status, 200, JSON.stringify(right.body));
    const onTenantHost = await call(first.url, 'GET', '/v1/platform/tenants', { token: platformKey, tenant: 'acme' });
    assert.equal(onTenantHost.status, 404, 'no platform API on a tenant host');
    const tenantRouteOnApex = await apex(first, 'GET', '/v1/auth/me');
    assert.equal(tenantRouteOnApex.status, 404);
    assert.equal(tenantRouteOnApex.body.error, 'TENANT_NOT_FOUND');
  });

  test('creates tenants by the slug rules; a taken slug is 409', async () => {
    const slug = uniqueSlug('rules');
    const created = await apex(first, 'POST', '/v1/platform/tenants', { key: platformKey, body: { slug, brand: 'Rules Inc', allowedOrigins: ['https://rules.example'] } });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.match(created.body.adminKey, /^ak_[A-Za-z0-9_-]{32,}$/);
    assert.equal(created.body.tenant.slug, slug);
    assert.equal(created.body.tenant.status, 'active');
    assert.deepEqual(created.body.tenant.allowedOrigins, ['https://rules.example']);
    const again = await apex(first, 'POST', '/v1/platform/tenants', { key: platformKey, body: { slug, brand: 'Other' } });
    assert.equal(again.status, 409);
    assert.equal(again.body.error, 'TENANT_SLUG_TAKEN');
    for (const [bad, rule] of [
      ['ab', 'slug_length'],
      ['x'.repeat(41), 'slug_length'],
      ['Acme', 'slug_format'],
      ['acme_co', 'slug_format'],
      ['-acme', 'slug_format'],
      ['acme-sandbox', 'slug_sandbox_suffix'],
      ['www', 'slug_reserved'],
      ['api', 'slug_reserved'],
      ['admin', 'slug_reserved'],
      ['platform', 'slug_reserved'],
    ] as const) {
      const refused = await apex(first, 'POST', '/v1/platform/tenants', { key: platformKey, body: { slug: bad, brand: 'Fine' } });
      assert.equal(refused.status, 400, bad);
      assert.equal(refused.body.error, 'VALIDATION_ERROR');
      assert.match(JSON.stringify(refused.body), new RegExp(rule), bad);
    }
    const long = 'a'.repeat(40);
    const longest = await apex(first, 'POST', '/v1/platform/tenants', { key: platformKey, body: { slug: long, brand: 'Long' } });
    assert.equal(longest.status, 201, JSON.stringify(longest.body));
    const served = await call(first.url, 'GET', '/v1/tenant', { tenant: `${long}-sandbox` });
    assert.equal(served.status, 200, 'a 40-character slug is served');
  });

  test('lists tenants a page at a time', async () => {
    const page = await apex(first, 'GET', '/v1/platform/tenants?limit=1', { key: platformKey });
    assert.equal(page.status, 200);
    assert.equal(page.body.tenants.length, 1);
    assert.ok(page.body.nextCursor);
    const next = await apex(first, 'GET', `/v1/platform/tenants?limit=1&cursor=${page.body.nextCursor}`, { key: platformKey });
    assert.equal(next.status, 200);
    assert.ok(next.body.tenants[0].slug > page.body.tenants[0].slug);
    const one = await apex(first, 'GET', '/v1/platform/tenants/acme', { key: platformKey });
    assert.equal(one.status, 200);
    assert.equal(one.body.tenant.brand, 'Acme');
    assert.equal((await apex(first, 'GET', '/v1/platform/tenants/nope-nope', { key: platformKey })).status, 404);
  });
});

describe('two tenants', () => {
  let alpha: { slug: string; brand: string; adminKey: string };
  let bravo: { slug: string; brand: string; adminKey: string };
  let alphaUser: Awaited<ReturnType<typeof guideFlow>>;
  let bravoUser: Awaited<ReturnType<typeof guideFlow>>;

  before(async () => {
    alpha = { slug: uniqueSlug('alpha'), brand: 'Alpha & Sons', adminKey: '' };
    bravo = { slug: uniqueSlug('bravo'), brand: 'Zürich Bank', adminKey: '' };
    alpha.adminKey = (await createTenant(first, platformKey, { slug: alpha.slug, brand: alpha.brand })).adminKey;
    bravo.adminKey = (await createTenant(second, platformKey, { slug: bravo.slug, brand: bravo.brand })).adminKey;
  });

  test("each one's sandbox runs the guide's flow with its own brand in the SMS", async () => {
    alphaUser = await guideFlow(first.url, alpha.slug, alpha.brand, alpha.adminKey);
    // The same person at both: one e-mail and password, two accounts that share nothing.
    bravoUser = await guideFlow(second.url, bravo.slug, bravo.brand, bravo.adminKey, alphaUser.email);
  });

  test('the public face names the brand and the disclosure, to any origin, without auth', async () => {
    const face = await call(first.url, 'GET', '/v1/tenant', { tenant: `${bravo.slug}-sandbox`, headers: { origin: 'https://anywhere.example' } });
    assert.equal(face.status, 200, JSON.stringify(face.body));
    assert.deepEqual(face.body, {
      slug: bravo.slug,
      brand: 'Zürich Bank',
      environment: 'sandbox',
      methods: ['sms', 'totp', 'recovery_code'],
      disclosure: { version: DISCLOSURE_VERSION, text: disclosureText('Zürich Bank') },
    });
    assert.ok(face.headers.get('access-control-allow-origin'), 'any origin may read it');
    const live = await call(first.url, 'GET', '/v1/tenant', { tenant: bravo.slug });
    assert.equal(live.body.environment, 'live');
  });

  test('nothing of one tenant works at the other (401/403/410, never data)', async () => {
    for (const [user, other] of [[alphaUser, bravo], [bravoUser, alpha]] as const) {
      const at = `${other.slug}-sandbox`;
      const refusals = [
        await call(first.url, 'GET', '/v1/auth/me', { token: user.accessToken, tenant: at }),
        await call(first.url, 'POST', '/v1/auth/refresh', { body: { refreshToken: user.refreshToken }, tenant: at }),
        await call(first.url, 'POST', '/v1/auth/mfa/verify', { body: { mfa_token: user.mfaToken, method: 'sms', code: '123456' }, tenant: at }),
        await call(first.url, 'POST', '/v1/auth/mfa/challenge', { body: { mfa_token: user.mfaToken, challenge_type: 'oob', oob_channel: 'sms' }, tenant: at }),
        await call(first.url, 'GET', `/v1/sandbox/messages?phone=${encodeURIComponent(user.phone)}`, { token: (other === alpha ? bravo : alpha).adminKey, tenant: at }),
        await call(first.url, 'GET', '/v1/admin/tenant', { token: (other === alpha ? bravo : alpha).adminKey, tenant: at }),
        await call(first.url, 'POST', '/v1/admin/users', { token: (other === alpha ? bravo : alpha).adminKey, tenant: at, body: { email: 'x@example.com', oauthProvider: 'idp' } }),
      ];
      for (const refused of refusals) {
        assert.ok([401, 403, 410].includes(refused.status), `${refused.status} ${JSON.stringify(refused.body)}`);
        assert.ok(refused.body.error, 'an error body, never data');
      }
      // The same e-mail and password there are another account: this tenant's trusted device does not skip its MFA.
      const login = await call(first.url, 'POST', '/v1/auth/login', { body: { email: user.email, password: user.password }, tenant: at, cookie: user.deviceCookie });
      assert.equal(login.status, 403);
      assert.equal(login.body.error, 'mfa_required', 'the device cookie of the other tenant is not trusted here');
    }
  });

  test('a suspended tenant answers 403 TENANT_SUSPENDED and sends nothing; resume restores it', async () => {
    const suspended = await apex(first, 'POST', `/v1/platform/tenants/${alpha.slug}/suspend`, { key: platformKey });
    assert.equal(suspended.status, 200, JSON.stringify(suspended.body));
    assert.equal(suspended.body.tenant.status, 'suspended');
    await new Promise((resolve) => setTimeout(resolve, 2_100)); // the other process's tenant cache
    const before = (await first.store.collection('sandboxMessages').countDocuments({})) as number;
    for (const server of [first, second]) {
      const login = await call(server.url, 'POST', '/v1/auth/login', { body: { email: alphaUser.email, password: alphaUser.password }, tenant: alphaUser.tenant });
      assert.equal(login.status, 403);
      assert.equal(login.body.error, 'TENANT_SUSPENDED');
      const resend = await call(server.url, 'POST', '/v1/auth/mfa/challenge', { body: { mfa_token: alphaUser.mfaToken, challenge_type: 'oob', oob_channel: 'sms' }, tenant: alphaUser.tenant });
      assert.equal(resend.status, 403);
      assert.equal(resend.body.error, 'TENANT_SUSPENDED');
      const live = await call(server.url, 'POST', '/v1/auth/signup', { body: { email: 'x@example.com', password: 'correct horse battery' }, tenant: alpha.slug });
      assert.equal(live.body.error, 'TENANT_SUSPENDED');
    }
    assert.equal(await first.store.collection('sandboxMessages').countDocuments({}), before, 'no SMS left');
    const other = await call(first.url, 'GET', '/v1/auth/me', { token: bravoUser.accessToken, tenant: bravoUser.tenant });
    assert.equal(other.status, 200, 'the other tenant is untouched');
    const resumed = await apex(first, 'POST', `/v1/platform/tenants/${alpha.slug}/resume`, { key: platformKey });
    assert.equal(resumed.body.tenant.status, 'active');
    const again = await call(first.url, 'POST', '/v1/auth/mfa/challenge', { body: { mfa_token: alphaUser.mfaToken, challenge_type: 'oob', oob_channel: 'sms' }, tenant: alphaUser.tenant });
    assert.equal(again.status, 200, JSON.stringify(again.body));
  });

  test('key rotation: a new key works, a revoked one is 401 at once in every process', async () => {
    const made = await apex(first, 'POST', `/v1/platform/tenants/${bravo.slug}/keys`, { key: platformKey, body: { label: 'rotation' } });
    assert.equal(made.status, 201, JSON.stringify(made.body));
    const fresh = made.body.adminKey as string;
    assert.ok(made.body.key.prefix.length <= 8 && fresh.startsWith(made.body.key.prefix));
    for (const server of [first, second]) {
      assert.equal((await call(server.url, 'GET', '/v1/admin/tenant', { token: fresh, tenant: bravo.slug })).status, 200);
      assert.equal((await call(server.url, 'GET', '/v1/admin/tenant', { token: bravo.adminKey, tenant: bravo.slug })).status, 200);
    }
    const listed = await apex(second, 'GET', `/v1/platform/tenants/${bravo.slug}/keys`, { key: platformKey });
    assert.equal(listed.body.keys.length, 2);
    const old = listed.body.keys.find((k: { label: string | null }) => k.label === 'first key');
    assert.ok(old.lastUsedAt, 'last use is recorded');
    assert.ok(!JSON.stringify(listed.body).includes(bravo.adminKey), 'a key is never answered back');
    const revoked = await apex(second, 'DELETE', `/v1/platform/tenants/${bravo.slug}/keys/${old.id}`, { key: platformKey });
    assert.equal(revoked.status, 200);
    for (const server of [first, second]) {
      const refused = await call(server.url, 'GET', '/v1/admin/tenant', { token: bravo.adminKey, tenant: bravo.slug });
      assert.equal(refused.status, 401, 'refused at once');
      assert.equal((await call(server.url, 'GET', '/v1/admin/tenant', { token: fresh, tenant: `${bravo.slug}-sandbox` })).status, 200);
    }
    bravo.adminKey = fresh;
    const keyDocs = await first.store.collection('adminKeys').find({}).toArray();
    assert.ok(!JSON.stringify(keyDocs).includes(fresh), 'only a hash and a short prefix are stored');
  });

  test("what the platform API did is in the tenant's own audit trail, in both environments, actor platform", async () => {
    const platformTypes = 'platform.tenant_created,platform.tenant_updated,platform.tenant_suspended,platform.tenant_resumed,platform.admin_key_created,platform.admin_key_revoked';
    const trail = async (token: string, tenant: string) => {
      const listed = await call<{ events: { type: string; actor: string; payload: Record<string, unknown> }[] }>(first.url, 'GET', `/v1/admin/audit?type=${platformTypes}&limit=50`, { token, tenant });
      assert.equal(listed.status, 200, JSON.stringify(listed.body));
      return listed.body.events;
    };
    for (const tenant of [alpha.slug, `${alpha.slug}-sandbox`]) {
      const events = await trail(alpha.adminKey, tenant);
      assert.deepEqual(events.map((event) => event.type).reverse(), ['platform.tenant_created', 'platform.admin_key_created', 'platform.tenant_updated', 'platform.tenant_suspended', 'platform.tenant_resumed'], tenant);
      const updated = events.find((event) => event.type === 'platform.tenant_updated')!;
      assert.ok(Array.isArray(updated.payload.fields) && (updated.payload.fields as string[]).length > 0, 'the fields changed, by name');
      assert.ok(events.every((event) => event.actor === 'platform'));
      assert.deepEqual(events.at(-1)!.payload, { slug: alpha.slug });
    }
    const bravoEvents = await trail(bravo.adminKey, bravo.slug);
    const revoked = bravoEvents.find((event) => event.type === 'platform.admin_key_revoked');
    assert.ok(revoked && typeof revoked.payload.keyId === 'string', 'the rotation is on record');
    assert.ok(bravoEvents.some((event) => event.type === 'platform.admin_key_created' && event.payload.label === 'rotation'));
    assert.ok(!JSON.stringify(bravoEvents).includes(bravo.adminKey), 'never the key itself');
  });

  test('scoped keys: live, sandbox, sandbox-inbox', async () => {
    const make = async (scope: string) => (await apex(first, 'POST', `/v1/platform/tenants/${bravo.slug}/keys`, { key: platformKey, body: { scope } })).body.adminKey as string;
    const live = await make('live');
    const sandbox = await make('sandbox');
    const inboxOnly = await make('sandbox-inbox');
    const get = (key: string, tenant: string) => call(first.url, 'GET', '/v1/admin/tenant', { token: key, tenant }).then((r) => r.status);
    assert.equal(await get(live, bravo.slug), 200);
    assert.equal(await get(live, `${bravo.slug}-sandbox`), 403);
    assert.equal(await get(sandbox, `${bravo.slug}-sandbox`), 200);
    assert.equal(await get(sandbox, bravo.slug), 403);
    assert.equal(await get(inboxOnly, `${bravo.slug}-sandbox`), 403, 'an inbox key is no admin key');
    assert.equal((await inbox(first.url, inboxOnly, `${bravo.slug}-sandbox`, bravoUser.phone)).length > 0, true);
    const users = await call(first.url, 'POST', '/v1/admin/users', { token: inboxOnly, tenant: `${bravo.slug}-sandbox`, body: { email: 'y@example.com', oauthProvider: 'idp' } });
    assert.equal(users.status, 403);
  });

  test("a tenant admin erases one user completely; the others stay", async () => {
    const keep = await guideFlow(first.url, bravo.slug, bravo.brand, bravo.adminKey);
    const gone = await guideFlow(first.url, bravo.slug, bravo.brand, bravo.adminKey);
    const me = await call(first.url, 'GET', '/v1/auth/me', { token: gone.accessToken, tenant: gone.tenant });
    const userId = me.body.id as string;
    const erased = await call(first.url, 'DELETE', `/v1/admin/users/${userId}`, { token: bravo.adminKey, tenant: gone.tenant });
    assert.equal(erased.status, 200, JSON.stringify(erased.body));
    assert.equal(erased.body.erased.users, 1);
    assert.ok(erased.body.erased.sessions >= 1 && erased.body.erased.challenges >= 1 && erased.body.erased.sandboxMessages >= 1);
    assert.deepEqual(await documentsMentioning(first, [userId, gone.email, gone.phone]), {});
    assert.equal((await call(first.url, 'GET', '/v1/auth/me', { token: gone.accessToken, tenant: gone.tenant })).status, 401);
    assert.equal((await call(first.url, 'GET', '/v1/auth/me', { token: keep.accessToken, tenant: keep.tenant })).status, 200);
    assert.equal((await call(first.url, 'DELETE', `/v1/admin/users/${userId}`, { token: bravo.adminKey, tenant: gone.tenant })).status, 404);
  });

  test('deleting a tenant erases every document of both environments', async () => {
    const doomedTenant = await apex(first, 'GET', `/v1/platform/tenants/${alpha.slug}`, { key: platformKey });
    const tenantId = doomedTenant.body.tenant.id as string;
    // Something in live too: a user and a refused login.
    const liveUser = await signUp(first.url, alpha.slug);
    await call(first.url, 'POST', '/v1/auth/login', { body: { email: liveUser.email, password: 'wrong password here' }, tenant: alpha.slug });
    const deleted = await apex(second, 'DELETE', `/v1/platform/tenants/${alpha.slug}`, { key: platformKey });
    assert.equal(deleted.status, 200, JSON.stringify(deleted.body));
    assert.ok(deleted.body.total > 10, JSON.stringify(deleted.body));
    for (const collection of ['users', 'sessions', 'challenges', 'trustedDevices', 'sandboxMessages', 'auditEvents', 'consents', 'rateCounters', 'adminKeys', 'tenants']) {
      assert.ok(deleted.body.erased[collection] >= 1, `${collection} erased: ${JSON.stringify(deleted.body.erased)}`);
    }
    // (alphaUser's e-mail is also bravoUser's: the same person at both tenants, whose bravo account stays.)
    assert.deepEqual(await documentsMentioning(first, [tenantId, alpha.slug, alphaUser.phone, liveUser.email]), {});
    for (const server of [first, second]) {
      const gone = await call(server.url, 'GET', '/v1/tenant', { tenant: alpha.slug });
      assert.equal(gone.status, 404);
      assert.equal((await call(server.url, 'GET', '/v1/auth/me', { token: alphaUser.accessToken, tenant: alphaUser.tenant })).status, 404);
    }
    assert.equal((await apex(first, 'GET', `/v1/platform/tenants/${alpha.slug}`, { key: platformKey })).status, 404);
    const bravoStill = await call(first.url, 'GET', '/v1/auth/me', { token: bravoUser.accessToken, tenant: bravoUser.tenant });
    assert.equal(bravoStill.status, 200, 'the other tenant is untouched');
  });
});

describe('the demo configuration', () => {
  test('hands out a sandbox-inbox key, to a loopback peer without forwarding headers only', async () => {
    const config = await call(first.url, 'GET', '/demo-config.json', { tenant: null });
    assert.equal(config.status, 200, JSON.stringify(config.body));
    const key = config.body.adminKey as string;
    assert.ok(key && key !== first.adminKey);
    assert.equal((await call(first.url, 'GET', `/v1/sandbox/messages?phone=${encodeURIComponent(uniquePhone())}`, { token: key, tenant: 'acme-sandbox' })).status, 200);
    assert.equal((await call(first.url, 'GET', '/v1/admin/tenant', { token: key, tenant: 'acme-sandbox' })).status, 403);
    assert.equal((await call(first.url, 'GET', '/v1/admin/tenant', { token: key, tenant: 'acme' })).status, 403);
    for (const header of ['x-forwarded-for', 'forwarded', 'x-real-ip', 'x-forwarded-host']) {
      const proxied = await call(first.url, 'GET', '/demo-config.json', { tenant: null, headers: { [header]: '203.0.113.9' } });
      assert.equal(proxied.status, 403, header);
    }
  });

  test("the demo's identity provider signs an OAuth-only user in without handing the browser an admin key", async () => {
    const email = `idp-${Date.now()}@example.com`;
    const user = await call(first.url, 'POST', '/demo-idp/users', { tenant: null, body: { email, oauthProvider: 'demo-idp' } });
    assert.equal(user.status, 201, JSON.stringify(user.body));
    const session = await call(first.url, 'POST', '/demo-idp/sessions', { tenant: null, body: { userId: user.body.id } });
    assert.equal(session.status, 201, JSON.stringify(session.body));
    // The session is the demo tenant's sandbox user's, and the user has no password (OAuth-only).
    const me = await call(first.url, 'GET', '/v1/auth/me', { token: session.body.accessToken, tenant: 'acme-sandbox' });
    assert.equal(me.status, 200, JSON.stringify(me.body));
    assert.equal(me.body.email, email);
    const setup = await call(first.url, 'POST', '/v1/auth/mfa/sms/setup', { token: session.body.accessToken, tenant: 'acme-sandbox', body: { phone: '+15550109911' } });
    assert.equal(setup.body.error, 'MFA_PASSWORD_REQUIRED');
    assert.equal((await call(first.url, 'POST', '/demo-idp/users', { tenant: null, body: { email: 'x@example.com', oauthProvider: 'demo-idp' }, headers: { 'x-forwarded-for': '203.0.113.9' } })).status, 403);
    assert.equal((await call(first.url, 'GET', '/demo-idp/users', { tenant: null })).status, 405);
  });
});
