import { hostname } from 'node:os';
import type { Clock } from '../clock.ts';
import { decrypt, randomToken } from '../crypto.ts';
import type { Logger } from '../log.ts';
import type { DeliveryState } from '../store/documents.ts';
import type { Store } from '../store/index.ts';
import { isOptedOut, recordOptOutState } from './opt-outs.ts';
import { Outbox } from './outbox.ts';
import type { ProviderDirectory } from './senders.ts';
import type { DeliverySettings } from './settings.ts';
import { Throughput, utcDay } from './throttle.ts';
import type { DeliveryReason, OutboxMessageDoc, SendOutcome, SmsProvider } from './types.ts';

export const OUTBOX_BODY_PURPOSE = 'outbox-body';

/** A claimed message that passed its checks and holds a throughput slot. */
interface ReadyMessage {
  message: OutboxMessageDoc;
  provider: SmsProvider;
  /** Wall ms at which its throughput slot comes. */
  sendAt: number;
  /** The UTC day whose sender counter now holds its slot (unverified senders), if any. */
  dailySlotDay: string | null;
  /** Whether that slot was taken by this claim (and must be given back if nothing is sent). */
  tookDailySlot: boolean;
}

/**
 * Drains the outbox. Safe to run in every process: claims are leases (see `Outbox`), so no two
 * workers ever hold one message, and throughput slots come from lanes shared through MongoDB.
 *
 * One loop claims messages oldest first and, in that order, checks them and reserves their
 * throughput slots; up to `workerConcurrency` of them then wait for their slot and call the
 * provider concurrently. So sends of one sender leave in `createdAt` order, except a message
 * waiting for a retry, which does not hold back the ones behind it.
 *
 * Delivery is at-most-once per message, with one window of at-least-once: a process that dies
 * (or stalls past its lease) after the provider accepted a message and before the acceptance
 * was recorded leaves the message "in doubt"; when its lease runs out another worker sends it
 * again. The same holds for a call that timed out after the provider took it. A delivery receipt
 * for the first send that arrives before the retry closes the window (`Outbox.applyReceipt`),
 * so in practice duplicates need a crash and a lost receipt; at worst one per message in flight
 * in the dead process (`workerConcurrency`).
 */
/** What one worker did since it started (observability; tests tell workers apart by it). */
export interface WorkerStats {
  claimed: number;
  calls: number;
  sent: number;
  retried: number;
  failed: number;
  dropped: number;
}

export class OutboxWorker {
  readonly id = `wrk_${hostname()}_${process.pid}_${randomToken(4)}`;
  readonly stats: WorkerStats = { claimed: 0, calls: 0, sent: 0, retried: 0, failed: 0, dropped: 0 };
  private running = false;
  private loop: Promise<void> | null = null;
  private readonly inFlight = new Set<Promise<void>>();
  private wake: (() => void) | null = null;
  private nudged = false;

  constructor(
    private readonly deps: { store: Store; clock: Clock; log: Logger; secret: string },
    private readonly outbox: Outbox,
    private readonly throughput: Throughput,
    private readonly providers: ProviderDirectory,
    private readonly settings: DeliverySettings,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** A message was queued by this process: look now rather than at the next poll. */
  nudge(): void {
    this.nudged = true;
    this.wake?.();
  }

  /** Stops claiming and lets the messages it holds go out (each waits at most for its throughput slot). */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.wake?.();
    await this.loop;
    await Promise.allSettled([...this.inFlight]);
  }

  private async run(): Promise<void> {
    while (this.running) {
      if (this.inFlight.size >= this.settings.workerConcurrency) {
        await Promise.race(this.inFlight);
        continue;
      }
      let message: OutboxMessageDoc | null;
      try {
        message = await this.outbox.claimNext(this.id, this.settings.leaseMs);
      } catch (error) {
        this.deps.log.error('sms outbox: claim failed', { error: errorText(error), worker: this.id });
        await this.idle();
        continue;
      }
      if (!message) {
        await this.idle();
        continue;
      }
      this.stats.claimed += 1;
      let ready: ReadyMessage | null;
      try {
        ready = await this.prepare(message);
      } catch (error) {
        this.deps.log.error('sms outbox: checks before sending failed', { error: errorText(error), messageId: message._id });
        await this.outbox.release(message._id, this.id).catch(() => undefined);
        await this.idle();
        continue;
      }
      if (!ready) continue;
      const work: Promise<void> = this.deliver(ready)
        .catch((error: unknown) => this.deps.log.error('sms outbox: send failed', { error: errorText(error), messageId: ready.message._id }))
        .finally(() => this.inFlight.delete(work));
      this.inFlight.add(work);
    }
  }

  private async idle(): Promise<void> {
    if (this.nudged) {
      this.nudged = false;
      return;
    }
    await new Promise<void>((resolve) => {
      const timer = setTimeout(done, this.settings.pollMs);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
    this.wake = null;
    this.nudged = false;
  }

  /**
   * In claim order: is the message still worth sending, may it be sent to this number, from
   * which account, within the day's cap — then its throughput slot. Null when it ended here.
   */
  private async prepare(message: OutboxMessageDoc): Promise<ReadyMessage | null> {
    if (message.inDoubt) {
      this.deps.log.info('sms outbox: resending a message whose previous call has no recorded outcome', { messageId: message._id });
    }
    const heldSlot = unsentDailySlot(message);
    const ended = await this.whyNotSend(message);
    if (ended) {
      await this.end(message, ended.status, ended.reason, null, heldSlot);
      return null;
    }
    if (await isOptedOut(this.outbox.optOuts, message.from, message.to)) {
      await this.end(message, 'failed', 'opted_out', null, heldSlot);
      return null;
    }
    const provider = await this.providers.providerFor(message);
    if (typeof provider === 'string') {
      await this.end(message, 'failed', provider, null, heldSlot);
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
    const sendAt = await this.throughput.reserve({
      accountKey: message.accountKey,
      accountRatePerSecond: this.settings.accountRatePerSecond,
      sender: message.from,
      senderRatePerSecond: this.settings.senderRatePerSecond,
    });
    // The claim must outlive the wait for the slot; stretch it when the lane is booked far ahead.
    const leaseLeft = message.availableAt.getTime() - this.settings.callMarginMs;
    if (sendAt > leaseLeft) await this.outbox.extendLease(message._id, this.id, sendAt + this.settings.leaseMs);
    return { message, provider, sendAt, dailySlotDay, tookDailySlot };
  }

  /** Ends the message before any call when its challenge is over: never sent late. */
  private async whyNotSend(message: OutboxMessageDoc): Promise<{ status: 'dropped'; reason: DeliveryReason } | null> {
    if (message.expiresAt.getTime() <= this.deps.clock.now().getTime()) return { status: 'dropped', reason: 'challenge_expired' };
    const challenge = await this.deps.store.challenges.findOne({ _id: message.challengeId }, { projection: { status: 1, expiresAt: 1 } });
    if (!challenge) return { status: 'dropped', reason: 'challenge_expired' };
    if (challenge.status === 'verified') return { status: 'dropped', reason: 'challenge_completed' };
    return null;
  }

  private async deliver(ready: ReadyMessage): Promise<void> {
    const { message, provider } = ready;
    const wait = ready.sendAt - Date.now();
    if (wait > 0) await sleep(wait);
    if (message.expiresAt.getTime() <= this.deps.clock.now().getTime()) {
      await this.end(message, 'dropped', 'challenge_expired', null, ready.tookDailySlot ? ready.dailySlotDay : unsentDailySlot(message));
      return;
    }
    const leaseUntil = Date.now() + this.settings.callTimeoutMs + this.settings.callMarginMs;
    if (!(await this.outbox.startCall(message._id, this.id, leaseUntil, ready.dailySlotDay))) {
      // The lease was lost (this process stalled past it): another worker owns the message now.
      this.deps.log.error('sms outbox: lease lost before the call', { messageId: message._id, worker: this.id });
      return;
    }
    const body = message.bodySealed ? decrypt(this.deps.secret, OUTBOX_BODY_PURPOSE, message.bodySealed) : null;
    if (body === null) {
      await this.end(message, 'failed', 'provider_rejected', 'body_missing', ready.dailySlotDay);
      return;
    }
    this.stats.calls += 1;
    const outcome = await provider
      .send({
        id: message._id,
        realm: message.realm,
        challengeId: message.challengeId,
        from: message.from,
        to: message.to,
        text: body,
        messagingProfileId: message.messagingProfileId,
      })
      .catch((error: unknown): SendOutcome => ({ kind: 'retry', error: `unexpected:${errorText(error)}`, retryAfterMs: null, inDoubt: true }));
    await this.record(ready, outcome);
  }

  private async record(ready: ReadyMessage, outcome: SendOutcome): Promise<void> {
    const { message } = ready;
    const calls = message.calls + 1;
    if (outcome.kind === 'accepted') {
      const providerMessageId = outcome.providerMessageId || null;
      if (await this.outbox.markSent(message._id, this.id, providerMessageId)) {
        this.stats.sent += 1;
        await this.outbox.advanceOnChallenge(message.challengeId, this.state(message, 'sent', null));
      }
      return;
    }
    // Nothing was sent by this call unless it is in doubt; a slot of the day stays taken while any call may have been.
    const inDoubt = message.inDoubt || (outcome.kind === 'retry' && outcome.inDoubt);
    if (outcome.kind === 'rejected') {
      if (outcome.reason === 'opted_out') {
        // The carrier blocks this pair (STOP we never heard of): remember it so the next send fails fast.
        const now = new Date();
        await recordOptOutState(this.outbox.optOuts, { sender: message.from, phone: message.to, optedOut: true, source: 'provider_40300', at: now, now });
      }
      if (outcome.reason === 'provider_auth_failed') this.deps.log.error('sms outbox: the provider refused our credentials', { messageId: message._id, account: message.accountKey });
      await this.end(message, 'failed', outcome.reason, outcome.error, inDoubt ? null : ready.dailySlotDay);
      return;
    }
    if (calls >= this.settings.maxCalls) {
      await this.end(message, 'failed', 'provider_unavailable', outcome.error, inDoubt ? null : ready.dailySlotDay);
      return;
    }
    const backoff = Math.min(this.settings.retryMaxMs, this.settings.retryBaseMs * 2 ** (calls - 1));
    // Equal jitter: half fixed, half random, so retries of a burst spread out instead of returning together.
    const delay = Math.max(backoff / 2 + Math.random() * (backoff / 2), outcome.retryAfterMs ?? 0);
    if (await this.outbox.retryLater(message._id, this.id, Date.now() + delay, outcome.error, inDoubt)) this.stats.retried += 1;
  }

  /** Finishes a message as failed or dropped, gives back its day slot when nothing was sent, and tells the challenge. */
  private async end(
    message: OutboxMessageDoc,
    status: 'failed' | 'dropped',
    reason: DeliveryReason,
    error: string | null,
    releaseDailySlotOf: string | null,
  ): Promise<void> {
    if (!(await this.outbox.finish(message._id, this.id, status, reason, error))) return;
    this.stats[status] += 1;
    if (releaseDailySlotOf) await this.throughput.releaseDailySlot(message.from, releaseDailySlotOf);
    await this.outbox.advanceOnChallenge(message.challengeId, this.state(message, status, reason));
    this.deps.log.info('sms outbox: message ended', { messageId: message._id, realm: message.realm, status, reason, error });
  }

  private state(message: OutboxMessageDoc, status: DeliveryState['status'], reason: string | null): DeliveryState {
    return { status, reason, messageId: message._id, updatedAt: this.deps.clock.now() };
  }
}

/** The day slot a message holds from earlier calls, when none of them can have been sent. */
function unsentDailySlot(message: OutboxMessageDoc): string | null {
  return message.inDoubt ? null : message.dailySlotDay;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
