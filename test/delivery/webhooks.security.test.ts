/**
 * The Telnyx webhook receiver against forged, stale, tampered and malformed requests: each is
 * refused with a 4xx and changes nothing; nothing a caller sends produces a 500. A BYO tenant's
 * key speaks for its own number and messages only.
 *
 * Run: node --import tsx --test test/delivery/webhooks.security.test.ts
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import type { OptOutDoc } from '../../server/delivery/types.ts';
import { inboundEvent } from '../../server/delivery/emulator/payloads.ts';
import { answerWebhook, BYO_API_KEY, SHARED_FROM, silentLog, startDeliveryFixture, uniqueHandset, type DeliveryFixture } from './fixture.ts';

let fx: DeliveryFixture;

before(async () => {
  fx = await startDeliveryFixture();
});
after(() => fx.stop());

const deps = () => ({ store: fx.store, clock: fx.clock, log: silentLog, config: fx.config, keys: fx.keys, audit: fx.audit });
const optedOut = async (phone: string, sender = SHARED_FROM) =>
  (await fx.store.collection<OptOutDoc>('optOuts').findOne({ sender, phone }))?.optedOut === true;

function stopEvent(handset: string, to = SHARED_FROM) {
  const now = new Date().toISOString();
  return inboundEvent(
    randomUUID(),
    now,
    { id: randomUUID(), from: handset, to, text: 'STOP', messagingProfileId: 'p', organizationId: 'o', receivedAt: now, autoresponseType: 'STOP' },
    { attempt: 1, delivered_to: fx.webhookUrl },
  );
}

describe('webhook signatures', () => {
  test('a genuine signature is accepted (the control for every refusal below)', async () => {
    const handset = uniqueHandset();
    const signed = fx.emulator.signWebhook(stopEvent(handset));
    const answer = await answerWebhook(deps(), { rawBody: signed.body, headers: signed.headers });
    assert.equal(answer.status, 200);
    assert.equal(await optedOut(handset), true);
  });

  test('signed with another key (forged) → 400 INVALID_SIGNATURE, nothing recorded', async () => {
    const handset = uniqueHandset();
    const forged = fx.emulator.signWebhook(stopEvent(handset), { apiKey: BYO_API_KEY });
    const answer = await answerWebhook(deps(), { rawBody: forged.body, headers: forged.headers });
    assert.equal(answer.status, 400);
    assert.equal((answer.body as { error: string }).error, 'INVALID_SIGNATURE');
    assert.equal(await optedOut(handset), false);
  });

  test('a body changed after signing → 400', async () => {
    const handset = uniqueHandset();
    const signed = fx.emulator.signWebhook(stopEvent(uniqueHandset()));
    const tampered = signed.body.replace(/"phone_number":"\+1202555\d{4}"/, `"phone_number":"${handset}"`);
    assert.notEqual(tampered, signed.body);
    const answer = await answerWebhook(deps(), { rawBody: tampered, headers: signed.headers });
    assert.equal(answer.status, 400);
    assert.equal(await optedOut(handset), false);
  });

  test('stale (301 s old) and future (301 s ahead) timestamps → 400; 299 s old is still accepted', async () => {
    const now = Math.floor(Date.now() / 1000);
    for (const timestamp of [now - 301, now + 301]) {
      const handset = uniqueHandset();
      const signed = fx.emulator.signWebhook(stopEvent(handset), { timestamp });
      const answer = await answerWebhook(deps(), { rawBody: signed.body, headers: signed.headers });
      assert.equal(answer.status, 400, `timestamp ${timestamp - now}`);
      assert.equal((answer.body as { error: string }).error, 'INVALID_SIGNATURE');
      assert.equal(await optedOut(handset), false);
    }
    const handset = uniqueHandset();
    const recent = fx.emulator.signWebhook(stopEvent(handset), { timestamp: now - 299 });
    assert.equal((await answerWebhook(deps(), { rawBody: recent.body, headers: recent.headers })).status, 200);
  });

  test('a replayed signature with a new timestamp header → 400 (the timestamp is signed)', async () => {
    const signed = fx.emulator.signWebhook(stopEvent(uniqueHandset()), { timestamp: Math.floor(Date.now() / 1000) - 10 });
    const headers = { ...signed.headers, 'telnyx-timestamp': String(Math.floor(Date.now() / 1000)) };
    assert.equal((await answerWebhook(deps(), { rawBody: signed.body, headers })).status, 400);
  });

  test('missing or malformed signature headers → 400', async () => {
    const signed = fx.emulator.signWebhook(stopEvent(uniqueHandset()));
    const variants: Record<string, string>[] = [
      {},
      { 'telnyx-timestamp': signed.headers['telnyx-timestamp'] },
      { 'telnyx-signature-ed25519': signed.headers['telnyx-signature-ed25519'] },
      { ...signed.headers, 'telnyx-signature-ed25519': 'not base64 at all!' },
      { ...signed.headers, 'telnyx-signature-ed25519': Buffer.alloc(64).toString('base64') },
      { ...signed.headers, 'telnyx-timestamp': 'yesterday' },
    ];
    for (const headers of variants) {
      const answer = await answerWebhook(deps(), { rawBody: signed.body, headers });
      assert.equal(answer.status, 400, JSON.stringify(headers));
    }
  });

  test('signed but not JSON, or not a Telnyx event → 400 INVALID_PAYLOAD; signed and unknown event type → 200 ignored', async () => {
    for (const body of ['not json', '[]', '{"data":{}}', '{"data":{"id":"","event_type":"x"}}']) {
      const signed = fx.emulator.signWebhook(body);
      const answer = await answerWebhook(deps(), { rawBody: signed.body, headers: signed.headers });
      assert.equal(answer.status, 400, body);
      assert.equal((answer.body as { error: string }).error, 'INVALID_PAYLOAD', body);
    }
    const other = fx.emulator.signWebhook({ data: { id: randomUUID(), event_type: 'call.initiated', payload: {} } });
    const answer = await answerWebhook(deps(), { rawBody: other.body, headers: other.headers });
    assert.equal(answer.status, 200);
  });

  test('garbage of every shape never produces a 500', async () => {
    const signed = fx.emulator.signWebhook(stopEvent(uniqueHandset()));
    const bodies = ['', '{', 'null', '"x"', '{"data":{"id":"e","event_type":"message.received","payload":{"to":"x"}}}', '\u0000'.repeat(64), 'x'.repeat(100_000)];
    for (const body of bodies) {
      for (const headers of [signed.headers, {}]) {
        const answer = await answerWebhook(deps(), { rawBody: body, headers });
        assert.ok(answer.status >= 400 && answer.status < 500, `${answer.status} for ${body.slice(0, 20)}`);
      }
      const genuine = fx.emulator.signWebhook(body);
      const answer = await answerWebhook(deps(), { rawBody: genuine.body, headers: genuine.headers });
      assert.ok(answer.status < 500, `${answer.status} for signed ${body.slice(0, 20)}`);
    }
  });
});

describe('BYO webhook routes', () => {
  test("the tenant's own key is accepted on its route; the shared key is not", async () => {
    const handset = uniqueHandset();
    const byoNumber = fx.byo.byo!.fromNumber;
    const own = fx.emulator.signWebhook(stopEvent(handset, byoNumber), { apiKey: BYO_API_KEY });
    assert.equal((await answerWebhook(deps(), { rawBody: own.body, headers: own.headers, slug: 'globex' })).status, 200);
    assert.equal(await optedOut(handset, byoNumber), true);
    const sharedKey = fx.emulator.signWebhook(stopEvent(uniqueHandset(), byoNumber));
    assert.equal((await answerWebhook(deps(), { rawBody: sharedKey.body, headers: sharedKey.headers, slug: 'globex' })).status, 400);
  });

  test("a BYO tenant cannot opt a handset out of the shared number with its own key", async () => {
    const handset = uniqueHandset();
    const signed = fx.emulator.signWebhook(stopEvent(handset, SHARED_FROM), { apiKey: BYO_API_KEY });
    const answer = await answerWebhook(deps(), { rawBody: signed.body, headers: signed.headers, slug: 'globex' });
    assert.equal(answer.status, 200, 'verified, so acknowledged');
    assert.ok((answer.body as { ignored?: string }).ignored);
    assert.equal(await optedOut(handset, SHARED_FROM), false);
  });

  test('an unknown tenant, or one without a BYO sender → 404', async () => {
    const signed = fx.emulator.signWebhook(stopEvent(uniqueHandset()));
    for (const slug of ['nobody', 'acme']) {
      const answer = await answerWebhook(deps(), { rawBody: signed.body, headers: signed.headers, slug });
      assert.equal(answer.status, 404, slug);
    }
  });
});
