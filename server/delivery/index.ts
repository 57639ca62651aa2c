/**
 * SMS delivery (DESIGN.md §7): the sandbox inbox for sandbox environments; for live ones a
 * durable outbox in MongoDB drained through Telnyx, with the tenant's sender model (Aldero's
 * shared toll-free number, or the tenant's own), throughput shaped per number across processes,
 * opt-outs honoured before any call, and Telnyx webhooks for receipts and replies.
 */
import { encrypt } from '../crypto.ts';
import type { DeliveryState } from '../store/documents.ts';
import type { IndexSpec } from '../store/index.ts';
import { smsBody } from './body.ts';
import { bodyHashOf, newMessageId, Outbox } from './outbox.ts';
import { senderModelOf, SmsProviders } from './senders.ts';
import { loadDeliverySettings, type DeliverySettings } from './settings.ts';
import { Throughput, utcDay } from './throttle.ts';
import type { TenantContext } from '../tenants/model.ts';
import type { DeliveryDeps, DeliveryReason, OutboxMessageDoc, OutgoingSms, PlannedMessage, SenderRoute, SendOutcome, SmsDispatcher, SmsRequest } from './types.ts';
import { OUTBOX_BODY_PURPOSE, OutboxWorker, type WorkerStats } from './worker.ts';

export { listSandboxMessages, SANDBOX_FROM, SANDBOX_NUMBERS } from './sandbox.ts';
export { sealByoApiKey, senderNumberFor } from './senders.ts';
export { DEFAULT_DELIVERY_SETTINGS, DELIVERY_ENV, loadDeliverySettings, type DeliverySettings } from './settings.ts';
export { handleTelnyxWebhook } from './webhooks.ts';
export { OutboxMessages } from './outbox.ts';
export type { DeliveryDeps, DeliveryReason, PlannedMessage, SmsDispatcher, SmsRequest } from './types.ts';

const WEEK = 7 * 86_400;

/** Indexes of the delivery collections, for `store.ensureIndexes` at start-up. */
export const DELIVERY_INDEXES: IndexSpec[] = [
  // Claims: due messages, oldest first.
  ['smsOutbox', { status: 1, createdAt: 1, _id: 1 }],
  ['smsOutbox', { providerMessageId: 1 }, { sparse: true }],
  ['smsOutbox', { bodyHash: 1 }],
  ['smsOutbox', { challengeId: 1 }],
  // Finished messages (no body: it is dropped once sent) are kept a week for support and audit.
  ['smsOutbox', { createdAt: 1 }, { expireAfterSeconds: WEEK }],
  ['telnyxEvents', { providerMessageId: 1 }, { sparse: true }],
  ['telnyxEvents', { receivedAt: 1 }, { expireAfterSeconds: WEEK }],
  ['smsThrottle', { expiresAt: 1 }, { expireAfterSeconds: 0 }],
];

export interface Dispatcher extends SmsDispatcher {
  start(): void;
  stop(): Promise<void>;
  readonly settings: DeliverySettings;
  /** This process's outbox worker id (leases name it). */
  readonly workerId: string;
  /** What this process's worker did since it started. */
  readonly stats: Readonly<WorkerStats>;
}

/**
 * The dispatcher of one process. `dispatch()` returns as soon as the message is recorded (it
 * does not wait for Telnyx): `queued`, or the final state when it can be told at once (an inline
 * provider such as the sandbox, an opted-out pair, a tenant that cannot send, an unverified
 * sender whose day is full). `start()` runs
 * this process's outbox worker; settings come from the environment (`DELIVERY_ENV`),
 * `overrides` win (tests, tools).
 */
export function createDispatcher(deps: DeliveryDeps, overrides: Partial<DeliverySettings> = {}): Dispatcher {
  const settings = loadDeliverySettings(process.env, overrides);
  const outbox = new Outbox(deps.store);
  const providers = new SmsProviders(deps, settings);
  const throughput = new Throughput(deps.store, { callMs: settings.callTimeoutMs + settings.callMarginMs });
  const worker = new OutboxWorker(
    { store: deps.store, clock: deps.clock, log: deps.log, secret: deps.keys.secret, audit: deps.audit },
    outbox,
    throughput,
    providers,
    settings,
  );
  let started = false;

  const state = (status: DeliveryState['status'], reason: DeliveryReason | null, messageId: string | null): DeliveryState => ({
    status,
    reason,
    messageId,
    updatedAt: deps.clock.now(),
  });

  /**
   * The outbox's first state is always `queued`; the sandbox's, `delivered` but for its invalid
   * magic number (the outcome then differs, and dispatch writes it). A tenant that cannot send
   * has no plan: its refusal is written by dispatch.
   */
  function plan(tenant: TenantContext): PlannedMessage | null {
    if (tenant.tenant.suspendedAt) return null;
    const route = providers.routeFor(tenant);
    if (typeof route === 'string') return null;
    const messageId = newMessageId(Date.now());
    if (route.delivery === 'outbox') return { messageId, state: state('queued', null, messageId) };
    return route.provider === 'sandbox' ? { messageId, state: state('delivered', null, messageId) } : null;
  }

  async function dispatch(request: SmsRequest): Promise<DeliveryState> {
    // A suspended tenant sends nothing (its routes refuse first; this holds for a request already under way).
    if (request.tenant.tenant.suspendedAt) return show(request, state('failed', 'tenant_suspended', null));
    const route = providers.routeFor(request.tenant);
    if (typeof route === 'string') return show(request, state('failed', route, null));
    // A pair that replied STOP fails here, for every provider: the provider is never called.
    if (await providers.isOptedOut(route, request.to)) return show(request, state('failed', 'opted_out', null));
    const now = new Date();
    const message: OutgoingSms = {
      id: request.planned?.messageId ?? newMessageId(now.getTime()),
      realm: request.tenant.realm,
      challengeId: request.challengeId,
      from: route.from,
      to: request.to,
      text: smsBody(request.tenant.tenant, request.code),
      messagingProfileId: route.messagingProfileId,
    };
    return route.delivery === 'inline' ? sendNow(request, route, message) : enqueue(request, route, message, now);
  }

  /** An inline provider's outcome is the message's final state. */
  async function sendNow(request: SmsRequest, route: SenderRoute, message: OutgoingSms): Promise<DeliveryState> {
    const resolved = await providers.resolve(route.provider, request.tenant.tenant._id);
    const outcome: SendOutcome =
      typeof resolved === 'string' ? { kind: 'rejected', reason: resolved, error: resolved } : await resolved.provider.send(message);
    const result =
      outcome.kind === 'accepted'
        ? state(outcome.delivered ? 'delivered' : 'sent', null, message.id)
        : state('failed', outcome.kind === 'rejected' ? outcome.reason : 'provider_unavailable', message.id);
    return show(request, result);
  }

  /**
   * Records the message in the outbox for the workers. An unverified sender's day slot is taken
   * here, so a full day is answered at once (`sender_daily_limit`) instead of after the queue.
   */
  async function enqueue(request: SmsRequest, route: SenderRoute, message: OutgoingSms, now: Date): Promise<DeliveryState> {
    if (request.expiresAt.getTime() <= deps.clock.now().getTime()) return show(request, state('dropped', 'challenge_expired', null));
    const today = route.verified ? null : utcDay(Date.now());
    const dayFull = today !== null && !(await throughput.takeDailySlot(route.from, today, settings.unverifiedDailyCap));
    if (dayFull) return show(request, state('failed', 'sender_daily_limit', null));
    const doc: OutboxMessageDoc = {
      _id: message.id,
      realm: message.realm,
      tenantId: request.tenant.tenant._id,
      challengeId: request.challengeId,
      userId: request.userId,
      to: request.to,
      from: route.from,
      senderModel: senderModelOf(route.provider),
      messagingProfileId: route.messagingProfileId,
      accountKey: route.accountKey,
      senderVerified: route.verified,
      // The body holds the code: sealed at rest, and dropped once the message is finished.
      bodySealed: encrypt(deps.keys.secret, OUTBOX_BODY_PURPOSE, message.text),
      bodyHash: bodyHashOf(deps.keys.secret, request.to, message.text),
      status: 'queued',
      reason: null,
      availableAt: now,
      leaseOwner: null,
      calls: 0,
      inDoubt: false,
      dailySlotDay: today,
      lastError: null,
      providerMessageId: null,
      expiresAt: request.expiresAt,
      createdAt: now,
      updatedAt: now,
      sentAt: null,
    };
    // The challenge names its newest message before a worker can see it, so the worker's
    // progress on it is never overwritten by this first state.
    const result = await show(request, state(doc.status, doc.reason, doc._id));
    await outbox.messages.insert(doc);
    if (started) worker.nudge();
    return result;
  }

  /** Writes the state on the challenge, unless it already shows it (the plan it was sent with). */
  async function show(request: SmsRequest, result: DeliveryState): Promise<DeliveryState> {
    const shown = request.planned?.state;
    const asPlanned = shown && shown.status === result.status && shown.reason === result.reason && shown.messageId === result.messageId;
    if (asPlanned) return shown;
    await outbox.showOnChallenge(request.challengeId, result);
    return result;
  }

  return {
    settings,
    workerId: worker.id,
    stats: worker.stats,
    plan,
    dispatch,
    start() {
      if (started || !settings.workerEnabled) return;
      started = true;
      worker.start();
    },
    async stop() {
      if (!started) return;
      started = false;
      await worker.stop();
    },
  };
}
