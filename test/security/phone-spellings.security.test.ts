/**
 * Regression (issue 15, low): quotas were keyed on the raw string, so `+14155552671` and
 * `+114155552671` (the same line, with NANP's trunk prefix) got 10 SMS each through a 10-per-hour
 * per-phone quota. Every phone is canonicalised to libphonenumber's E.164 before it is stored,
 * counted, opted out or sent; what does not canonicalise is refused.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { latestCode } from '../helpers/http.ts';
import { api, createAccount } from './helpers.ts';

let server: TestServer;
before(async () => {
  server = await startTestServer({ quotas: { phonePerHour: 3 } });
});
after(() => server?.stop());

const setup = async (phone: string) => {
  const account = await createAccount(server.url);
  return { account, result: await api(server.url, 'POST', '/v1/auth/mfa/sms/setup', { body: { phone }, token: account.accessToken }) };
};

describe('one phone, several spellings', () => {
  test('+14155552671 and +114155552671 share one per-phone quota', async () => {
    const statuses: number[] = [];
    for (const phone of ['+14155552671', '+114155552671', '+14155552671', '+114155552671', '+114155552671']) statuses.push((await setup(phone)).result.status);
    assert.deepEqual(statuses, [200, 200, 200, 429, 429]);
  });

  test('the canonical form is what is answered, stored and texted', async () => {
    const { account, result } = await setup('+4407911123456');
    assert.equal(result.status, 200, JSON.stringify(result.body));
    assert.equal(result.body.phone, '+447911123456');
    const code = await latestCode(server.url, server.adminKey, '+447911123456');
    const confirm = await api(server.url, 'POST', '/v1/auth/mfa/sms/confirm', { body: { code }, token: account.accessToken });
    assert.equal(confirm.status, 200);
    const me = await api(server.url, 'GET', '/v1/auth/me', { token: account.accessToken });
    assert.equal(me.body.phone, '+447911123456');
  });

  test('what does not canonicalise is refused (400 VALIDATION_ERROR), in sandbox too', async () => {
    const { result } = await setup('+999123');
    assert.equal(result.status, 400);
    assert.equal(result.body.error, 'VALIDATION_ERROR');
  });

  test('the guide’s fictional number still works in sandbox', async () => {
    const { result } = await setup('+15550109911');
    assert.equal(result.status, 200, JSON.stringify(result.body));
    assert.equal(result.body.phone, '+15550109911');
  });
});
