/**
 * Replies and receipts through signed webhooks: STOP-family replies block the (number, handset)
 * pair before any provider call, START/UNSTOP lift it, HELP is recorded, repeated and
 * out-of-order deliveries change nothing, and Telnyx's own refusals (40300, 40310) end the
 * message with a reason the challenge shows.
 *
 * Run: node --import tsx --test test/delivery/opt-outs.test.ts
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { Dispatcher } from '../../server/delivery/index.ts';
import { Metrics } from '../../server/ops/metrics.ts';
import type { OptOutDoc } from '../../server/delivery/types.ts';
import { inboundEvent } from '../../server/delivery/emulator/payloads.ts';
import { BYO_API_KEY, BYO_FROM, SHARED_FROM, startDispatchingFixture, uniqueHandset, waitFor, type DeliveryFixture } from './fixture.ts';

let fx: DeliveryFixture;
let dispatcher: Dispatcher;

before(async () => ({ fx, dispatcher } = await startDispatchingFixture()));
after(() => fx.stop());
beforeEach(() => fx.emulator.reset());

const optOuts = () => fx.store.collection<OptOutDoc>('optOuts');

async function deliveryOf(challengeId: string, status: string) {
  return waitFor(async () => {
    const challenge = await fx.challenge(challengeId);
    return challenge?.delivery?.status === status ? challenge.delivery : null;
  }, 5000, `challenge delivery ${status}`);
}

/** A signed `message.received` as Telnyx would post it, with a chosen event id and time. */
function signedInbound(from: string, to: string, text: string, occurredAt: Date, eventId = randomUUID(), apiKey?: string) {
  const event = inboundEvent(
    eventId,
    occurredAt.toISOString(),
    {
      id: randomUUID(),
      from,
      to,
      text,
      messagingProfileId: 'profile',
      organizationId: 'org',
      receivedAt: occurredAt.toISOString(),
      autoresponseType: null,
    },
    { attempt: 1, delivered_to: fx.webhookUrl },
  );
  return fx.emulator.signWebhook(event, { apiKey });
}

describe('opt-outs', () => {
  test('STOP through a signed webhook → the next send is refused as opted_out in under a second, without calling Telnyx; START lifts it', async () => {
    const handset = uniqueHandset();
    const stoppedAt = Date.now();
    const stop = await fx.emulator.inbound(handset, SHARED_FROM, 'STOP');
    assert.equal(stop.status, 200, stop.response);

    const refusedRequest = await fx.request(fx.shared, { to: handset });
    const refused = await dispatcher.dispatch(refusedRequest);
    const elapsed = Date.now() - stoppedAt;
    assert.deepEqual([refused.status, refused.reason], ['failed', 'opted_out']);
    assert.ok(elapsed < 1000, `refused ${elapsed} ms after the STOP`);
    assert.equal((await fx.challenge(refusedRequest.challengeId))?.delivery?.reason, 'opted_out');
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(fx.emulator.requests, 0, 'Telnyx was never called for the opted-out pair');

    const start = await fx.emulator.inbound(handset, SHARED_FROM, 'START');
    assert.equal(start.status, 200, start.response);
    const liftedRequest = await fx.request(fx.shared, { to: handset });
    assert.equal((await dispatcher.dispatch(liftedRequest)).status, 'queued');
    const [message] = await fx.emulator.waitForMessages(1);
    assert.equal(message.to, handset);
  });

  test('every STOP-family keyword opts out, in any case and spacing; UNSTOP opts back in', async () => {
    for (const word of ['STOP', 'stopall', ' Unsubscribe ', 'CANCEL', 'end', 'Quit']) {
      const handset = uniqueHandset();
      const answer = await fx.emulator.inbound(handset, SHARED_FROM, word);
      assert.equal(answer.status, 200);
      const state = await dispatcher.dispatch(await fx.request(fx.shared, { to: handset }));
      assert.equal(state.reason, 'opted_out', word);
      await fx.emulator.inbound(handset, SHARED_FROM, 'unstop');
      assert.equal((await dispatcher.dispatch(await fx.request(fx.shared, { to: handset }))).status, 'queued', `${word} then UNSTOP`);
    }
    await fx.drained();
  });

  test('a STOP from the handset spelled otherwise (spaces, dashes) blocks the canonical E.164 pair we text', async () => {
    const handset = uniqueHandset();
    const spelled = `${handset.slice(0, 2)} ${handset.slice(2, 5)}-${handset.slice(5, 8)}-${handset.slice(8)}`;
    assert.notEqual(spelled, handset);
    const stop = await fx.emulator.inbound(spelled, SHARED_FROM, 'STOP');
    assert.equal(stop.status, 200, stop.response);
    const refused = await dispatcher.dispatch(await fx.request(fx.shared, { to: handset }));
    assert.deepEqual([refused.status, refused.reason], ['failed', 'opted_out']);
    assert.equal((await optOuts().findOne({ sender: SHARED_FROM, phone: handset }))?.optedOut, true);
  });

  test('an ordinary reply or HELP changes nothing; HELP is recorded', async () => {
    const handset = uniqueHandset();
    await fx.emulator.inbound(handset, SHARED_FROM, 'please stop sending me these');
    await fx.emulator.inbound(handset, SHARED_FROM, 'HELP');
    const doc = await optOuts().findOne({ sender: SHARED_FROM, phone: handset });
    assert.ok(doc?.lastHelpAt instanceof Date, 'HELP recorded');
    assert.equal(doc?.optedOut, false);
    assert.equal((await dispatcher.dispatch(await fx.request(fx.shared, { to: handset }))).status, 'queued');
    await fx.drained();
  });

  test('a repeated delivery of one event is answered once and applied once', async () => {
    const handset = uniqueHandset();
    const stop = signedInbound(handset, SHARED_FROM, 'STOP', new Date());
    const first = await fx.emulator.postWebhook(fx.webhookUrl, stop);
    const again = await fx.emulator.postWebhook(fx.webhookUrl, stop);
    assert.equal(first.status, 200);
    assert.equal(again.status, 200);
    assert.equal(JSON.parse(first.response).duplicate, undefined);
    assert.equal(JSON.parse(again.response).duplicate, true);
    const doc = await optOuts().findOne({ sender: SHARED_FROM, phone: handset });
    assert.equal(doc?.optedOut, true);
    const applied = await fx.store.collection('telnyxEvents').find({ type: 'message.received', appliedAt: { $ne: null } }).toArray();
    assert.equal(applied.filter((e) => String(e._id).endsWith(JSON.parse(stop.body).data.id)).length, 1);
  });

  test('replies delivered out of order: an older START arriving after a newer STOP does not lift it', async () => {
    const handset = uniqueHandset();
    const now = Date.now();
    await fx.emulator.postWebhook(fx.webhookUrl, signedInbound(handset, SHARED_FROM, 'STOP', new Date(now)));
    await fx.emulator.postWebhook(fx.webhookUrl, signedInbound(handset, SHARED_FROM, 'START', new Date(now - 5000)));
    assert.equal((await dispatcher.dispatch(await fx.request(fx.shared, { to: handset }))).reason, 'opted_out');
  });

  test('a STOP arriving while a message waits in the outbox stops that message too', async () => {
    const handset = uniqueHandset();
    const request = await fx.request(fx.shared, { to: handset });
    await dispatcher.stop(); // no worker: the message waits
    try {
      assert.equal((await dispatcher.dispatch(request)).status, 'queued');
      await fx.emulator.inbound(handset, SHARED_FROM, 'STOP');
    } finally {
      dispatcher.start();
    }
    const delivery = await deliveryOf(request.challengeId, 'failed');
    assert.equal(delivery.reason, 'opted_out');
    assert.equal(fx.emulator.attempts.filter((a) => a.to === handset).length, 0);
  });

  test("a BYO tenant's STOP blocks its own number only", async () => {
    const handset = uniqueHandset();
    const answer = await fx.emulator.inbound(handset, BYO_FROM, 'STOP', { apiKey: BYO_API_KEY });
    assert.equal(answer.status, 200, answer.response);
    assert.equal((await dispatcher.dispatch(await fx.request(fx.byo, { to: handset }))).reason, 'opted_out');
    assert.equal((await dispatcher.dispatch(await fx.request(fx.shared, { to: handset }))).status, 'queued');
    await fx.drained();
  });
});

describe("Telnyx's own refusals", () => {
  test('40300 (a STOP we never heard of) → failed opted_out on the message and the challenge, and the next send fails fast', async () => {
    const handset = uniqueHandset();
    fx.emulator.blockPair(SHARED_FROM, handset);
    const request = await fx.request(fx.shared, { to: handset });
    await dispatcher.dispatch(request);
    const delivery = await deliveryOf(request.challengeId, 'failed');
    assert.equal(delivery.reason, 'opted_out');
    const message = (await fx.outbox()).find((m) => m._id === delivery.messageId);
    assert.deepEqual([message?.status, message?.reason, message?.calls], ['failed', 'opted_out', 1]);
    const callsBefore = fx.emulator.requests;
    const next = await dispatcher.dispatch(await fx.request(fx.shared, { to: handset }));
    assert.deepEqual([next.status, next.reason], ['failed', 'opted_out']);
    assert.equal(fx.emulator.requests, callsBefore, 'no second call to Telnyx');
  });

  test('40310 (invalid number) → failed invalid_number, one call, no retry', async () => {
    const handset = uniqueHandset();
    fx.emulator.invalidNumbers.add(handset);
    const request = await fx.request(fx.shared, { to: handset });
    await dispatcher.dispatch(request);
    const delivery = await deliveryOf(request.challengeId, 'failed');
    assert.equal(delivery.reason, 'invalid_number');
    await new Promise((resolve) => setTimeout(resolve, 150));
    assert.equal(fx.emulator.attempts.filter((a) => a.to === handset).length, 1);
    // The operator sees it by reason (/metrics: aldero_sms_worker_failures_total).
    assert.ok((dispatcher.stats.ended['failed:invalid_number'] ?? 0) >= 1, JSON.stringify(dispatcher.stats.ended));
    const text = await new Metrics({ smsWorker: () => dispatcher.stats }).render();
    assert.match(text, /aldero_sms_worker_failures_total\{status="failed",reason="invalid_number"\} [1-9]/);
  });
});

describe('delivery receipts', () => {
  test('message.sent then message.finalized move the message and the challenge to delivered', async () => {
    const request = await fx.request(fx.shared);
    await dispatcher.dispatch(request);
    const [message] = await fx.emulator.waitForMessages(1);
    await deliveryOf(request.challengeId, 'sent');
    await fx.emulator.deliver(message.id, 'delivered');
    const delivery = await deliveryOf(request.challengeId, 'delivered');
    const doc = (await fx.outbox()).find((m) => m._id === delivery.messageId);
    assert.equal(doc?.status, 'delivered');
    assert.equal(doc?.providerMessageId, message.id);
  });

  test('a failed delivery is shown with its reason; a late message.sent never moves it back', async () => {
    const request = await fx.request(fx.shared);
    await dispatcher.dispatch(request);
    const [message] = await fx.emulator.waitForMessages(1);
    await deliveryOf(request.challengeId, 'sent');
    const [sent] = await fx.emulator.deliver(message.id, 'delivery_failed');
    const delivery = await deliveryOf(request.challengeId, 'failed');
    assert.equal(delivery.reason, 'delivery_failed');
    // The same message.sent again, as a fresh event: the state stays final.
    const replay = JSON.parse(sent.body) as { data: { id: string } };
    replay.data.id = randomUUID();
    const answer = await fx.emulator.postWebhook(fx.webhookUrl, fx.emulator.signWebhook(replay));
    assert.equal(answer.status, 200);
    assert.equal((await fx.challenge(request.challengeId))?.delivery?.status, 'failed');
  });

  test('a lost answer (Telnyx took it, the response never came) is settled by its receipt, not sent twice', async () => {
    fx.emulator.autoDeliver = true;
    try {
      fx.emulator.queueFaults('lost_response');
      const request = await fx.request(fx.shared);
      await dispatcher.dispatch(request);
      await deliveryOf(request.challengeId, 'delivered');
      await new Promise((resolve) => setTimeout(resolve, 600)); // past the call timeout and a retry's backoff
      assert.equal(fx.emulator.messages.filter((m) => m.to === request.to).length, 1);
    } finally {
      fx.emulator.autoDeliver = false;
    }
  });
});
