/**
 * SMS delivery (DESIGN.md §7): the sandbox inbox for sandbox environments; for live ones a
 * durable outbox in MongoDB drained through Telnyx, with the tenant's sender model (Aldero's
 * shared toll-free number, or the tenant's own), throughput shaped per number across processes,
 * opt-outs honoured before any call, and Telnyx webhooks for receipts and replies.
 */
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import { encrypt } from '../crypto.ts';
import type { Logger } from '../log.ts';
import type { DeliveryState } from '../store/documents.ts';
import type { IndexSpec, Store } from '../store/index.ts';
import { smsBody } from './body.ts';
import { isOptedOut } from './opt-outs.ts';
import { bodyHashOf, newMessageId, Outbox } from './outbox.ts';
import { SANDBOX_FROM, SandboxProvider } from './sandbox.ts';
import { ProviderDirectory, senderRouteFor } from './senders.ts';
import { loadDeliverySettings, type DeliverySettings } from './settings.ts';
import { Throughput } from './throttle.ts';
import type { DeliveryReason, OutboxMessageDoc, SmsDispatcher, SmsRequest } from './types.ts';
import { OUTBOX_BODY_PURPOSE, OutboxWorker, type WorkerStats } from './worker.ts';

export { smsBody } from './body.ts';
export { listSandboxMessages, SANDBOX_FROM, SANDBOX_NUMBERS } from './sandbox.ts';
export { sealByoApiKey } from './senders.ts';
export { DEFAULT_DELIVERY_SETTINGS, DELIVERY_ENV, loadDeliverySettings, type DeliverySettings } from './settings.ts';
export { handleTelnyxWebhook } from './webhooks.ts';
export type { DeliveryReason, SmsDispatcher, SmsRequest } from './types.ts';

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

export interface DeliveryDeps {
  store: Store;
  clock: Clock;
  log: Logger;
  config: Config;
  keys: { secret: string };
}

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
 * does not wait for Telnyx): `queued`, or the final state when it can be told at once (sandbox,
 * an opted-out pair, a tenant that cannot send). `start()` runs this process's outbox worker;
 * settings come from the environment (`DELIVERY_ENV`), `overrides` win (tests, tools).
 */
export function createDispatcher(deps: DeliveryDeps, overrides: Partial<DeliverySettings> = {}): Dispatcher {
  const settings = loadDeliverySettings(process.env, overrides);
  const outbox = new Outbox(deps.store);
  const sandbox = new SandboxProvider(deps.store, deps.clock, deps.keys.secret);
  const providers = new ProviderDirectory(deps.store, deps.config, deps.keys.secret, settings);
  const worker = new OutboxWorker(
    { store: deps.store, clock: deps.clock, log: deps.log, secret: deps.keys.secret },
    outbox,
    new Throughput(outbox.throttle),
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

  async function dispatchToSandbox(request: SmsRequest): Promise<DeliveryState> {
    const id = newMessageId();
    const outcome = await sandbox.send({
      id,
      realm: request.tenant.realm,
      challengeId: request.challengeId,
      from: SANDBOX_FROM,
      to: request.to,
      text: smsBody(request.tenant.tenant, request.code),
      messagingProfileId: null,
    });
    const result = outcome.kind === 'accepted' ? state('delivered', null, id) : state('failed', outcome.kind === 'rejected' ? outcome.reason : 'provider_unavailable', id);
    await outbox.showOnChallenge(request.challengeId, result);
    return result;
  }

  async function dispatchToOutbox(request: SmsRequest): Promise<DeliveryState> {
    const { tenant, realm } = request.tenant;
    if (deps.config.smsMode === 'sandbox') return finishAtOnce(request, state('failed', 'provider_not_configured', null));
    const route = senderRouteFor(tenant, deps.config, settings);
    if (typeof route === 'string') return finishAtOnce(request, state('failed', route, null));
    if (request.expiresAt.getTime() <= deps.clock.now().getTime()) return finishAtOnce(request, state('dropped', 'challenge_expired', null));

    const now = new Date();
    const id = newMessageId(now.getTime());
    const text = smsBody(tenant, request.code);
    // A pair that replied STOP fails here, with its reason, and Telnyx is never called.
    const optedOut = await isOptedOut(outbox.optOuts, route.from, request.to);
    const message: OutboxMessageDoc = {
      _id: id,
      realm,
      tenantId: tenant._id,
      challengeId: request.challengeId,
      userId: request.userId,
      to: request.to,
      from: route.from,
      senderModel: route.model,
      messagingProfileId: route.messagingProfileId,
      accountKey: route.accountKey,
      senderVerified: route.verified,
      // The body holds the code: sealed at rest, and dropped once the message is finished.
      bodySealed: optedOut ? null : encrypt(deps.keys.secret, OUTBOX_BODY_PURPOSE, text),
      bodyHash: bodyHashOf(deps.keys.secret, request.to, text),
      status: optedOut ? 'failed' : 'queued',
      reason: optedOut ? 'opted_out' : null,
      availableAt: now,
      leaseOwner: null,
      calls: 0,
      inDoubt: false,
      dailySlotDay: null,
      lastError: null,
      providerMessageId: null,
      expiresAt: request.expiresAt,
      createdAt: now,
      updatedAt: now,
      sentAt: null,
    };
    const result = state(message.status, message.reason, id);
    // The challenge names its newest message before a worker can see it, so the worker's
    // progress on it is never overwritten by this first state.
    await outbox.showOnChallenge(request.challengeId, result);
    await outbox.messages.insertOne(message);
    if (!optedOut && started) worker.nudge();
    return result;
  }

  async function finishAtOnce(request: SmsRequest, result: DeliveryState): Promise<DeliveryState> {
    await outbox.showOnChallenge(request.challengeId, result);
    return result;
  }

  return {
    settings,
    workerId: worker.id,
    stats: worker.stats,
    dispatch(request) {
      return request.tenant.env === 'sandbox' ? dispatchToSandbox(request) : dispatchToOutbox(request);
    },
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
