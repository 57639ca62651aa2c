import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { DISCLOSURE_VERSION, disclosureText } from '../contract/index.ts';
import { call, signUp, uniquePhone } from '../../test/helpers/http.ts';
import { startTestServer, type TestServer } from '../../test/helpers/server.ts';
import { SANDBOX_FROM } from '../delivery/sandbox.ts';
import { consents } from './consents.ts';

let server: TestServer;

before(async () => {
  server = await startTestServer();
});
after(() => server.stop());

const setup = (token: string, body: Record<string, unknown>) =>
  call(server.url, 'POST', '/v1/auth/mfa/sms/setup', { body, token, headers: { 'user-agent': 'consent-suite/1.0' } });

async function inboxOf(phone: string) {
  const inbox = await call(server.url, 'GET', `/v1/sandbox/messages?phone=${encodeURIComponent(phone)}`, { token: server.adminKey });
  return inbox.body.messages as unknown[];
}

describe('consent records', () => {
  test('the disclosure text lives in one place and reads exactly as the guide requires', () => {
    assert.equal(DISCLOSURE_VERSION, '2026-11-01');
    assert.equal(
      disclosureText('Acme'),
      'Verification codes are sent by Aldero, our authentication provider, on behalf of Acme. Message frequency varies. Message and data rates may apply. Reply STOP to opt out, HELP for help.',
    );
  });

  test('an enrollment from the enroll element records the exact text shown, its version and hash, brand, sender, phone, time, IP and user agent', async () => {
    const user = await signUp(server.url);
    const phone = uniquePhone();
    const before = Date.now();
    const result = await setup(user.accessToken, { phone, disclosureVersion: DISCLOSURE_VERSION, disclosureLanguage: 'de-DE' });
    assert.equal(result.status, 200);
    const listed = await call(server.url, 'GET', `/v1/admin/consents?phone=${encodeURIComponent(phone)}`, { token: server.adminKey });
    assert.equal(listed.status, 200);
    assert.equal(listed.body.consents.length, 1);
    const consent = listed.body.consents[0];
    const text = disclosureText('Acme', 'de');
    assert.match(text, /im Auftrag von Acme/);
    assert.deepEqual(
      {
        phone: consent.phone, brand: consent.brand, senderModel: consent.senderModel, senderNumber: consent.senderNumber,
        source: consent.source, disclosureVersion: consent.disclosureVersion, disclosureLanguage: consent.disclosureLanguage,
        disclosureText: consent.disclosureText, disclosureSha256: consent.disclosureSha256, ip: consent.ip, userAgent: consent.userAgent,
        channel: consent.channel, purpose: consent.purpose,
      },
      {
        phone, brand: 'Acme', senderModel: 'shared', senderNumber: SANDBOX_FROM,
        source: 'component', disclosureVersion: DISCLOSURE_VERSION, disclosureLanguage: 'de',
        disclosureText: text, disclosureSha256: createHash('sha256').update(text, 'utf8').digest('hex'), ip: '127.0.0.1', userAgent: 'consent-suite/1.0',
        channel: 'sms', purpose: 'mfa_verification_codes',
      },
    );
    assert.ok(Date.parse(consent.createdAt) >= before - 1000);
    assert.match(consent.requestId, /^req_/);
    const me = await call(server.url, 'GET', '/v1/auth/me', { token: user.accessToken });
    assert.equal(consent.userId, me.body.id);
    const byUser = await call(server.url, 'GET', `/v1/admin/consents?userId=${me.body.id}`, { token: server.adminKey });
    assert.deepEqual(byUser.body.consents.map((c: { id: string }) => c.id), [consent.id]);
  });

  test("the guide's curl (phone only) keeps working: consent recorded as given in the tenant's own UI", async () => {
    const user = await signUp(server.url);
    const phone = uniquePhone();
    const result = await setup(user.accessToken, { phone });
    assert.equal(result.status, 200);
    assert.equal(result.body.message, 'Verification code sent via SMS.');
    const [consent] = await consents(server.store).find({ phone }).toArray();
    assert.ok(consent);
    assert.deepEqual(
      [consent.source, consent.disclosureVersion, consent.disclosureText, consent.disclosureSha256],
      ['api', null, null, null],
    );
  });

  test('an unknown disclosure version is refused with VALIDATION_ERROR, and nothing is sent or recorded', async () => {
    const user = await signUp(server.url);
    const phone = uniquePhone();
    const result = await setup(user.accessToken, { phone, disclosureVersion: '1999-01-01' });
    assert.equal(result.status, 400);
    assert.equal(result.body.error, 'VALIDATION_ERROR');
    assert.equal(result.body.issues[0].path, 'disclosureVersion');
    assert.deepEqual(await inboxOf(phone), []);
    assert.equal(await consents(server.store).countDocuments({ phone }), 0);
    assert.equal(await server.store.challenges.countDocuments({ phone }), 0);
  });

  test('each setup request is a consent (a resend through setup too); confirm names the consent it relied on', async () => {
    const user = await signUp(server.url);
    const phone = uniquePhone();
    await setup(user.accessToken, { phone, disclosureVersion: DISCLOSURE_VERSION });
    await setup(user.accessToken, { phone, disclosureVersion: DISCLOSURE_VERSION });
    const records = await consents(server.store).find({ phone }).sort({ _id: 1 }).toArray();
    assert.equal(records.length, 2);
    assert.equal(records[0]!.challengeId, records[1]!.challengeId, 'the same enrollment challenge');
    const inbox = await call(server.url, 'GET', `/v1/sandbox/messages?phone=${encodeURIComponent(phone)}`, { token: server.adminKey });
    const code = /(\d{6})/.exec(inbox.body.messages[0].body)![1];
    assert.equal((await call(server.url, 'POST', '/v1/auth/mfa/sms/confirm', { body: { code }, token: user.accessToken })).status, 200);
    const enrolled = await server.store.collection('auditEvents').findOne({ type: 'mfa.sms.enrolled', userId: records[0]!.userId });
    assert.equal(enrolled?.payload.consentId, records[1]!._id, 'the newest consent');
  });
});
