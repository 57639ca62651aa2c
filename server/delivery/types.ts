import type { AuditSink } from '../audit/sink.ts';
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { DeliveryReason } from '../contract/errors.ts';
import type { DeliveryStatus } from '../contract/methods.ts';
import type { Logger } from '../log.ts';
import type { DeliveryState, Realm, SenderModel } from '../store/documents.ts';
import type { Store } from '../store/index.ts';
import type { TenantContext } from '../tenants/model.ts';

/** What the delivery feature is handed: the dispatcher, its workers and the webhook receiver. */
export interface DeliveryDeps {
  store: Store;
  clock: Clock;
  log: Logger;
  config: Config;
  keys: { secret: string };
  /** Where the delivery states and opt-outs are recorded (the audit trail). */
  audit: AuditSink;
}

/**
 * Why a message did not go out or did not arrive (`opted_out`: "this number replied STOP: reply
 * START, or use a recovery code"): the contract's list, which the API and the components explain.
 */
export type { DeliveryReason };

/** One verification SMS to send for a challenge. */
export interface SmsRequest {
  tenant: TenantContext;
  challengeId: string;
  userId: string;
  to: string;
  code: string;
  /** When the challenge dies: a message not sent by then is dropped, never sent late. */
  expiresAt: Date;
  /**
   * The plan (`SmsDispatcher.plan`) the challenge already shows, written in the update that took
   * its send: the message gets the plan's id, and its state is written again only when the
   * outcome differs (a refusal, an invalid number, a day cap). Without it, dispatch writes it.
   */
  planned?: PlannedMessage | null;
}

/** A message as it can be told before it is sent: its id, and the state its challenge will show once it is handed over. */
export interface PlannedMessage {
  messageId: string;
  state: DeliveryState;
}

/** Where challenges hand their codes: the sandbox inbox, or the outbox towards Telnyx. */
export interface SmsDispatcher {
  /**
   * Records the message durably, writes its delivery state on the challenge
   * (`challenges.delivery`), and returns that state as known now: `delivered`/`failed` for the
   * sandbox, `failed` for an opted-out pair (no provider call), otherwise `queued` — the outbox
   * workers send it and move the challenge's state forward (sent, delivered, failed, dropped).
   */
  dispatch(request: SmsRequest): Promise<DeliveryState>;
  /**
   * What a send for this tenant environment will most likely be, told without I/O, so the
   * challenge can show it in the update that takes the send (one round trip fewer per send):
   * `queued` for the outbox, `delivered` for the sandbox. Null when it cannot be told (a tenant
   * that cannot send): dispatch then writes the state itself.
   */
  plan?(tenant: TenantContext): PlannedMessage | null;
  /** Starts background work (outbox workers); idempotent. */
  start?(): void;
  stop?(): Promise<void>;
}

/** What a provider is asked to send. `id` is ours (the outbox or inbox id), for the provider's records. */
export interface OutgoingSms {
  id: string;
  realm: Realm;
  challengeId: string;
  from: string;
  to: string;
  text: string;
  messagingProfileId: string | null;
}

/**
 * The outcome of one provider call, classified once, where the provider's errors are known:
 * - `accepted`: the provider took the message (`delivered` when it is final at once: sandbox).
 * - `retry`: not taken, try again later (429, 5xx, timeouts, resets); `inDoubt` when the
 *   provider may have taken it anyway (a timeout or a reset after the request was written).
 * - `rejected`: permanent for this message (invalid number, blocked by STOP, bad credentials).
 */
export type SendOutcome =
  | { kind: 'accepted'; providerMessageId: string; delivered: boolean }
  | { kind: 'retry'; error: string; retryAfterMs: number | null; inDoubt: boolean }
  | { kind: 'rejected'; reason: DeliveryReason; error: string };

export type SmsProviderName = 'sandbox' | 'telnyx-shared' | 'telnyx-byo';

/**
 * One interface for every way an SMS leaves: the sandbox inbox, the Telnyx shared sender, the
 * Telnyx BYO sender; `SmsProviders` picks one per tenant environment.
 */
export interface SmsProvider {
  readonly name: SmsProviderName;
  send(message: OutgoingSms): Promise<SendOutcome>;
}

/**
 * The sending identity of a message, fixed when it is dispatched: which provider, which number,
 * which messaging profile, whose account, and whether the number is verified (unverified
 * toll-free numbers are capped per day). An API key itself is looked up when the message is sent.
 */
export interface SenderRoute {
  provider: SmsProviderName;
  /**
   * `inline`: sent while the challenge is dispatched, its outcome final at once (the sandbox:
   * nothing leaves the process). `outbox`: recorded in the outbox and sent by its workers, with
   * retries, throughput lanes and receipts (Telnyx).
   */
  delivery: 'inline' | 'outbox';
  from: string;
  messagingProfileId: string | null;
  /** `sandbox`, `shared`, or `byo:{tenantId}`: whose webhooks may report on the message (see `handleTelnyxWebhook`). */
  accountKey: string;
  verified: boolean;
}

/** An outbox message (`smsOutbox`): recorded before the provider is called, drained by workers. */
export interface OutboxMessageDoc {
  _id: string;
  realm: Realm;
  tenantId: string;
  challengeId: string;
  userId: string;
  to: string;
  from: string;
  senderModel: SenderModel;
  messagingProfileId: string | null;
  accountKey: string;
  senderVerified: boolean;
  /** The body (it holds the code), sealed; removed once the message is finished. */
  bodySealed: string | null;
  /** HMAC of `to` and the body: matches a provider receipt to a message whose answer was lost. */
  bodyHash: string;
  status: DeliveryStatus;
  reason: DeliveryReason | null;
  /**
   * When a worker may take it: the retry time of a queued message, the lease expiry of one
   * being sent (a crashed worker's message comes back when its lease runs out).
   */
  availableAt: Date;
  leaseOwner: string | null;
  /** Provider calls started (the fence before each call counts it). */
  calls: number;
  /** A call started whose outcome was never recorded (crash, timeout): a resend may duplicate. */
  inDoubt: boolean;
  /** The UTC day whose sender counter holds this message's slot (unverified senders). */
  dailySlotDay: string | null;
  lastError: string | null;
  providerMessageId: string | null;
  /** The challenge's expiry: not sent by then means never sent. */
  expiresAt: Date;
  createdAt: Date;
  updatedAt: Date;
  sentAt: Date | null;
}

/** Opt-out state per (sender number, handset), from STOP/START/HELP replies and 40300 answers. */
export interface OptOutDoc {
  /** `{sender}|{phone}` */
  _id: string;
  sender: string;
  phone: string;
  optedOut: boolean;
  /** The keyword (or `provider_40300`) that set the current state. */
  source: string;
  /** When that event happened: an older event arriving late never overrides a newer one. */
  lastEventAt: Date;
  lastHelpAt: Date | null;
  updatedAt: Date;
}

/** A Telnyx webhook event seen (`telnyxEvents`): repeated deliveries are answered, not re-applied. */
export interface TelnyxEventDoc {
  _id: string;
  type: string;
  accountKey: string;
  /** Delivery receipts: the provider's message id, and the state it reports. */
  providerMessageId: string | null;
  bodyHash: string | null;
  status: DeliveryStatus | null;
  reason: DeliveryReason | null;
  occurredAt: Date;
  receivedAt: Date;
  /** Set once the event took effect; a receipt for no known message stays unset (and a redelivery tries again). */
  appliedAt: Date | null;
}

/** Shared throughput state (`smsThrottle`): rate lanes (sliding-window logs) and daily counters. */
export interface ThrottleDoc {
  _id: string;
  /**
   * A rate lane's log, latest first: for each of its newest sends, until when (wall ms) it may
   * reach the provider (its answer's time; a bound past any answer while its call is pending).
   */
  until?: number[];
  /** Messages counted in a daily window. */
  count?: number;
  expiresAt?: Date;
}
