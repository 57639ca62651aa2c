import { randomBytes } from 'node:crypto';
import type { Collection } from 'mongodb';
import { hmac } from '../crypto.ts';
import type { ChallengeDoc, DeliveryState, DeliveryStatus } from '../store/documents.ts';
import type { Store } from '../store/index.ts';
import type { DeliveryReason, OptOutDoc, OutboxMessageDoc, TelnyxEventDoc, ThrottleDoc } from './types.ts';

/**
 * The durable outbox (`smsOutbox`) and the delivery state it keeps on challenges. Every step of a
 * message is one atomic update whose filter says who may take it:
 *
 *   queued ──claim (lease)──▶ sending ──fence, provider call──▶ sent ──receipts──▶ delivered | failed
 *      ▲                         │
 *      └──── retry (backoff) ────┘──▶ failed (permanent) | dropped (challenge over)
 *
 * A claim is a lease: `availableAt` is the retry time of a queued message and the lease expiry of
 * one being sent, so a crashed worker's message comes back by itself. Lease and retry times are
 * wall-clock; the message's `expiresAt` is the challenge's and is compared with the domain clock.
 */

const STATUS_RANK: Record<DeliveryStatus, number> = { queued: 0, sending: 1, sent: 2, delivered: 3, failed: 3, dropped: 3 };

/** Statuses a message (or a challenge's delivery) may move from to reach `status`: never backwards. */
export function statusesBefore(status: DeliveryStatus): DeliveryStatus[] {
  return (Object.keys(STATUS_RANK) as DeliveryStatus[]).filter((s) => STATUS_RANK[s] < STATUS_RANK[status]);
}

export function isFinal(status: DeliveryStatus): boolean {
  return STATUS_RANK[status] === 3;
}

let sequence = 0;

/**
 * `msg_` + wall time + a per-process sequence + randomness: unique, and sorted by creation within
 * a process, which breaks `createdAt` ties in FIFO order.
 */
export function newMessageId(epochMs: number = Date.now()): string {
  sequence = (sequence + 1) % 36 ** 4;
  return `msg_${epochMs.toString(36).padStart(9, '0')}${sequence.toString(36).padStart(4, '0')}${randomBytes(6).toString('hex')}`;
}

/** HMAC of a message's destination and body: matches a provider receipt (which carries both) to it. */
export function bodyHashOf(secret: string, to: string, text: string): string {
  return hmac(secret, `sms-body:${to}\n${text}`);
}

export class Outbox {
  readonly messages: Collection<OutboxMessageDoc>;
  readonly optOuts: Collection<OptOutDoc>;
  readonly events: Collection<TelnyxEventDoc>;
  readonly throttle: Collection<ThrottleDoc>;
  private readonly challenges: Collection<ChallengeDoc>;

  constructor(store: Store) {
    this.messages = store.collection<OutboxMessageDoc>('smsOutbox');
    this.optOuts = store.collection<OptOutDoc>('optOuts');
    this.events = store.collection<TelnyxEventDoc>('telnyxEvents');
    this.throttle = store.collection<ThrottleDoc>('smsThrottle');
    this.challenges = store.challenges;
  }

  /**
   * Takes the oldest message that is due (queued and past its retry time, or sending with an
   * expired lease) for `leaseMs`, from any sender but `skipSenders`. One findOneAndUpdate: two
   * workers can never hold one message.
   */
  async claimNext(workerId: string, leaseMs: number, skipSenders: string[] = []): Promise<OutboxMessageDoc | null> {
    const now = Date.now();
    return this.messages.findOneAndUpdate(
      {
        status: { $in: ['queued', 'sending'] },
        availableAt: { $lte: new Date(now) },
        ...(skipSenders.length > 0 ? { from: { $nin: skipSenders } } : {}),
      },
      { $set: { status: 'sending', leaseOwner: workerId, availableAt: new Date(now + leaseMs), updatedAt: new Date(now) } },
      { sort: { createdAt: 1, _id: 1 }, returnDocument: 'after' },
    );
  }

  /** Keeps the lease until `until` (the message took a later throughput slot). */
  async extendLease(id: string, workerId: string, until: number): Promise<boolean> {
    const result = await this.messages.updateOne({ _id: id, leaseOwner: workerId, status: 'sending' }, { $set: { availableAt: new Date(until) } });
    return result.matchedCount === 1;
  }

  /**
   * The fence before a provider call: only the lease holder passes, and the lease is stretched
   * over the wait for the slot and the whole call (timeout plus margin) so nobody else can take
   * the message mid-call. From here until the outcome is recorded the message is "in doubt".
   */
  async startCall(id: string, workerId: string, leaseUntil: number, dailySlotDay: string | null): Promise<boolean> {
    const result = await this.messages.updateOne(
      { _id: id, leaseOwner: workerId, status: 'sending' },
      { $set: { availableAt: new Date(leaseUntil), inDoubt: true, dailySlotDay, updatedAt: new Date() }, $inc: { calls: 1 } },
    );
    return result.matchedCount === 1;
  }

  /** The provider took it. False when a receipt got there first (it recorded the same thing). */
  async markSent(id: string, workerId: string, providerMessageId: string | null): Promise<boolean> {
    const now = new Date();
    const result = await this.messages.updateOne(
      { _id: id, leaseOwner: workerId, status: 'sending' },
      {
        $set: {
          status: 'sent',
          providerMessageId,
          sentAt: now,
          inDoubt: false,
          bodySealed: null,
          leaseOwner: null,
          reason: null,
          lastError: null,
          updatedAt: now,
        },
      },
    );
    return result.matchedCount === 1;
  }

  /** Back to the queue until `availableAt`; `inDoubt` stays set once any call may have been taken. */
  async retryLater(id: string, workerId: string, availableAt: number, error: string, inDoubt: boolean): Promise<boolean> {
    const result = await this.messages.updateOne(
      { _id: id, leaseOwner: workerId, status: 'sending' },
      { $set: { status: 'queued', availableAt: new Date(availableAt), leaseOwner: null, lastError: error, inDoubt, updatedAt: new Date() } },
    );
    return result.matchedCount === 1;
  }

  /** Failed or dropped for good: the sealed body goes with it. */
  async finish(id: string, workerId: string, status: 'failed' | 'dropped', reason: DeliveryReason, error: string | null): Promise<boolean> {
    const result = await this.messages.updateOne(
      { _id: id, leaseOwner: workerId, status: 'sending' },
      { $set: { status, reason, bodySealed: null, leaseOwner: null, lastError: error, updatedAt: new Date() } },
    );
    return result.matchedCount === 1;
  }

  /** Gives a claimed message back untouched (the worker is stopping before its call). */
  async release(id: string, workerId: string): Promise<void> {
    await this.messages.updateOne(
      { _id: id, leaseOwner: workerId, status: 'sending' },
      { $set: { status: 'queued', availableAt: new Date(), leaseOwner: null } },
    );
  }

  /**
   * A delivery receipt (webhook): moves the message forward, never back. When no message carries
   * the provider's id yet — its answer was lost (timeout, crash) or is still being recorded — the
   * receipt is matched by destination and body to the oldest message with a call in doubt, and
   * settles it: that message will not be sent again. `matched` is false when no message is known.
   */
  async applyReceipt(input: {
    accountKey: string;
    providerMessageId: string;
    bodyHash: string | null;
    status: DeliveryStatus;
    reason: DeliveryReason | null;
    now: Date;
  }): Promise<{ matched: boolean; updated: OutboxMessageDoc | null }> {
    const set: Partial<OutboxMessageDoc> = { status: input.status, reason: input.reason, updatedAt: input.now };
    const byProviderId = { providerMessageId: input.providerMessageId, accountKey: input.accountKey };
    // Two rounds: a worker may record the provider's id between our lookups.
    for (let round = 0; round < 2; round++) {
      const updated = await this.messages.findOneAndUpdate(
        { ...byProviderId, status: { $in: statusesBefore(input.status) } },
        { $set: set },
        { returnDocument: 'after' },
      );
      if (updated) return { matched: true, updated };
      const known = await this.messages.findOne(byProviderId, { projection: { status: 1 } });
      if (known && STATUS_RANK[known.status] >= STATUS_RANK[input.status]) return { matched: true, updated: null };
      if (known) continue;
      if (!input.bodyHash) return { matched: false, updated: null };
      const inDoubt = await this.messages.findOneAndUpdate(
        { bodyHash: input.bodyHash, accountKey: input.accountKey, providerMessageId: null, calls: { $gt: 0 }, status: { $in: ['queued', 'sending'] } },
        { $set: { ...set, providerMessageId: input.providerMessageId, sentAt: input.now, inDoubt: false, bodySealed: null, leaseOwner: null } },
        { sort: { createdAt: 1, _id: 1 }, returnDocument: 'after' },
      );
      if (inDoubt) return { matched: true, updated: inDoubt };
    }
    return { matched: false, updated: null };
  }

  /** Sets a challenge's delivery to a new message (dispatch): the newest message is the one shown. */
  async showOnChallenge(challengeId: string, state: DeliveryState): Promise<void> {
    await this.challenges.updateOne({ _id: challengeId }, { $set: { delivery: state } });
  }

  /**
   * Moves a challenge's delivery forward for one of its messages: only while that message is
   * still the one shown (a resend replaces it) and never backwards (receipts arrive in any order).
   */
  async advanceOnChallenge(challengeId: string, state: DeliveryState): Promise<void> {
    await this.challenges.updateOne(
      { _id: challengeId, 'delivery.messageId': state.messageId, 'delivery.status': { $in: statusesBefore(state.status) } },
      { $set: { delivery: state } },
    );
  }
}
