/**
 * The Telnyx emulator against the real `telnyx` SDK (7.24): every assertion goes through the
 * SDK's own request, error and webhook-verification code, so a drift between the emulator and
 * what the SDK expects fails here.
 *
 * Run: node --import tsx --test test/telnyx-emulator/emulator.test.ts
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import Telnyx, {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  AuthenticationError,
  BadRequestError,
  ConflictError,
  InternalServerError,
  RateLimitError,
  UnprocessableEntityError,
} from 'telnyx';
import { TelnyxWebhookVerificationError } from 'telnyx/lib/webhooks';
import { FaultSettings, startTelnyxEmulator, type FaultKind, type TelnyxEmulator } from '../../server/delivery/emulator/emulator.ts';

const SENDER = '+18005550100';
const HANDSET = '+15005550006';
const PROFILE = '8a1f3e4c-6a11-4a57-9c1b-1f2a3b4c5d6e';

interface ReceivedWebhook {
  body: string;
  headers: Record<string, string>;
}

/** A stand-in for our webhook route: keeps raw bodies and headers exactly as they arrived. */
async function startReceiver(): Promise<{ url: string; received: ReceivedWebhook[]; close(): Promise<void> }> {
  const received: ReceivedWebhook[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      received.push({ body: Buffer.concat(chunks).toString('utf8'), headers: flatHeaders(req.headers) });
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1/webhooks/telnyx`,
    received,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function flatHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

function sdk(emulator: TelnyxEmulator, overrides: Partial<{ apiKey: string; maxRetries: number; timeout: number }> = {}): Telnyx {
  return new Telnyx({
    apiKey: overrides.apiKey ?? emulator.apiKey,
    baseURL: emulator.baseURL,
    maxRetries: overrides.maxRetries ?? 0,
    timeout: overrides.timeout ?? 5000,
    logLevel: 'off',
  });
}

/** Runs `send` and returns the error it must throw. */
async function sendError(client: Telnyx, params: Parameters<Telnyx['messages']['send']>[0]): Promise<unknown> {
  try {
    await client.messages.send(params);
  } catch (error) {
    return error;
  }
  assert.fail('send was expected to fail');
}

function firstTelnyxError(error: unknown): { code: string; title: string; detail?: string; source?: { pointer?: string } } {
  assert.ok(error instanceof APIError, `expected an APIError, got ${String(error)}`);
  const body = error.error as { errors?: Array<{ code: string; title: string; detail?: string; source?: { pointer?: string } }> };
  assert.ok(body?.errors?.[0], `expected a Telnyx error body, got ${JSON.stringify(error.error)}`);
  return body.errors[0];
}

describe('Telnyx emulator with the real SDK', () => {
  let emulator: TelnyxEmulator;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let client: Telnyx;

  before(async () => {
    receiver = await startReceiver();
    emulator = await startTelnyxEmulator({ webhookUrl: receiver.url });
    client = sdk(emulator);
  });

  after(async () => {
    await emulator.stop();
    await receiver.close();
  });

  beforeEach(async () => {
    await emulator.settled();
    emulator.reset();
    emulator.autoDeliver = false;
    receiver.received.length = 0;
  });

  test('baseURL is the host root plus /v2, as the SDK default https://api.telnyx.com/v2', () => {
    assert.match(emulator.baseURL, /^http:\/\/127\.0\.0\.1:\d+\/v2$/);
  });

  test('messages.send gets a parsed Telnyx message and the emulator records it', async () => {
    const text = 'Your Acme verification code is 123456. Sent via Aldero. Reply STOP to opt out, HELP for help.';
    const response = await client.messages.send({
      from: SENDER,
      to: HANDSET,
      text,
      messaging_profile_id: PROFILE,
      webhook_url: receiver.url,
    });
    const data = response.data;
    assert.ok(data);
    assert.equal(data.record_type, 'message');
    assert.equal(data.direction, 'outbound');
    assert.equal(data.type, 'SMS');
    assert.match(data.id ?? '', /^[0-9a-f-]{36}$/);
    assert.equal(data.from?.phone_number, SENDER);
    assert.deepEqual(data.to?.map((to) => [to.phone_number, to.status]), [[HANDSET, 'queued']]);
    assert.equal(data.text, text);
    assert.equal(data.messaging_profile_id, PROFILE);
    assert.equal(data.encoding, 'GSM-7');
    assert.equal(data.parts, 1);
    assert.equal(data.sent_at, null);
    assert.equal(data.completed_at, null);
    assert.ok(data.valid_until && Date.parse(data.valid_until) > Date.now());
    assert.deepEqual(data.errors, []);
    assert.equal(data.cost?.currency, 'USD');

    assert.equal(emulator.requests, 1);
    assert.equal(emulator.messages.length, 1);
    const [message] = emulator.messages;
    assert.equal(message.id, data.id);
    assert.equal(message.from, SENDER);
    assert.equal(message.to, HANDSET);
    assert.equal(message.text, text);
    assert.equal(message.messagingProfileId, PROFILE);
    assert.equal(message.webhookUrl, receiver.url);
    assert.equal(message.apiKey, emulator.apiKey);
    assert.equal(emulator.attempts[0].sdkRetryCount, 0);

    const retrieved = await client.messages.retrieve(message.id);
    assert.equal(retrieved.data?.id, message.id);
  });

  test('encoding and parts follow GSM-7 / UCS-2 segmentation', async () => {
    const unicode = await client.messages.send({ from: SENDER, to: HANDSET, text: 'Código 123456 ✅' });
    assert.equal(unicode.data?.encoding, 'UCS-2');
    const long = await client.messages.send({ from: SENDER, to: HANDSET, text: 'a'.repeat(161) });
    assert.equal(long.data?.encoding, 'GSM-7');
    assert.equal(long.data?.parts, 2);
  });

  test('a wrong API key is 401 AuthenticationError with Telnyx code 10009', async () => {
    const error = await sendError(sdk(emulator, { apiKey: 'KEY_wrong' }), { from: SENDER, to: HANDSET, text: 'x' });
    assert.ok(error instanceof AuthenticationError);
    assert.equal(error.status, 401);
    assert.equal(firstTelnyxError(error).code, '10009');
    assert.equal(emulator.messages.length, 0);
    assert.equal(emulator.requests, 1);
  });

  test('an invalid number is 400 BadRequestError with code 40310 pointing at /to', async () => {
    emulator.invalidNumbers.add('+15005550001');
    for (const to of ['+15005550001', '5550001', 'not-a-number']) {
      const error = await sendError(client, { from: SENDER, to, text: 'x' });
      assert.ok(error instanceof BadRequestError, `to=${to}`);
      assert.equal(error.status, 400);
      const telnyx = firstTelnyxError(error);
      assert.equal(telnyx.code, '40310');
      assert.equal(telnyx.source?.pointer, '/to');
    }
    assert.equal(emulator.messages.length, 0);
  });

  test('a blocked (from, to) pair is 409 ConflictError with code 40300', async () => {
    emulator.blockPair(SENDER, HANDSET);
    const error = await sendError(client, { from: SENDER, to: HANDSET, text: 'x' });
    assert.ok(error instanceof ConflictError);
    assert.equal(error.status, 409);
    const telnyx = firstTelnyxError(error);
    assert.equal(telnyx.code, '40300');
    assert.match(telnyx.detail ?? '', /block rule/);
    // Only that pair: another sender may still text the handset.
    await client.messages.send({ from: '+18005550199', to: HANDSET, text: 'x' });
  });

  test('missing text is 422 UnprocessableEntityError with code 10004; malformed JSON is 400 / 10023', async () => {
    const error = await sendError(client, { from: SENDER, to: HANDSET });
    assert.ok(error instanceof UnprocessableEntityError);
    assert.equal(firstTelnyxError(error).code, '10004');
    assert.equal(firstTelnyxError(error).source?.pointer, '/text');

    const raw = await fetch(`${emulator.baseURL}/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${emulator.apiKey}`, 'content-type': 'application/json' },
      body: '{"to":',
    });
    assert.equal(raw.status, 400);
    const body = (await raw.json()) as { errors: Array<{ code: string }> };
    assert.equal(body.errors[0].code, '10023');
  });

  test('a 429 fault is RateLimitError with Retry-After and code 10011', async () => {
    emulator.faults.retryAfterSeconds = 7;
    emulator.queueFaults('429');
    const error = await sendError(client, { from: SENDER, to: HANDSET, text: 'x' });
    assert.ok(error instanceof RateLimitError);
    assert.equal(error.status, 429);
    assert.equal(error.headers.get('retry-after'), '7');
    assert.equal(firstTelnyxError(error).code, '10011');
    assert.equal(emulator.messages.length, 0);
  });

  test('500 and 503 faults are InternalServerError with code 10007', async () => {
    emulator.queueFaults('500', '503');
    for (const status of [500, 503]) {
      const error = await sendError(client, { from: SENDER, to: HANDSET, text: 'x' });
      assert.ok(error instanceof InternalServerError);
      assert.equal(error.status, status);
      assert.equal(firstTelnyxError(error).code, '10007');
    }
    assert.equal(emulator.messages.length, 0);
  });

  test('a timeout fault makes the SDK time out; nothing is sent', async () => {
    emulator.queueFaults('timeout');
    const started = Date.now();
    const error = await sendError(sdk(emulator, { timeout: 300 }), { from: SENDER, to: HANDSET, text: 'x' });
    assert.ok(error instanceof APIConnectionTimeoutError, String(error));
    assert.ok(Date.now() - started >= 250);
    assert.equal(emulator.messages.length, 0);
    assert.equal(emulator.attempts[0].outcome, 'timeout');
  });

  test('a lost_response fault times out the SDK although the message was accepted', async () => {
    emulator.queueFaults('lost_response');
    const error = await sendError(sdk(emulator, { timeout: 300 }), { from: SENDER, to: HANDSET, text: 'once' });
    assert.ok(error instanceof APIConnectionTimeoutError, String(error));
    assert.equal(emulator.messages.length, 1);
    assert.equal(emulator.attempts[0].messageId, emulator.messages[0].id);
  });

  test('a reset fault is an APIConnectionError (not a timeout)', async () => {
    emulator.queueFaults('reset');
    const error = await sendError(client, { from: SENDER, to: HANDSET, text: 'x' });
    assert.ok(error instanceof APIConnectionError);
    assert.ok(!(error instanceof APIConnectionTimeoutError));
  });

  test('the SDK retries 429/5xx by itself by default (maxRetries 2), honouring Retry-After', async () => {
    emulator.faults.retryAfterSeconds = 0;
    emulator.queueFaults('429', '503');
    const response = await sdk(emulator, { maxRetries: 2 }).messages.send({ from: SENDER, to: HANDSET, text: 'x' });
    assert.ok(response.data?.id);
    assert.deepEqual(
      emulator.attempts.map((attempt) => [attempt.outcome, attempt.sdkRetryCount]),
      [['429', 0], ['503', 1], ['accepted', 2]],
    );
    assert.equal(emulator.messages.length, 1);
  });

  test('the SDK also retries a 409 (40300 opt-out block) and timeouts unless maxRetries is 0', async () => {
    emulator.blockPair(SENDER, HANDSET);
    const error = await sendError(sdk(emulator, { maxRetries: 1 }), { from: SENDER, to: HANDSET, text: 'x' });
    assert.ok(error instanceof ConflictError);
    assert.deepEqual(emulator.attempts.map((attempt) => attempt.outcome), ['40300', '40300']);

    emulator.reset();
    emulator.queueFaults('lost_response');
    const response = await sdk(emulator, { maxRetries: 1, timeout: 300 }).messages.send({ from: SENDER, to: HANDSET, text: 'x' });
    assert.ok(response.data?.id);
    // The SDK's own retry after a lost answer sends the SMS a second time.
    assert.equal(emulator.messages.length, 2);
  });

  test('fault injection is deterministic by seed', async () => {
    const outcomes = async (seed: number): Promise<string[]> => {
      emulator.reset();
      emulator.faults.rate429 = 0.2;
      emulator.faults.rate5xx = 0.2;
      emulator.faults.errorRate = 0.1;
      emulator.faults.seed = seed;
      for (let i = 0; i < 30; i++) {
        await client.messages.send({ from: SENDER, to: HANDSET, text: `n${i}` }).catch(() => undefined);
      }
      return emulator.attempts.map((attempt) => attempt.outcome);
    };
    const first = await outcomes(42);
    const again = await outcomes(42);
    const other = await outcomes(7);
    assert.deepEqual(again, first);
    assert.notDeepEqual(other, first);
    // Roughly half fail: both kinds of outcome occur, and every fault is a transient one.
    assert.ok(first.includes('accepted'));
    assert.ok(first.some((outcome) => outcome !== 'accepted'));
    for (const outcome of first) assert.ok(['accepted', '429', '500', '503'].includes(outcome), outcome);
    // The PRNG alone is reproducible as well.
    const rolls = (seed: number): Array<FaultKind | null> => {
      const faults = new FaultSettings(seed);
      faults.timeoutRate = 0.3;
      faults.rate429 = 0.3;
      return Array.from({ length: 50 }, () => faults.roll());
    };
    assert.deepEqual(rolls(3), rolls(3));
  });

  test('autoDeliver posts message.sent then message.finalized, verified by the SDK', async () => {
    emulator.autoDeliver = true;
    const verifying = new Telnyx({ apiKey: emulator.apiKey, baseURL: emulator.baseURL, publicKey: emulator.publicKey, logLevel: 'off' });
    const sent = await client.messages.send({ from: SENDER, to: HANDSET, text: 'x', webhook_url: receiver.url });
    await emulator.settled();
    assert.equal(receiver.received.length, 2);
    const events = [];
    for (const webhook of receiver.received) {
      // Client-level publicKey (as TELNYX_PUBLIC_KEY would set it): no per-call key needed.
      events.push(await verifying.webhooks.unwrap(webhook.body, { headers: webhook.headers }));
    }
    const [sentEvent, finalEvent] = events as Array<{
      data: { event_type: string; record_type: string; payload: { id: string; to: Array<{ status: string }>; completed_at: string | null } };
      meta: { attempt: number; delivered_to: string };
    }>;
    assert.equal(sentEvent.data.event_type, 'message.sent');
    assert.equal(sentEvent.data.record_type, 'event');
    assert.equal(sentEvent.data.payload.id, sent.data?.id);
    assert.equal(sentEvent.data.payload.to[0].status, 'sent');
    assert.equal(finalEvent.data.event_type, 'message.finalized');
    assert.equal(finalEvent.data.payload.to[0].status, 'delivered');
    assert.ok(finalEvent.data.payload.completed_at);
    assert.deepEqual(finalEvent.meta, { attempt: 1, delivered_to: receiver.url });
    assert.equal(emulator.messages[0].status, 'delivered');
  });

  test('deliver() can fail a message with a delivery error code', async () => {
    const sent = await client.messages.send({ from: SENDER, to: HANDSET, text: 'x' });
    const deliveries = await emulator.deliver(sent.data?.id ?? '', 'delivery_failed', { errorCode: '40002' });
    assert.deepEqual(deliveries.map((d) => [d.eventType, d.status]), [['message.sent', 200], ['message.finalized', 200]]);
    const final = (await client.webhooks.unwrap(receiver.received[1].body, {
      headers: receiver.received[1].headers,
      key: emulator.publicKey,
    })) as { data: { payload: { to: Array<{ status: string }>; errors: Array<{ code: string }> } } };
    assert.equal(final.data.payload.to[0].status, 'delivery_failed');
    assert.equal(final.data.payload.errors[0].code, '40002');
  });

  test('inbound STOP posts a verified message.received and blocks the pair; START lifts it', async () => {
    await client.messages.send({ from: SENDER, to: HANDSET, text: 'code' });
    const delivery = await emulator.inbound(HANDSET, SENDER, ' stop ');
    assert.equal(delivery.status, 200);
    const event = (await client.webhooks.unwrap(receiver.received[0].body, {
      headers: receiver.received[0].headers,
      key: emulator.publicKey,
    })) as { data: { event_type: string; payload: { direction: string; from: { phone_number: string }; to: Array<{ phone_number: string }>; text: string } } };
    assert.equal(event.data.event_type, 'message.received');
    assert.equal(event.data.payload.direction, 'inbound');
    assert.equal(event.data.payload.from.phone_number, HANDSET);
    assert.equal(event.data.payload.to[0].phone_number, SENDER);
    assert.equal(event.data.payload.text, ' stop ');

    const blocked = await sendError(client, { from: SENDER, to: HANDSET, text: 'again' });
    assert.ok(blocked instanceof ConflictError);
    assert.equal(firstTelnyxError(blocked).code, '40300');

    await emulator.inbound(HANDSET, SENDER, 'START');
    await client.messages.send({ from: SENDER, to: HANDSET, text: 'again' });
    assert.equal(emulator.messages.length, 2);

    await emulator.inbound(HANDSET, SENDER, 'HELP');
    assert.equal(emulator.isBlocked(SENDER, HANDSET), false);
  });

  test('the SDK rejects a tampered body, a stale or future timestamp, a forged signature and a foreign key', async () => {
    const payload = { data: { event_type: 'message.received', id: 'evt', payload: { text: 'STOP' } } };
    const good = emulator.signWebhook(payload);
    await client.webhooks.unwrap(good.body, { headers: good.headers, key: emulator.publicKey });

    const rejects = (body: string, headers: Record<string, string>, key = emulator.publicKey) =>
      assert.rejects(client.webhooks.unwrap(body, { headers, key }), TelnyxWebhookVerificationError);

    await rejects(good.body.replace('STOP', 'START'), good.headers);
    const now = Math.floor(Date.now() / 1000);
    const stale = emulator.signWebhook(payload, { timestamp: now - 301 });
    await rejects(stale.body, stale.headers);
    const future = emulator.signWebhook(payload, { timestamp: now + 301 });
    await rejects(future.body, future.headers);
    // Re-using a valid signature under a fresh timestamp is a forgery.
    await rejects(good.body, { ...good.headers, 'telnyx-timestamp': String(now + 1) });
    await rejects(good.body, { ...good.headers, 'telnyx-signature-ed25519': Buffer.alloc(64).toString('base64') });

    const byo = emulator.addAccount('KEY_byo_tenant');
    assert.notEqual(byo.publicKey, emulator.publicKey);
    await rejects(good.body, good.headers, byo.publicKey);
    const byoSigned = emulator.signWebhook(payload, { apiKey: byo.apiKey });
    await client.webhooks.unwrap(byoSigned.body, { headers: byoSigned.headers, key: byo.publicKey });
    // 299 s old is still inside the five-minute window.
    const recent = emulator.signWebhook(payload, { timestamp: now - 299 });
    await client.webhooks.unwrap(recent.body, { headers: recent.headers, key: emulator.publicKey });
  });

  test('a second account (BYO) authenticates with its own key and its webhooks are signed with its own key', async () => {
    const tenant = emulator.addAccount('KEY_tenant_two', receiver.url);
    const tenantClient = sdk(emulator, { apiKey: tenant.apiKey });
    const sent = await tenantClient.messages.send({ from: '+18335550123', to: HANDSET, text: 'x' });
    await emulator.deliver(sent.data?.id ?? '');
    const last = receiver.received.at(-1);
    assert.ok(last);
    await client.webhooks.unwrap(last.body, { headers: last.headers, key: tenant.publicKey });
    await assert.rejects(client.webhooks.unwrap(last.body, { headers: last.headers, key: emulator.publicKey }));
    // The primary account cannot read the tenant's message.
    await assert.rejects(client.messages.retrieve(sent.data?.id ?? ''), (error: unknown) => error instanceof APIError && error.status === 404);
  });

  test('waitForMessages resolves on the n-th message and rejects on timeout', async () => {
    const waiting = emulator.waitForMessages(2, 2000);
    await client.messages.send({ from: SENDER, to: HANDSET, text: '1' });
    await client.messages.send({ from: SENDER, to: HANDSET, text: '2' });
    const messages = await waiting;
    assert.deepEqual(messages.map((m) => m.text), ['1', '2']);
    await assert.rejects(emulator.waitForMessages(3, 50), /only 2/);
  });
});
