import { hostname } from 'node:os';
import type { AuditSink } from '../audit/sink.ts';
import type { Clock } from '../clock.ts';
import { decrypt, randomToken } from '../crypto.ts';
import type { Logger } from '../log.ts';
import type { DeliveryState } from '../store/documents.ts';
import type { Store } from '../store/index.ts';
import { typed } from '../store/typed.ts';
import { PollingWorker } from '../polling-worker.ts';
import { backoffMs } from '../queue/leased-queue.ts';
import { advanceDelivery, auditOptOut } from './audit.ts';
import type { Outbox } from './outbox.ts';
import type { SmsProviders } from './senders.ts';
import type { DeliverySettings } from './settings.ts';
import { utcDay, type Lanes, type Slot, type Throughput } from './throttle.ts';
import type { DeliveryReason, OutboxMessageDoc, SendOutcome, SmsProvider } from './types.ts';

export const OUTBOX_BODY_PURPOSE = 'outbox-body';

/** Messages a worker holds per sender waiting for their slot: enough to keep the lane busy, few enough to leave the rest to other workers. */
const SENDER_BACKLOG = 2;

/** A claimed message that passed its checks, waiting for its sender's turn. */
interface ReadyMessage {
  message: OutboxMessageDoc;
  provider: SmsProvider;
  /** The throughput lanes it counts against. */
  lanes: Lanes;
  /** The UTC day whose sender counter now holds its slot (unverified senders), if any. */
  dailySlotDay: string | null;
  /** Whether that slot was taken by this claim (and must be given back if nothing is sent). */
  tookDailySlot: boolean;
  /** Until when (wall ms) its lease runs, as last set by this worker. */
  leaseUntil: number;
  /** Settles the message's place among the worker's messages in flight. */
  finished(): void;
}

/** What one worker did since it started (observability; tests tell workers apart by it). */
export interface WorkerStats {
  claimed: number;
  calls: number;
  sent: number;
  retried: number;
  failed: number;
  dropped: number;
  /** The failed and dropped messages by status and reason (`failed:opted_out`, `dropped:challenge_expired`). */
  ended: Record<string, number>;
}

/**
 * Drains the outbox. Safe to run in every process: claims are leases (see `LeasedQueue`), so no two
 * workers ever hold one message, and throughput slots come from lanes shared through MongoDB.
 *
 * One loop claims due messages oldest first (skipping senders it already holds enough of) and
 * checks them one by one; each sender then has a pump that, one message at a time and in claim order,
 * fences the call, takes the next slot of the sender's lanes, sleeps until it and starts the
 * call. Calls run concurrently (up to `workerConcurrency` messages per worker), but start in
 * order, so a sender's queue reaches the provider in `createdAt` order — except a message
 * waiting for a retry, which does not hold back the ones behind it.
 *
 * Delivery is at-most-once per message, with one window of at-least-once: a process that dies
 * (or stalls past its lease) after the provider accepted a message and before the acceptance
 * was recorded leaves the message "in doubt"; when its lease runs out another worker sends it
 * again. The same holds for a call that timed out after the provider took it. A delivery receipt
 * for the first send that arrives before the retry settles the message instead
 * (`OutboxMessages.applyReceipt`), so a duplicate needs a crash or lost answer and a receipt that is
 * late or lost; at worst one per message whose call was in flight (`workerConcurrency`).
 */
export class OutboxWorker extends PollingWorker {
  readonly id = `wrk_${hostname()}_${process.pid}_${randomToken(4)}`;
  readonly stats: WorkerStats = { claimed: 0, calls: 0, sent: 0, retried: 0, failed: 0, dropped: 0, ended: {} };
  private readonly pumps = new Map<string, ReadyMessage[]>();

  constructor(
    private readonly deps: { store: Store; clock: Clock; log: Logger; secret: string; audit: AuditSink },
    private readonly outbox: Outbox,
    private readonly throughput: Throughput,
    private readonly providers: SmsProviders,
    private readonly settings: DeliverySettings,
  ) {
    super();
  }

  // stop() lets the messages it holds go out: each waits at most for its throughput slot.
  protected async run(): Promise<void> {
    while (this.running) {
      if (this.inFlight.size >= this.settings.workerConcurrency) {
        await Promise.race(this.inFlight);
        continue;
      }
      const busy = [...this.pumps].filter(([, backlog]) => backlog.length >= SENDER_BACKLOG).map(([sender]) => sender);
      let message: OutboxMessageDoc | null;
      try {
        message = await this.outbox.messages.claimNext(this.id, this.settings.leaseMs, busy);
      } catch (error) {
        this.deps.log.error('sms outbox: claim failed', { error: errorText(error), worker: this.id });
        await this.backOff(this.settings.pollMs);
        continue;
      }
      this.claimAnswered();
      if (!message) {
        // With senders held back, look again as soon as one of their messages has gone.
        await (busy.length > 0 ? Promise.race([this.idle(this.settings.pollMs), ...this.inFlight]) : this.idle(this.settings.pollMs));
        continue;
      }
      this.stats.claimed += 1;
      let finished!: () => void;
      const done = new Promise<void>((resolve) => {
        finished = resolve;
      });
      this.inFlight.add(done);
      void done.then(() => this.inFlight.delete(done));
      // Checked one at a time, so messages reach their sender's pump in claim order.
      try {
        const ready = await this.prepare(message, finished);
        if (ready) this.enqueue(ready);
        else finished();
      } catch (error) {
        this.deps.log.error('sms outbox: checks before sending failed', { error: errorText(error), messageId: message._id });
        await this.outbox.messages.release(message._id, this.id).catch(() => undefined);
        finished();
        await this.idle(this.settings.pollMs);
      }
    }
  }

  /**
   * Is the message still worth sending, may it be sent to this number, from which account,
   * within the day's cap. Null when it ended here.
   */
  private async prepare(message: OutboxMessageDoc, finished: () => void): Promise<ReadyMessage | null> {
    if (message.inDoubt) {
      this.deps.log.info('sms outbox: resending a message whose previous call has no recorded outcome', { messageId: message._id });
    }
    const heldSlot = unsentDailySlot(message);
    // Independent reads, made together: each is a round trip on the claim's critical path.
    const [ended, optedOut, resolved] = await Promise.all([
      this.whyNotSend(message),
      this.outbox.optOuts.isOptedOut(message.from, message.to),
      this.providers.forMessage(message),
    ]);
    if (ended) {
      await this.end(message, ended.status, ended.reason, null, heldSlot);
      return null;
    }
    if (optedOut) {
      await this.end(message, 'failed', 'opted_out', null, heldSlot);
      return null;
    }
    if (typeof resolved === 'string') {
      await this.end(message, 'failed', resolved, null, heldSlot);
      return null;
    }
    let dailySlotDay = message.dailySlotDay;
    let tookDailySlot = false;
    if (!message.senderVerified) {
      const today = utcDay(Date.now());
      if (dailySlotDay !== today) {
        if (!(await this.throughput.takeDailySlot(message.from, today, this.settings.unverifiedDailyCap))) {
          await this.end(message, 'failed', 'sender_daily_limit', null, null);
          return null;
        }
        dailySlotDay = today;
        tookDailySlot = true;
      }
    }
    const lanes: Lanes = {
      account: resolved.accountLane,
      accountRatePerSecond: this.settings.accountRatePerSecond,
      sender: message.from,
      senderRatePerSecond: this.settings.senderRatePerSecond,
    };
    return { message, provider: resolved.provider, lanes, dailySlotDay, tookDailySlot, leaseUntil: message.availableAt.getTime(), finished };
  }

  /** Ends the message before any call when its challenge is over: never sent late. */
  private async whyNotSend(message: OutboxMessageDoc): Promise<{ status: 'dropped'; reason: DeliveryReason } | null> {
    if (message.expiresAt.getTime() <= this.deps.clock.now().getTime()) return { status: 'dropped', reason: 'challenge_expired' };
    const [challenge, tenant] = await Promise.all([
      typed(this.deps.store.challenges).findOne({ _id: message.challengeId }, { projection: { status: 1, expiresAt: 1 } }),
      // Read fresh, not from a cache: once the operator suspends a tenant, nothing of it leaves.
      typed(this.deps.store.tenants).findOne({ _id: message.tenantId }, { projection: { suspendedAt: 1 } }),
    ]);
    if (tenant?.suspendedAt) return { status: 'dropped', reason: 'tenant_suspended' };
    if (!challenge) return { status: 'dropped', reason: 'challenge_expired' };
    if (challenge.status === 'verified') return { status: 'dropped', reason: 'challenge_completed' };
    return null;
  }

  /** Hands a checked message to its sender's pump (started when the sender has none). */
  private enqueue(ready: ReadyMessage): void {
    const sender = ready.message.from;
    const backlog = this.pumps.get(sender);
    if (backlog) {
      backlog.push(ready);
      return;
    }
    const fresh = [ready];
    this.pumps.set(sender, fresh);
    void this.pump(sender, fresh);
  }

  private async pump(sender: string, backlog: ReadyMessage[]): Promise<void> {
    while (backlog.length > 0) {
      const ready = backlog.shift()!;
      try {
        const started = await this.slotAndCall(ready);
        if (!started) {
          ready.finished();
          continue;
        }
        void started.call
          .then(({ outcome, answeredAt }) =>
            Promise.all([
              this.record(ready, outcome),
              // The lanes count the send until its answer (or, with none, until its call's bound).
              this.throughput
                .settle(started.slot, outcome.kind === 'retry' && outcome.inDoubt ? null : answeredAt)
                .catch((error: unknown) => this.deps.log.error('sms outbox: settling a throughput slot failed', { error: errorText(error), messageId: ready.message._id })),
            ]),
          )
          .catch((error: unknown) => this.deps.log.error('sms outbox: recording an outcome failed', { error: errorText(error), messageId: ready.message._id }))
          .finally(ready.finished);
        // Let the request reach the wire before the next message of the sender may start its own.
        await new Promise((resolve) => setImmediate(resolve));
      } catch (error) {
        this.deps.log.error('sms outbox: sending failed', { error: errorText(error), messageId: ready.message._id });
        ready.finished();
      }
    }
    this.pumps.delete(sender);
  }

  /**
   * Fences the call (lease over the wait and the call), takes a slot of the sender's lanes and
   * sleeps until it (see `Throughput.take`), then starts the call; its answer comes with the
   * time it came (the slot is settled by it). Null when the message ended instead.
   */
  private async slotAndCall(ready: ReadyMessage): Promise<{ call: Promise<{ outcome: SendOutcome; answeredAt: number }>; slot: Slot } | null> {
    const { message, provider } = ready;
    const unsentSlot = ready.tookDailySlot ? ready.dailySlotDay : unsentDailySlot(message);
    const body = message.bodySealed ? decrypt(this.deps.secret, OUTBOX_BODY_PURPOSE, message.bodySealed) : null;
    if (body === null) {
      await this.end(message, 'failed', 'provider_rejected', 'body_missing', unsentSlot);
      return null;
    }
    ready.leaseUntil = Date.now() + this.settings.leaseMs;
    if (!(await this.outbox.messages.startCall(message._id, this.id, ready.leaseUntil, ready.dailySlotDay))) {
      // The lease was lost (this process stalled past it): another worker owns the message now,
      // and takes its own day slot (the fence did not record this claim's): this one goes back.
      this.deps.log.error('sms outbox: lease lost before the call', { messageId: message._id, worker: this.id });
      if (ready.tookDailySlot && ready.dailySlotDay) await this.throughput.releaseDailySlot(message.from, ready.dailySlotDay);
      return null;
    }
    // The lease must cover each wait for a slot and the call.
    const slot = await this.throughput.take(ready.lanes, async (until) => {
      const needed = until + this.settings.callTimeoutMs + this.settings.callMarginMs;
      if (needed <= ready.leaseUntil) return;
      ready.leaseUntil = needed + this.settings.leaseMs;
      await this.outbox.messages.extendLease(message._id, this.id, ready.leaseUntil);
    });
    if (message.expiresAt.getTime() <= this.deps.clock.now().getTime()) {
      // Fenced but never called: the message is not in doubt, whatever the fence wrote.
      await this.throughput.giveBack(slot);
      await this.end(message, 'dropped', 'challenge_expired', null, unsentSlot);
      return null;
    }
    this.stats.calls += 1;
    this.deps.log.debug('sms outbox: calling the provider', { messageId: message._id, lateMs: Date.now() - slot.at });
    const call = provider
      .send({
        id: message._id,
        realm: message.realm,
        challengeId: message.challengeId,
        from: message.from,
        to: message.to,
        text: body,
        messagingProfileId: message.messagingProfileId,
      })
      .catch((error: unknown): SendOutcome => ({ kind: 'retry', error: `unexpected:${errorText(error)}`, retryAfterMs: null, inDoubt: true }))
      .then((outcome) => ({ outcome, answeredAt: Date.now() }));
    // Wrapped: an async function returning the bare promise would wait for the call to finish.
    return { call, slot };
  }

  private async record(ready: ReadyMessage, outcome: SendOutcome): Promise<void> {
    const { message } = ready;
    const calls = message.calls + 1;
    if (outcome.kind === 'accepted') {
      const providerMessageId = outcome.providerMessageId || null;
      if (await this.outbox.messages.markSent(message._id, this.id, providerMessageId)) {
        this.stats.sent += 1;
        await advanceDelivery(this.deps, this.outbox, message, this.state(message, 'sent', null));
      }
      return;
    }
    // Nothing was sent by this call unless it is in doubt; a slot of the day stays taken while any call may have been.
    const inDoubt = message.inDoubt || (outcome.kind === 'retry' && outcome.inDoubt);
    if (outcome.kind === 'rejected') {
      if (outcome.reason === 'opted_out') {
        // The carrier blocks this pair (STOP we never heard of): remember it so the next send fails fast.
        const now = new Date();
        if (await this.outbox.optOuts.record({ sender: message.from, phone: message.to, optedOut: true, source: 'provider_40300', at: now, now })) {
          await auditOptOut(this.deps, this.outbox, { sender: message.from, phone: message.to, optedOut: true, keyword: 'provider_40300', message });
        }
      }
      if (outcome.reason === 'provider_auth_failed') {
        this.deps.log.error('sms outbox: the provider refused our credentials', { messageId: message._id, account: message.accountKey });
      }
      await this.end(message, 'failed', outcome.reason, outcome.error, inDoubt ? null : ready.dailySlotDay);
      return;
    }
    if (calls >= this.settings.maxCalls) {
      await this.end(message, 'failed', 'provider_unavailable', outcome.error, inDoubt ? null : ready.dailySlotDay);
      return;
    }
    const delay = Math.max(backoffMs(this.settings, calls), outcome.retryAfterMs ?? 0);
    if (await this.outbox.messages.retryLater(message._id, this.id, Date.now() + delay, outcome.error, inDoubt)) this.stats.retried += 1;
  }

  /** Finishes a message as failed or dropped, gives back its day slot when nothing was sent, and tells the challenge. */
  private async end(
    message: OutboxMessageDoc,
    status: 'failed' | 'dropped',
    reason: DeliveryReason,
    error: string | null,
    releaseDailySlotOf: string | null,
  ): Promise<void> {
    if (!(await this.outbox.messages.finish(message._id, this.id, status, reason, error))) return;
    this.stats[status] += 1;
    this.stats.ended[`${status}:${reason}`] = (this.stats.ended[`${status}:${reason}`] ?? 0) + 1;
    if (releaseDailySlotOf) await this.throughput.releaseDailySlot(message.from, releaseDailySlotOf);
    await advanceDelivery(this.deps, this.outbox, message, this.state(message, status, reason));
    this.deps.log.info('sms outbox: message ended', { messageId: message._id, realm: message.realm, status, reason, error });
  }

  private state(message: OutboxMessageDoc, status: DeliveryState['status'], reason: DeliveryReason | null): DeliveryState {
    return { status, reason, messageId: message._id, updatedAt: this.deps.clock.now() };
  }
}

/** The day slot a message holds from earlier calls, when none of them can have been sent. */
function unsentDailySlot(message: OutboxMessageDoc): string | null {
  return message.inDoubt ? null : message.dailySlotDay;
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
