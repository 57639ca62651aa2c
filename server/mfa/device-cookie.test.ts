/**
 * Issue 18, "trust across sites", over HTTP: the server offers `trustDevice` (status
 * `trustDeviceAvailable`) and sets the `mfa_device` cookie only when the browser will keep it,
 * i.e. when the page calling the API is on the API's site. The browser says so in
 * `Sec-Fetch-Site`; without it the `Origin` is compared with the API's host by site; a request
 * with neither (curl, a back end) keeps the guide's behaviour.
 *
 * The server here is `http://127.0.0.1:{port}`: a page on `http://127.0.0.1:5173` is same-site
 * with it (a site is scheme + host for an IP address, the port does not count), one on
 * `http://localhost:5173` is not. Both are local origins the demo sandbox accepts (CORS).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { call, enrolledUser, latestCode } from '../../test/helpers/http.ts';
import { startTestServer, type TestServer } from '../../test/helpers/server.ts';

let server: TestServer;
let user: Awaited<ReturnType<typeof enrolledUser>>;

before(async () => {
  server = await startTestServer();
  user = await enrolledUser(server.url, server.adminKey);
});
after(() => server.stop());

/** A fresh login challenge of the enrolled user (the code is sent at once) and that code. */
async function challenge(): Promise<{ mfaToken: string; code: string }> {
  const login = await call(server.url, 'POST', '/v1/auth/login', { body: { email: user.email, password: user.password } });
  assert.equal(login.status, 403, JSON.stringify(login.body));
  return { mfaToken: login.body.mfa_token, code: await latestCode(server.url, server.adminKey, user.phone) };
}

const CASES: { name: string; headers: Record<string, string>; works: boolean }[] = [
  { name: 'Sec-Fetch-Site: cross-site', headers: { 'sec-fetch-site': 'cross-site', origin: 'http://localhost:5173' }, works: false },
  { name: 'Sec-Fetch-Site: same-site', headers: { 'sec-fetch-site': 'same-site', origin: 'http://127.0.0.1:5173' }, works: true },
  { name: 'Sec-Fetch-Site: same-origin', headers: { 'sec-fetch-site': 'same-origin' }, works: true },
  // Sec-Fetch-Site wins over the Origin: the browser knows the site better than a suffix rule.
  { name: 'Sec-Fetch-Site: same-site with an Origin the fallback would call another site', headers: { 'sec-fetch-site': 'same-site', origin: 'http://localhost:5173' }, works: true },
  { name: 'no Sec-Fetch-Site, Origin on another site (localhost vs 127.0.0.1)', headers: { origin: 'http://localhost:5173' }, works: false },
  { name: 'no Sec-Fetch-Site, Origin on the same site (127.0.0.1, another port)', headers: { origin: 'http://127.0.0.1:5173' }, works: true },
  { name: 'Origin: null (an opaque origin: a sandboxed frame, a file)', headers: { origin: 'null' }, works: false },
  { name: 'neither header (curl, a back end): the guide as it always was', headers: {}, works: true },
];

describe('trust this device only where the mfa_device cookie can stick', () => {
  for (const { name, headers, works } of CASES) {
    test(`${name}: trustDeviceAvailable ${works}, verify with trustDevice ${works ? 'sets' : 'does not set'} the cookie`, async () => {
      const { mfaToken, code } = await challenge();
      const status = await call(server.url, 'POST', '/v1/auth/mfa/status', { body: { mfa_token: mfaToken }, headers });
      assert.equal(status.status, 200, JSON.stringify(status.body));
      assert.equal(status.body.trustDeviceAvailable, works);

      const verify = await call(server.url, 'POST', '/v1/auth/mfa/verify', { body: { mfa_token: mfaToken, method: 'sms', code, trustDevice: true }, headers });
      assert.equal(verify.status, 200, JSON.stringify(verify.body));
      const cookie = verify.cookies.find((value) => value.startsWith('mfa_device='));
      assert.equal(cookie !== undefined, works, `mfa_device cookie: ${cookie}`);
      // The answer tells what really happened (tRPC and the SDK carry it as trustedDevice).
      if ('trustedDevice' in verify.body) assert.equal(verify.body.trustedDevice, works);
    });
  }

  test('over tRPC (what the elements call), a cross-site verify reports trustedDevice: false', async () => {
    const { mfaToken, code } = await challenge();
    const headers = { 'x-aldero-tenant': 'acme-sandbox', 'content-type': 'application/json', 'sec-fetch-site': 'cross-site', origin: 'http://localhost:5173' };
    const response = await fetch(`${server.url}/trpc/auth.mfa.verify`, {
      method: 'POST',
      headers,
      body: JSON.stringify({ mfa_token: mfaToken, method: 'sms', code, trustDevice: true }),
    });
    const body = (await response.json()) as { result: { data: { trustedDevice: boolean } } };
    assert.equal(response.status, 200, JSON.stringify(body));
    assert.equal(body.result.data.trustedDevice, false);
    assert.equal(response.headers.getSetCookie().some((value) => value.startsWith('mfa_device=')), false);
  });
});
