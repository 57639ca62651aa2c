/**
 * The outbox against an unreliable Telnyx: retries with backoff (Retry-After respected), each
 * message sent exactly once through 30 % injected failures, permanent failures and expiry.
 *
 * Run: node --import tsx --test test/delivery/outbox.test.ts
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { Dispatcher } from '../../server/delivery/index.ts';
import { FAST_SETTINGS, sleep, startDispatchingFixture, waitFor, type DeliveryFixture } from './fixture.ts';

let fx: DeliveryFixture;
let dispatcher: Dispatcher;

before(async () => ({ fx, dispatcher } = await startDispatchingFixture()));
after(() => fx.stop());
beforeEach(async () => {
  fx.emulator.reset();
  await fx.drained();
});

async function finalDelivery(challengeId: string, statuses: string[] = ['sent', 'failed', 'dropped', 'delivered']) {
  return waitFor(async () => {
    const delivery = (await fx.challenge(challengeId))?.delivery;
    return delivery && statuses.includes(delivery.status) ? delivery : null;
  }, 10_000, `final delivery of ${challengeId}`);
}

function attemptTimes(to: string): number[] {
  return fx.emulator.attempts.filter((a) => a.to === to || a.to === null).map((a) => Date.parse(a.at));
}

describe('retries', () => {
  test('1,000 sends with 30 % injected 5xx, 429 and timeouts → each message accepted exactly once', async () => {
    fx.emulator.faults.rate5xx = 0.1;
    fx.emulator.faults.rate429 = 0.1;
    fx.emulator.faults.timeoutRate = 0.1;
    fx.emulator.faults.retryAfterSeconds = 1;
    const requests = [];
    const preparedAt = Date.now();
    for (let i = 0; i < 1000; i++) requests.push(await fx.request(fx.shared, { code: String(100_000 + i) }));
    const queuedAt = Date.now();
    if (process.env.DELIVERY_TEST_TIMING) console.log(`challenges ${queuedAt - preparedAt} ms`);
    for (const request of requests) assert.equal((await dispatcher.dispatch(request)).status, 'queued');
    const dispatchedAt = Date.now();
    const outbox = await fx.drained(45_000);
    if (process.env.DELIVERY_TEST_TIMING) console.log(`dispatch ${dispatchedAt - queuedAt} ms, drain ${Date.now() - dispatchedAt} ms`);
    fx.emulator.faults.clear();

    const byText = new Map<string, number>();
    for (const message of fx.emulator.messages) byText.set(message.text, (byText.get(message.text) ?? 0) + 1);
    const missing = requests.filter((r) => !byText.has(`Your Acme verification code is ${r.code}. Sent via Aldero. Reply STOP to opt out, HELP for help.`));
    assert.equal(missing.length, 0, `${missing.length} never accepted`);
    assert.equal(fx.emulator.messages.length, 1000, 'no message accepted twice');
    assert.ok([...byText.values()].every((count) => count === 1));
    assert.ok(outbox.every((m) => m.status === 'sent' && m.bodySealed === null));

    const outcomes: Record<string, number> = {};
    for (const attempt of fx.emulator.attempts) outcomes[attempt.outcome] = (outcomes[attempt.outcome] ?? 0) + 1;
    const faulted = fx.emulator.attempts.length - 1000;
    assert.ok(faulted > 300, `faults were injected and retried (${faulted} failed attempts: ${JSON.stringify(outcomes)})`);
    assert.ok(outcomes.timeout > 50 && outcomes['429'] > 50 && (outcomes['500'] ?? 0) + (outcomes['503'] ?? 0) > 50, JSON.stringify(outcomes));
    assert.ok(fx.emulator.attempts.every((a) => a.sdkRetryCount === 0), "the SDK's own retries are off");
  });

  test('429 with Retry-After: the next attempt waits at least that long', async () => {
    fx.emulator.faults.retryAfterSeconds = 1;
    fx.emulator.queueFaults('429');
    const request = await fx.request(fx.shared);
    await dispatcher.dispatch(request);
    await fx.emulator.waitForMessages(1, 5000);
    const [first, second] = attemptTimes(request.to);
    assert.ok(second - first >= 1000, `retried after ${second - first} ms`);
  });

  test('backoff grows exponentially, with jitter, between consecutive 5xx', async () => {
    const slow = await fx.dispatcher({ ...FAST_SETTINGS, retryBaseMs: 100, retryMaxMs: 2000 });
    await dispatcher.stop();
    try {
      slow.start();
      fx.emulator.queueFaults('500', '503', '500');
      const request = await fx.request(fx.shared);
      await slow.dispatch(request);
      await fx.emulator.waitForMessages(1, 5000);
      const times = attemptTimes(request.to);
      assert.equal(times.length, 4);
      const gaps = times.slice(1).map((t, i) => t - times[i]);
      // Equal jitter: the n-th wait is in [base·2^(n-1)/2, base·2^(n-1)] (plus polling).
      assert.ok(gaps[0] >= 50 && gaps[1] >= 100 && gaps[2] >= 200, `gaps ${gaps}`);
      assert.ok(gaps[2] > gaps[0], `gaps ${gaps}`);
    } finally {
      await slow.stop();
      dispatcher.start();
    }
  });

  test('a message that keeps failing stops after maxCalls as provider_unavailable', async () => {
    const limited = await fx.dispatcher({ ...FAST_SETTINGS, maxCalls: 3 });
    await dispatcher.stop();
    try {
      limited.start();
      fx.emulator.queueFaults('503', '503', '503', '503');
      const request = await fx.request(fx.shared);
      await limited.dispatch(request);
      const delivery = await finalDelivery(request.challengeId);
      assert.deepEqual([delivery.status, delivery.reason], ['failed', 'provider_unavailable']);
      assert.equal(attemptTimes(request.to).length, 3);
    } finally {
      await limited.stop();
      dispatcher.start();
    }
  });

  test('dispatch() returns at once (queued) while Telnyx is slow', async () => {
    fx.emulator.faults.latencyMs = 300;
    const request = await fx.request(fx.shared);
    const started = Date.now();
    const state = await dispatcher.dispatch(request);
    const took = Date.now() - started;
    assert.equal(state.status, 'queued');
    assert.ok(took < 100, `dispatch took ${took} ms`);
    await finalDelivery(request.challengeId, ['sent']);
  });
});

describe('expiry: never sent late', () => {
  test('a message whose challenge expired while it waited is dropped, never sent', async () => {
    await dispatcher.stop();
    let request;
    try {
      request = await fx.request(fx.shared, { expiresInMs: 150 });
      assert.equal((await dispatcher.dispatch(request)).status, 'queued');
      await sleep(200);
    } finally {
      dispatcher.start();
    }
    const delivery = await finalDelivery(request.challengeId);
    assert.deepEqual([delivery.status, delivery.reason], ['dropped', 'challenge_expired']);
    const message = (await fx.outbox()).find((m) => m._id === delivery.messageId);
    assert.deepEqual([message?.status, message?.calls, message?.bodySealed], ['dropped', 0, null]);
    assert.equal(fx.emulator.requests, 0);
  });

  test('a message whose retry would come after the expiry is dropped at its retry, not sent', async () => {
    const patient = await fx.dispatcher({ ...FAST_SETTINGS, retryBaseMs: 600, retryMaxMs: 600 });
    await dispatcher.stop();
    try {
      patient.start();
      fx.emulator.queueFaults('503');
      const request = await fx.request(fx.shared, { expiresInMs: 250 });
      await patient.dispatch(request);
      const delivery = await finalDelivery(request.challengeId, ['dropped', 'sent']);
      assert.deepEqual([delivery.status, delivery.reason], ['dropped', 'challenge_expired']);
      assert.equal(fx.emulator.messages.length, 0);
      assert.equal(fx.emulator.requests, 1);
    } finally {
      await patient.stop();
      dispatcher.start();
    }
  });

  test('a message whose challenge was completed meanwhile is dropped (the user already signed in)', async () => {
    await dispatcher.stop();
    let request;
    try {
      request = await fx.request(fx.shared);
      await dispatcher.dispatch(request);
      await fx.store.challenges.updateOne({ _id: request.challengeId }, { $set: { status: 'verified' } });
    } finally {
      dispatcher.start();
    }
    const delivery = await finalDelivery(request.challengeId);
    assert.deepEqual([delivery.status, delivery.reason], ['dropped', 'challenge_completed']);
    assert.equal(fx.emulator.requests, 0);
  });

  test('an already expired challenge is not even queued', async () => {
    const request = await fx.request(fx.shared, { expiresInMs: -1 });
    const state = await dispatcher.dispatch(request);
    assert.deepEqual([state.status, state.reason], ['dropped', 'challenge_expired']);
  });
});
