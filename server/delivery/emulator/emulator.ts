/**
 * A Telnyx v2 Messaging API emulator for tests and development (`ALDERO_SMS=telnyx-emulator`,
 * never in production): a node:http server on 127.0.0.1 that the real
 * `telnyx` SDK (7.24) talks to unchanged through its `baseURL` option, and that posts
 * Ed25519-signed webhooks back exactly as Telnyx signs them. Tests never reach Telnyx.
 *
 * Configure the SDK against it:
 *
 *   const emulator = await startTelnyxEmulator({ webhookUrl: 'http://127.0.0.1:3000/v1/webhooks/telnyx' });
 *   const client = new Telnyx({ apiKey: emulator.apiKey, baseURL: emulator.baseURL, maxRetries: 0 });
 *   // emulator.baseURL is 'http://127.0.0.1:<port>/v2': the SDK appends '/messages' to it.
 *   await client.messages.send({ from, to, text, messaging_profile_id });
 *
 * Verify its webhooks with the SDK's own verifier, giving the 44-character base64 key (the form
 * the Telnyx portal shows, and the only string form the SDK accepts: raw 32-byte Ed25519 key,
 * padded standard base64; not PEM, not DER):
 *
 *   const event = await client.webhooks.unwrap(rawBody, { headers, key: emulator.publicKey });
 *
 * Served routes: `POST /v2/messages` (send) and `GET /v2/messages/{id}` (retrieve). Everything
 * else answers 404 with Telnyx error 10005.
 */
import { generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  deliveryEvent,
  inboundEvent,
  outboundMessagePayload,
  segmentInfo,
  telnyxError,
  type DeliveryStatus,
  type EmulatedMessage,
  type FinalDeliveryStatus,
  type InboundMessageInput,
  type TelnyxErrorBody,
  type TelnyxErrorObject,
} from './payloads.ts';

export type { DeliveryStatus, EmulatedMessage, FinalDeliveryStatus, TelnyxErrorBody, TelnyxErrorObject };
export { segmentInfo };

/** The API key the emulator accepts when none is given. Looks like a Telnyx v2 key on purpose. */
export const DEFAULT_EMULATOR_API_KEY = 'KEY0123456789ABCDEF_emulator';
/** Messaging profile reported for messages sent without `messaging_profile_id`. */
export const DEFAULT_MESSAGING_PROFILE_ID = '40017f8e-49bd-4f16-9e3d-ef103f916228';
/** Telnyx rejects webhooks older or newer than this many seconds; the SDK enforces the same. */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

// ---------------------------------------------------------------------------------------------
// Faults

/**
 * What can go wrong with one `POST /v2/messages` attempt, in place of a normal answer.
 * - `timeout`: the request is read and never answered (the SDK's own timeout fires); nothing is sent.
 * - `lost_response`: the message IS accepted (recorded, webhooks fire) but the answer never comes,
 *   the case that makes a naive retry send the SMS twice.
 * - `reset`: the TCP connection is destroyed without an answer (SDK: APIConnectionError).
 * - `429`: 429 with `Retry-After` and Telnyx error 10011.
 * - `500` / `503`: Telnyx error 10007.
 */
export type FaultKind = 'timeout' | 'lost_response' | 'reset' | '429' | '500' | '503';

/**
 * Random fault injection, settable at run time. Each authorized `POST /v2/messages` attempt
 * draws from a seeded PRNG, so the same seed and the same sequence of requests give the same
 * sequence of faults. Assigning `seed` restarts the sequence.
 *
 * The rates are probabilities in [0, 1], checked in this order on one draw (so they add up):
 * `timeoutRate`, `lostResponseRate`, `rate429`, `rate5xx` (500 or 503, chosen by a second draw),
 * `errorRate` (any transient HTTP error: 429, 500 or 503, chosen by a second draw).
 */
export class FaultSettings {
  errorRate = 0;
  rate429 = 0;
  rate5xx = 0;
  timeoutRate = 0;
  lostResponseRate = 0;
  /** Delay before every answer on `/v2/*`, faults included. */
  latencyMs = 0;
  /** `Retry-After` value (seconds) on 429 answers. */
  retryAfterSeconds = 1;
  #seed: number;
  #random: () => number;

  constructor(seed = 1) {
    this.#seed = seed;
    this.#random = mulberry32(seed);
  }

  get seed(): number {
    return this.#seed;
  }

  set seed(value: number) {
    this.#seed = value;
    this.#random = mulberry32(value);
  }

  /** Zero every rate and the latency, and restart the PRNG from `seed`. */
  clear(seed = this.#seed): void {
    this.errorRate = 0;
    this.rate429 = 0;
    this.rate5xx = 0;
    this.timeoutRate = 0;
    this.lostResponseRate = 0;
    this.latencyMs = 0;
    this.retryAfterSeconds = 1;
    this.seed = seed;
  }

  /** Draws the fault (or none) for the next attempt. */
  roll(): FaultKind | null {
    const draw = this.#random();
    let threshold = this.timeoutRate;
    if (draw < threshold) return 'timeout';
    threshold += this.lostResponseRate;
    if (draw < threshold) return 'lost_response';
    threshold += this.rate429;
    if (draw < threshold) return '429';
    threshold += this.rate5xx;
    if (draw < threshold) return this.#random() < 0.5 ? '500' : '503';
    threshold += this.errorRate;
    if (draw < threshold) {
      const which = this.#random();
      return which < 1 / 3 ? '429' : which < 2 / 3 ? '500' : '503';
    }
    return null;
  }
}

/** Small, fast, seedable PRNG (mulberry32): plenty for fault injection, and reproducible. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---------------------------------------------------------------------------------------------
// Public types

export interface TelnyxEmulatorOptions {
  /** Port to listen on; 0 (default) picks a free one. */
  port?: number;
  /** Host to bind; 127.0.0.1 by default. */
  host?: string;
  /** The primary account's API key: the accepted bearer. Any other bearer answers 401 / 10009. */
  apiKey?: string;
  /** Messaging profile webhook URL of the primary account: where inbound and (absent a per-message `webhook_url`) delivery webhooks go. */
  webhookUrl?: string;
  /** Post `message.sent` + `message.finalized` (delivered) after each accepted message. */
  autoDeliver?: boolean;
  /** Seed for fault injection. */
  seed?: number;
}

/**
 * A Telnyx account as the emulator sees it: its API key, its webhook signing key pair and its
 * messaging profile's webhook URL. BYO tenants are separate accounts (own key, own public key).
 */
export interface EmulatedAccount {
  readonly apiKey: string;
  /** Base64 (standard, padded, 44 chars) raw 32-byte Ed25519 public key, as the Telnyx portal shows it. */
  readonly publicKey: string;
  readonly organizationId: string;
  /** The messaging profile's webhook URL; `null` falls back to the emulator-wide `webhookUrl`. */
  webhookUrl: string | null;
}

/** One `POST /v2/messages` attempt, whatever happened to it. */
export interface SendAttempt {
  at: string;
  /** `accepted`, the injected fault's kind, or the Telnyx error code a real rejection carried. */
  outcome: 'accepted' | FaultKind | string;
  status: number | null;
  /** The SDK's `X-Stainless-Retry-Count` header: 0 on the first try, n on its n-th retry. */
  sdkRetryCount: number | null;
  to: string | null;
  from: string | null;
  messageId: string | null;
}

/** One webhook the emulator posted (or tried to post). */
export interface WebhookDelivery {
  url: string;
  eventType: string;
  eventId: string;
  body: string;
  headers: Record<string, string>;
  /** The receiver's HTTP status, or null if the POST itself failed. */
  status: number | null;
  /** The receiver's answer body (truncated to 2 KB), or the network error message. */
  response: string;
}

export interface SignedWebhook {
  body: string;
  headers: Record<string, string>;
}

export interface SignOptions {
  /** Unix seconds to sign with; defaults to now. Use now - 301 for a stale webhook. */
  timestamp?: number;
  /** Sign as this account (by API key); defaults to the primary account. */
  apiKey?: string;
}

export interface InboundOptions {
  /** The account that owns the receiving number. Defaults to the account that last sent from `to`, else the primary. */
  apiKey?: string;
  /** Overrides the account's messaging profile webhook URL. */
  webhookUrl?: string;
  messagingProfileId?: string;
}

export interface DeliverOptions {
  /** Delivery error code for failed statuses; defaults to 40001 (not routable) / 40008 (undeliverable). */
  errorCode?: string;
  /** Overrides where the webhooks go. */
  webhookUrl?: string;
}

export interface TelnyxEmulator {
  /** Pass as the SDK's `baseURL`: `http://127.0.0.1:<port>/v2` (the SDK appends `/messages`). */
  readonly baseURL: string;
  /** Host root without `/v2`, for raw fetches. */
  readonly origin: string;
  readonly port: number;
  /** The primary account's accepted API key. */
  readonly apiKey: string;
  /** The primary account's webhook public key: base64, raw 32 bytes (`webhooks.unwrap(..., { key })`). */
  readonly publicKey: string;
  /** Emulator-wide default webhook URL (the primary account's messaging profile webhook). */
  webhookUrl: string | null;
  /** Post `message.sent` then `message.finalized` (delivered) after each accepted message. */
  autoDeliver: boolean;
  /**
   * Telnyx's per-number rate limit: more than this many messages from one number within any one
   * second answer 429 (10011) with `Retry-After: 1`, as Telnyx does. 0 (the default): no limit.
   */
  senderRatePerSecond: number;
  readonly faults: FaultSettings;
  /** Every accepted message, in order. */
  readonly messages: readonly EmulatedMessage[];
  /** Every `POST /v2/messages` attempt, faulted and rejected ones included. */
  readonly attempts: readonly SendAttempt[];
  /** Count of `POST /v2/messages` attempts (`attempts.length`). */
  readonly requests: number;
  /** Every webhook posted, in order. */
  readonly webhookDeliveries: readonly WebhookDelivery[];
  /** `to` numbers that answer 400 / 40310 (invalid 'to' address). */
  readonly invalidNumbers: Set<string>;

  /** Make sends from `from` to `to` answer 409 / 40300, as after the recipient texted STOP. */
  blockPair(from: string, to: string): void;
  unblockPair(from: string, to: string): void;
  isBlocked(from: string, to: string): boolean;
  /** Force the next attempts' faults, in order, before any random roll. */
  queueFaults(...kinds: FaultKind[]): void;
  /** Another Telnyx account (BYO tenant): its own API key and webhook key pair. */
  addAccount(apiKey: string, webhookUrl?: string): EmulatedAccount;
  account(apiKey?: string): EmulatedAccount;

  /**
   * A handset texts `to` (a Telnyx number): posts a signed `message.received`. STOP-family
   * keywords then block sends from `to` back to `from` (40300); START-family lift the block.
   */
  inbound(from: string, to: string, text: string, options?: InboundOptions): Promise<WebhookDelivery>;
  /** Finish a message: `message.sent` (unless sending failed) then `message.finalized`. */
  deliver(messageId: string, status?: FinalDeliveryStatus, options?: DeliverOptions): Promise<WebhookDelivery[]>;
  /** Sign any payload the way Telnyx does, for forged/stale/tampered webhook tests. */
  signWebhook(payload: unknown, options?: SignOptions): SignedWebhook;
  /** POST an already-signed webhook to a URL and record it. */
  postWebhook(url: string, signed: SignedWebhook): Promise<WebhookDelivery>;
  /** Resolves once at least `count` messages were accepted; rejects after `timeoutMs`. */
  waitForMessages(count: number, timeoutMs?: number): Promise<EmulatedMessage[]>;
  /** Resolves when every webhook the emulator started posting has finished. */
  settled(): Promise<void>;
  /** Forget messages, attempts, webhooks, blocks, invalid numbers, queued faults; clear fault rates. Keys and accounts stay. */
  reset(): void;
  stop(): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Keywords (Telnyx's default opt-out / opt-in / help handling: the whole message, case and
// surrounding whitespace ignored)

const OPT_OUT_KEYWORDS = new Set(['STOP', 'STOPALL', 'UNSUBSCRIBE', 'CANCEL', 'END', 'QUIT']);
const OPT_IN_KEYWORDS = new Set(['START', 'UNSTOP', 'YES']);
const HELP_KEYWORDS = new Set(['HELP', 'INFO']);

function keywordOf(text: string): InboundMessageInput['autoresponseType'] {
  const word = text.trim().toUpperCase();
  if (OPT_OUT_KEYWORDS.has(word)) return 'STOP';
  if (OPT_IN_KEYWORDS.has(word)) return 'START';
  if (HELP_KEYWORDS.has(word)) return 'HELP';
  return null;
}

/** +E.164 (country code, up to 15 digits) or a 5–6 digit short code. */
const VALID_ADDRESS = /^(\+[1-9]\d{6,14}|\d{5,6})$/;

// ---------------------------------------------------------------------------------------------
// Implementation

interface AccountState extends EmulatedAccount {
  readonly privateKey: KeyObject;
}

function createAccount(apiKey: string, webhookUrl: string | null): AccountState {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  // The JWK `x` member is exactly the raw 32-byte public key (base64url); Telnyx shows it as
  // standard padded base64, which is also the only string form the SDK's verifier decodes.
  const jwk = publicKey.export({ format: 'jwk' });
  if (typeof jwk.x !== 'string') throw new Error('Ed25519 key export returned no x coordinate');
  return {
    apiKey,
    publicKey: Buffer.from(jwk.x, 'base64url').toString('base64'),
    organizationId: randomUUID(),
    webhookUrl,
    privateKey,
  };
}

function pairKey(from: string, to: string): string {
  return `${from}\u0000${to}`;
}

function nowIso(): string {
  return new Date().toISOString();
}

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    readonly body: TelnyxErrorBody,
    readonly headers: Record<string, string> = {},
  ) {
    super(body.errors[0]?.title ?? `HTTP ${status}`);
  }
}

const AUTH_FAILED = (): HttpFailure =>
  new HttpFailure(
    401,
    telnyxError('10009', 'Authentication failed', 'The required authentication headers were either invalid or not included in the request.'),
  );
const NOT_FOUND = (): HttpFailure =>
  new HttpFailure(404, telnyxError('10005', 'Resource not found', 'The requested resource or URL could not be found.'));

const MAX_BODY_BYTES = 1024 * 1024;
const WEBHOOK_POST_TIMEOUT_MS = 5000;

class Emulator implements TelnyxEmulator {
  readonly faults: FaultSettings;
  readonly invalidNumbers = new Set<string>();
  readonly messages: EmulatedMessage[] = [];
  readonly attempts: SendAttempt[] = [];
  readonly webhookDeliveries: WebhookDelivery[] = [];
  webhookUrl: string | null;
  autoDeliver: boolean;
  baseURL = '';
  origin = '';
  port = 0;

  readonly #server: Server;
  readonly #accounts = new Map<string, AccountState>();
  readonly #primary: AccountState;
  readonly #blockedPairs = new Set<string>();
  /** Arrival times (performance.now()) of each number's accepted messages in the last second (`senderRatePerSecond`). */
  readonly #senderTimes = new Map<string, number[]>();
  senderRatePerSecond = 0;
  readonly #queuedFaults: FaultKind[] = [];
  /** Answers held open by `timeout` / `lost_response` faults; ended on stop(). */
  readonly #heldResponses = new Set<ServerResponse>();
  readonly #pendingWork = new Set<Promise<unknown>>();
  #messageWaiters: Array<() => void> = [];

  constructor(options: TelnyxEmulatorOptions) {
    this.faults = new FaultSettings(options.seed ?? 1);
    this.webhookUrl = options.webhookUrl ?? null;
    this.autoDeliver = options.autoDeliver ?? false;
    this.#primary = createAccount(options.apiKey ?? DEFAULT_EMULATOR_API_KEY, null);
    this.#accounts.set(this.#primary.apiKey, this.#primary);
    this.#server = createServer((req, res) => {
      this.#track(this.#handle(req, res));
    });
  }

  get apiKey(): string {
    return this.#primary.apiKey;
  }

  get publicKey(): string {
    return this.#primary.publicKey;
  }

  get requests(): number {
    return this.attempts.length;
  }

  async listen(port: number, host: string): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.#server.once('error', reject);
      this.#server.listen(port, host, () => {
        this.#server.off('error', reject);
        resolve();
      });
    });
    const address = this.#server.address() as AddressInfo;
    this.port = address.port;
    this.origin = `http://${host}:${address.port}`;
    this.baseURL = `${this.origin}/v2`;
  }

  // --- accounts, blocks, faults -------------------------------------------------------------

  addAccount(apiKey: string, webhookUrl?: string): EmulatedAccount {
    if (this.#accounts.has(apiKey)) throw new Error(`Emulated account ${apiKey} already exists`);
    const account = createAccount(apiKey, webhookUrl ?? null);
    this.#accounts.set(apiKey, account);
    return account;
  }

  account(apiKey?: string): EmulatedAccount {
    return this.#accountState(apiKey);
  }

  #accountState(apiKey?: string): AccountState {
    if (apiKey === undefined) return this.#primary;
    const account = this.#accounts.get(apiKey);
    if (!account) throw new Error(`No emulated account with API key ${apiKey}`);
    return account;
  }

  blockPair(from: string, to: string): void {
    this.#blockedPairs.add(pairKey(from, to));
  }

  unblockPair(from: string, to: string): void {
    this.#blockedPairs.delete(pairKey(from, to));
  }

  isBlocked(from: string, to: string): boolean {
    return this.#blockedPairs.has(pairKey(from, to));
  }

  queueFaults(...kinds: FaultKind[]): void {
    this.#queuedFaults.push(...kinds);
  }

  // --- HTTP --------------------------------------------------------------------------------

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://emulator');
    const isSend = req.method === 'POST' && url.pathname === '/v2/messages';
    const attempt: SendAttempt | null = isSend
      ? {
          at: nowIso(),
          outcome: 'pending',
          status: null,
          sdkRetryCount: parseRetryCount(req.headers['x-stainless-retry-count']),
          to: null,
          from: null,
          messageId: null,
        }
      : null;
    if (attempt) this.attempts.push(attempt);

    try {
      // Read the whole body first: the SDK must finish sending before a fault can look real.
      const rawBody = await readBody(req);
      if (this.faults.latencyMs > 0) await sleep(this.faults.latencyMs);

      const account = this.#authenticate(req);
      if (isSend && attempt) {
        await this.#send(rawBody, account, attempt, res);
        return;
      }
      const retrieve = /^\/v2\/messages\/([^/]+)$/.exec(url.pathname);
      if (req.method === 'GET' && retrieve) {
        const message = this.messages.find((m) => m.id === decodeURIComponent(retrieve[1]));
        if (!message || message.apiKey !== account.apiKey) throw NOT_FOUND();
        writeJson(res, 200, { data: outboundMessagePayload(message) });
        return;
      }
      throw NOT_FOUND();
    } catch (error) {
      if (error instanceof HttpFailure) {
        if (attempt) {
          // Injected faults keep their kind as the outcome; real rejections report the Telnyx code.
          if (attempt.outcome === 'pending') attempt.outcome = error.body.errors[0]?.code ?? String(error.status);
          attempt.status = error.status;
        }
        writeJson(res, error.status, error.body, error.headers);
        return;
      }
      if (attempt) {
        attempt.outcome = '10007';
        attempt.status = 500;
      }
      writeJson(res, 500, telnyxError('10007', 'Unexpected error', String(error)));
    }
  }

  #authenticate(req: IncomingMessage): AccountState {
    const header = req.headers.authorization ?? '';
    const match = /^Bearer (.+)$/.exec(header);
    const account = match ? this.#accounts.get(match[1].trim()) : undefined;
    if (!account) throw AUTH_FAILED();
    return account;
  }

  #nextFault(): FaultKind | null {
    return this.#queuedFaults.shift() ?? this.faults.roll();
  }

  async #send(rawBody: string, account: AccountState, attempt: SendAttempt, res: ServerResponse): Promise<void> {
    const fault = this.#nextFault();
    if (fault === 'timeout') {
      attempt.outcome = fault;
      this.#hold(res);
      return;
    }
    if (fault === 'reset') {
      attempt.outcome = fault;
      res.socket?.destroy();
      return;
    }
    if (fault === '429') {
      attempt.outcome = fault;
      const retryAfter = String(this.faults.retryAfterSeconds);
      throw new HttpFailure(
        429,
        telnyxError('10011', 'Too many requests', 'You have exceeded the maximum number of allowed requests.'),
        { 'retry-after': retryAfter },
      );
    }
    if (fault === '500' || fault === '503') {
      attempt.outcome = fault;
      const status = Number(fault);
      throw new HttpFailure(
        status,
        telnyxError(
          '10007',
          'Unexpected error',
          status === 503 ? 'The service is temporarily unavailable. Please retry.' : 'An unexpected error occured.',
        ),
      );
    }

    const body = parseSendBody(rawBody);
    attempt.to = typeof body.to === 'string' ? body.to : null;
    attempt.from = typeof body.from === 'string' ? body.from : null;
    if (attempt.from && this.#overSenderRate(attempt.from)) {
      attempt.outcome = 'sender_rate_limit';
      throw new HttpFailure(
        429,
        telnyxError('10011', 'Too many requests', `More than ${this.senderRatePerSecond} messages per second from ${attempt.from}.`),
        { 'retry-after': '1' },
      );
    }
    const message = this.#accept(body, account);
    if (this.senderRatePerSecond > 0) this.#sentAt(message.from).push(performance.now());
    attempt.messageId = message.id;

    if (fault === 'lost_response') {
      // Telnyx took the message; only the answer is lost. The message still goes out.
      attempt.outcome = fault;
      this.#hold(res);
    } else {
      attempt.outcome = 'accepted';
      attempt.status = 200;
      await writeJsonAndWait(res, 200, { data: outboundMessagePayload(message) });
    }
    this.#notifyMessageWaiters();
    if (this.autoDeliver) {
      this.#track(this.deliver(message.id, 'delivered').catch(() => undefined));
    }
  }

  #sentAt(from: string): number[] {
    let times = this.#senderTimes.get(from);
    if (!times) this.#senderTimes.set(from, (times = []));
    return times;
  }

  /** Whether one more message from `from` now would make more than the limit within the last second. */
  #overSenderRate(from: string): boolean {
    if (this.senderRatePerSecond <= 0) return false;
    const times = this.#sentAt(from);
    const now = performance.now();
    while (times.length > 0 && times[0]! <= now - 1000) times.shift();
    return times.length >= this.senderRatePerSecond;
  }

  /** Validates a send (400 / 40310, 409 / 40300, ...) and records the accepted message. */
  #accept(body: Record<string, unknown>, account: AccountState): EmulatedMessage {
    const { to, from, text } = body;
    const profileId = body.messaging_profile_id;
    if (to === undefined || to === null || to === '') {
      throw new HttpFailure(422, telnyxError('10004', 'Missing required parameter', "The 'to' parameter is required.", '/to'));
    }
    // Telnyx's v2 API still takes a one-element array; more than one recipient is 40310 too.
    const recipient = Array.isArray(to) && to.length === 1 ? to[0] : to;
    if (typeof recipient !== 'string' || !VALID_ADDRESS.test(recipient) || this.invalidNumbers.has(recipient)) {
      throw new HttpFailure(
        400,
        telnyxError('40310', "Invalid 'to' address", "The 'to' address should be a single valid number.", '/to'),
      );
    }
    if (from === undefined || from === null || from === '') {
      // A number pool send (profile only) would pick a number; the emulator has no pool.
      throw new HttpFailure(422, telnyxError('10004', 'Missing required parameter', "The 'from' parameter is required.", '/from'));
    }
    if (typeof from !== 'string' || !(VALID_ADDRESS.test(from) || /^[A-Za-z0-9 ]{1,11}$/.test(from))) {
      throw new HttpFailure(400, telnyxError('40305', "Invalid 'from' address", "The 'from' address should be a valid number.", '/from'));
    }
    if (typeof text !== 'string' || text.length === 0) {
      throw new HttpFailure(
        422,
        telnyxError('10004', 'Missing required parameter', "The 'text' parameter is required for SMS and must be a non-empty string.", '/text'),
      );
    }
    if (profileId !== undefined && typeof profileId !== 'string') {
      throw new HttpFailure(422, telnyxError('10015', 'Bad Request', "'messaging_profile_id' must be a string.", '/messaging_profile_id'));
    }
    const webhookUrl = body.webhook_url;
    if (webhookUrl !== undefined && webhookUrl !== null && (typeof webhookUrl !== 'string' || !URL.canParse(webhookUrl))) {
      throw new HttpFailure(400, telnyxError('10003', 'Invalid URL', 'The URL provided was invalid, malformed, or too long.', '/webhook_url'));
    }
    if (this.isBlocked(from, recipient)) {
      throw new HttpFailure(
        409,
        telnyxError('40300', 'Blocked due to STOP message', `Messages cannot be sent from ${from} to ${recipient} due to an existing block rule.`),
      );
    }

    const segments = segmentInfo(text);
    const message: EmulatedMessage = {
      id: randomUUID(),
      from,
      to: recipient,
      text,
      messagingProfileId: profileId ?? DEFAULT_MESSAGING_PROFILE_ID,
      webhookUrl: typeof webhookUrl === 'string' ? webhookUrl : null,
      receivedAt: nowIso(),
      apiKey: account.apiKey,
      status: 'queued',
      sentAt: null,
      completedAt: null,
      errors: [],
      encoding: segments.encoding,
      parts: segments.parts,
      numChars: segments.numChars,
      organizationId: account.organizationId,
      requestBody: body,
    };
    this.messages.push(message);
    return message;
  }

  #hold(res: ServerResponse): void {
    this.#heldResponses.add(res);
    res.on('close', () => this.#heldResponses.delete(res));
  }

  // --- webhooks ----------------------------------------------------------------------------

  signWebhook(payload: unknown, options: SignOptions = {}): SignedWebhook {
    const account = this.#accountState(options.apiKey);
    const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
    const timestamp = String(options.timestamp ?? Math.floor(Date.now() / 1000));
    // Telnyx signs `${timestamp}|${raw body}` with Ed25519 and sends the signature in base64.
    const signature = sign(null, Buffer.from(`${timestamp}|${body}`, 'utf8'), account.privateKey).toString('base64');
    return {
      body,
      headers: {
        'content-type': 'application/json',
        'telnyx-signature-ed25519': signature,
        'telnyx-timestamp': timestamp,
        'user-agent': 'telnyx-webhooks',
      },
    };
  }

  async postWebhook(url: string, signed: SignedWebhook): Promise<WebhookDelivery> {
    const envelope = safeParse(signed.body);
    const delivery: WebhookDelivery = {
      url,
      eventType: envelope?.data?.event_type ?? 'unknown',
      eventId: envelope?.data?.id ?? '',
      body: signed.body,
      headers: signed.headers,
      status: null,
      response: '',
    };
    this.webhookDeliveries.push(delivery);
    const work = (async () => {
      try {
        const response = await fetch(url, {
          method: 'POST',
          headers: signed.headers,
          body: signed.body,
          signal: AbortSignal.timeout(WEBHOOK_POST_TIMEOUT_MS),
        });
        delivery.status = response.status;
        delivery.response = (await response.text()).slice(0, 2048);
      } catch (error) {
        delivery.response = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      }
      return delivery;
    })();
    return this.#track(work);
  }

  async inbound(from: string, to: string, text: string, options: InboundOptions = {}): Promise<WebhookDelivery> {
    const account =
      options.apiKey !== undefined
        ? this.#accountState(options.apiKey)
        : this.#accountState(this.messages.findLast((m) => m.from === to)?.apiKey);
    const url = options.webhookUrl ?? account.webhookUrl ?? this.webhookUrl;
    if (!url) throw new Error('inbound(): no webhook URL (set webhookUrl on the emulator, the account, or the call)');

    const keyword = keywordOf(text);
    // Telnyx applies the carrier-side block as soon as the keyword arrives, before the webhook.
    if (keyword === 'STOP') this.blockPair(to, from);
    if (keyword === 'START') this.unblockPair(to, from);

    const occurredAt = nowIso();
    const event = inboundEvent(
      randomUUID(),
      occurredAt,
      {
        id: randomUUID(),
        from,
        to,
        text,
        messagingProfileId:
          options.messagingProfileId ??
          this.messages.findLast((m) => m.from === to)?.messagingProfileId ??
          DEFAULT_MESSAGING_PROFILE_ID,
        organizationId: account.organizationId,
        receivedAt: occurredAt,
        autoresponseType: keyword,
      },
      { attempt: 1, delivered_to: url },
    );
    return this.postWebhook(url, this.signWebhook(event, { apiKey: account.apiKey }));
  }

  async deliver(
    messageId: string,
    status: FinalDeliveryStatus = 'delivered',
    options: DeliverOptions = {},
  ): Promise<WebhookDelivery[]> {
    const message = this.messages.find((m) => m.id === messageId);
    if (!message) throw new Error(`deliver(): no accepted message ${messageId}`);
    const account = this.#accountState(message.apiKey);
    const url = options.webhookUrl ?? message.webhookUrl ?? account.webhookUrl ?? this.webhookUrl;
    if (!url) throw new Error('deliver(): no webhook URL (per-message webhook_url, account, emulator or call)');

    const deliveries: WebhookDelivery[] = [];
    const post = async (eventType: 'message.sent' | 'message.finalized') => {
      const event = deliveryEvent(randomUUID(), eventType, nowIso(), message, { attempt: 1, delivered_to: url });
      deliveries.push(await this.postWebhook(url, this.signWebhook(event, { apiKey: account.apiKey })));
    };

    // A message that failed to send never reached a carrier, so Telnyx reports only the final state.
    if (status !== 'sending_failed') {
      message.status = 'sent';
      message.sentAt = nowIso();
      await post('message.sent');
    }
    message.status = status;
    message.completedAt = nowIso();
    message.errors = deliveryErrors(status, options.errorCode);
    await post('message.finalized');
    return deliveries;
  }

  // --- waiting, reset, stop ----------------------------------------------------------------

  waitForMessages(count: number, timeoutMs = 5000): Promise<EmulatedMessage[]> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        if (this.messages.length < count) return false;
        clearTimeout(timer);
        resolve([...this.messages]);
        return true;
      };
      const timer = setTimeout(() => {
        this.#messageWaiters = this.#messageWaiters.filter((waiter) => waiter !== checkAndForget);
        reject(new Error(`waitForMessages(${count}): only ${this.messages.length} after ${timeoutMs} ms`));
      }, timeoutMs);
      const checkAndForget = (): void => {
        if (check()) this.#messageWaiters = this.#messageWaiters.filter((waiter) => waiter !== checkAndForget);
      };
      if (!check()) this.#messageWaiters.push(checkAndForget);
    });
  }

  #notifyMessageWaiters(): void {
    for (const waiter of [...this.#messageWaiters]) waiter();
  }

  async settled(): Promise<void> {
    while (this.#pendingWork.size > 0) {
      await Promise.allSettled([...this.#pendingWork]);
    }
  }

  #track<T>(work: Promise<T>): Promise<T> {
    this.#pendingWork.add(work);
    const forget = () => this.#pendingWork.delete(work);
    work.then(forget, forget);
    return work;
  }

  reset(): void {
    this.messages.length = 0;
    this.attempts.length = 0;
    this.webhookDeliveries.length = 0;
    this.invalidNumbers.clear();
    this.#blockedPairs.clear();
    this.#senderTimes.clear();
    this.#queuedFaults.length = 0;
    this.faults.clear();
  }

  async stop(): Promise<void> {
    for (const res of this.#heldResponses) res.socket?.destroy();
    this.#heldResponses.clear();
    const closed = new Promise<void>((resolve) => this.#server.close(() => resolve()));
    this.#server.closeAllConnections();
    await closed;
    await this.settled();
  }
}

function deliveryErrors(status: FinalDeliveryStatus, errorCode?: string): TelnyxErrorObject[] {
  if (status === 'delivered') return [];
  if (status === 'delivery_unconfirmed') return [];
  const code = errorCode ?? (status === 'sending_failed' ? '40008' : '40001');
  const titles: Record<string, string> = {
    '40001': 'Not routable',
    '40002': 'Blocked as spam - temporary',
    '40003': 'Blocked as spam - permanent',
    '40006': 'Recipient server unavailable',
    '40008': 'Undeliverable',
    '40300': 'Blocked due to STOP message',
  };
  return [{ code, title: titles[code] ?? 'Delivery failed' }];
}

function parseRetryCount(header: string | string[] | undefined): number | null {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined) return null;
  const count = Number(value);
  return Number.isInteger(count) ? count : null;
}

function parseSendBody(rawBody: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(rawBody);
  } catch {
    throw new HttpFailure(400, telnyxError('10023', 'Invalid JSON', 'The supplied JSON body could not be parsed.'));
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new HttpFailure(400, telnyxError('10015', 'Bad Request', 'The request body must be a JSON object.'));
  }
  return parsed as Record<string, unknown>;
}

interface EnvelopeHead {
  data?: { event_type?: string; id?: string };
}

function safeParse(body: string): EnvelopeHead | null {
  try {
    const parsed: unknown = JSON.parse(body);
    return typeof parsed === 'object' && parsed !== null ? (parsed as EnvelopeHead) : null;
  } catch {
    return null;
  }
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) {
      throw new HttpFailure(413, telnyxError('10015', 'Bad Request', 'The request body is too large.'));
    }
    chunks.push(buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function writeJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'x-request-id': randomUUID(),
    ...headers,
  });
  res.end(text);
}

/** Answers, then waits until the answer is flushed, so autoDeliver's webhooks follow the 200. */
function writeJsonAndWait(res: ServerResponse, status: number, body: unknown): Promise<void> {
  return new Promise((resolve) => {
    res.once('finish', resolve);
    res.once('close', resolve);
    writeJson(res, status, body);
    if (res.destroyed) resolve();
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function startTelnyxEmulator(options: TelnyxEmulatorOptions = {}): Promise<TelnyxEmulator> {
  const emulator = new Emulator(options);
  await emulator.listen(options.port ?? 0, options.host ?? '127.0.0.1');
  return emulator;
}
