import { randomBytes } from 'node:crypto';
import type { FindOptions } from 'mongodb';
import { typed, type TypedCollection, type TypedFilter, type TypedUpdate } from '../store/typed.ts';
import type { DeliveryStatus } from '../contract/methods.ts';
import { hmac } from '../crypto.ts';
import { LeasedQueue } from '../queue/leased-queue.ts';
import type { ChallengeDoc, DeliveryState } from '../store/documents.ts';
import type { Store } from '../store/index.ts';
import { OptOuts } from './opt-outs.ts';
import type { DeliveryReason, OutboxMessageDoc } from './types.ts';

/**
 * The durable outbox (`smsOutbox`) and the delivery state it keeps on challenges. Every step of a
 * message is one atomic update whose filter says who may take it:
 *
 *   queued ──claim (lease)──▶ sending ──fence, provider call──▶ sent ──receipts──▶ delivered | failed
 *      ▲                         │
 *      └──── retry (backoff) ────┘──▶ failed (permanent) | dropped (challenge over)
 *
 * The outbox is a `LeasedQueue` (queued = waiting, sending = leased): a crashed worker's message
 * comes back by itself when its lease runs out. Lease and retry times are wall-clock; the
 * message's `expiresAt` is the challenge's and is compared with the domain clock.
 */

const STATUS_RANK: Record<DeliveryStatus, number> = { queued: 0, sending: 1, sent: 2, delivered: 3, failed: 3, dropped: 3 };

/** Statuses a message (or a challenge's delivery) may move from to reach `status`: never backwards. */
export function statusesBefore(status: DeliveryStatus): DeliveryStatus[] {
  return (Object.keys(STATUS_RANK) as DeliveryStatus[]).filter((s) => STATUS_RANK[s] < STATUS_RANK[status]);
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

/** The outbox messages (`smsOutbox`): every filter and update on them is here. */
export class OutboxMessages {
  private readonly collection: TypedCollection<OutboxMessageDoc>;
  private readonly queue: LeasedQueue<OutboxMessageDoc>;

  constructor(store: Store) {
    const collection = store.collection<OutboxMessageDoc>('smsOutbox');
    this.collection = typed(collection);
    // The queue's leasing is generic over its document type: it takes the driver's collection.
    this.queue = new LeasedQueue(collection, { waiting: 'queued', leased: 'sending', order: { createdAt: 1, _id: 1 } });
  }

  async insert(message: OutboxMessageDoc): Promise<void> {
    await this.collection.insertOne(message);
  }

  /** The backlog for the metrics: messages not sent yet (every process's), and the oldest one's age in seconds. */
  async backlog(now: Date): Promise<{ depth: number; oldestAgeSeconds: number }> {
    const waiting: TypedFilter<OutboxMessageDoc> = { status: { $in: ['queued', 'sending'] } };
    const [depth, oldest] = await Promise.all([
      this.collection.countDocuments(waiting),
      this.collection.find(waiting, { projection: { createdAt: 1 } }).sort({ createdAt: 1 }).limit(1).next(),
    ]);
    return { depth, oldestAgeSeconds: oldest ? Math.max(0, (now.getTime() - oldest.createdAt.getTime()) / 1000) : 0 };
  }

  /** A typed read (the audit bridge's lookup of the newest message to a pair). */
  findOne(filter: TypedFilter<OutboxMessageDoc>, options?: FindOptions): Promise<OutboxMessageDoc | null> {
    return this.collection.findOne(filter, options);
  }

  /**
   * Takes the oldest message that is due (queued and past its retry time, or sending with an
   * expired lease) for `leaseMs`, from any sender but `skipSenders`.
   */
  claimNext(workerId: string, leaseMs: number, skipSenders: string[] = []): Promise<OutboxMessageDoc | null> {
    return this.queue.claim(workerId, leaseMs, skipSenders.length > 0 ? { from: { $nin: skipSenders } } : {});
  }

  /** Keeps the lease until `until` (the message took a later throughput slot). */
  extendLease(id: string, workerId: string, until: number): Promise<boolean> {
    return this.queue.extendLease(id, workerId, until);
  }

  /**
   * The fence before a provider call: only the lease holder passes, and the lease is stretched
   * over the wait for the slot and the whole call (timeout plus margin) so nobody else can take
   * the message mid-call. From here until the outcome is recorded the message is "in doubt".
   */
  startCall(id: string, workerId: string, leaseUntil: number, dailySlotDay: string | null): Promise<boolean> {
    return this.queue.whileHeld(id, workerId, {
      $set: { availableAt: new Date(leaseUntil), inDoubt: true, dailySlotDay, updatedAt: new Date() },
      $inc: { calls: 1 },
    });
  }

  /** The provider took it. False when a receipt got there first (it recorded the same thing). */
  markSent(id: string, workerId: string, providerMessageId: string | null): Promise<boolean> {
    return this.queue.finish(id, workerId, {
      status: 'sent',
      providerMessageId,
      sentAt: new Date(),
      inDoubt: false,
      bodySealed: null,
      reason: null,
      lastError: null,
    });
  }

  /** Back to the queue until `availableAt`; `inDoubt` stays set once any call may have been taken. */
  retryLater(id: string, workerId: string, availableAt: number, error: string, inDoubt: boolean): Promise<boolean> {
    return this.queue.retryLater(id, workerId, availableAt, { lastError: error, inDoubt });
  }

  /** Failed or dropped for good: the sealed body goes with it. */
  finish(id: string, workerId: string, status: 'failed' | 'dropped', reason: DeliveryReason, error: string | null): Promise<boolean> {
    return this.queue.finish(id, workerId, { status, reason, bodySealed: null, lastError: error });
  }

  /** Gives a claimed message back untouched (the worker is stopping before its call). */
  release(id: string, workerId: string): Promise<void> {
    return this.queue.release(id, workerId);
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
    const set = { status: input.status, reason: input.reason, updatedAt: input.now } satisfies Partial<OutboxMessageDoc>;
    const byProviderId: TypedFilter<OutboxMessageDoc> = { providerMessageId: input.providerMessageId, accountKey: input.accountKey };
    // Two rounds: a worker may record the provider's id between our lookups.
    for (let round = 0; round < 2; round++) {
      const updated = await this.collection.findOneAndUpdate(
        { ...byProviderId, status: { $in: statusesBefore(input.status) } },
        { $set: set },
        { returnDocument: 'after' },
      );
      if (updated) return { matched: true, updated };
      const known = await this.collection.findOne(byProviderId, { projection: { status: 1 } });
      if (known && STATUS_RANK[known.status] >= STATUS_RANK[input.status]) return { matched: true, updated: null };
      if (known) continue;
      if (!input.bodyHash) return { matched: false, updated: null };
      const settle: TypedUpdate<OutboxMessageDoc> = {
        $set: { ...set, providerMessageId: input.providerMessageId, sentAt: input.now, inDoubt: false, bodySealed: null, leaseOwner: null },
      };
      const inDoubt = await this.collection.findOneAndUpdate(
        { bodyHash: input.bodyHash, accountKey: input.accountKey, providerMessageId: null, calls: { $gt: 0 }, status: { $in: ['queued', 'sending'] } },
        settle,
        { sort: { createdAt: 1, _id: 1 }, returnDocument: 'after' },
      );
      if (inDoubt) return { matched: true, updated: inDoubt };
    }
    return { matched: false, updated: null };
  }
}

/**
 * The delivery feature's storage: the outbox messages, the opt-outs, and the delivery state the
 * outbox keeps on challenges (`challenges.delivery`).
 */
export class Outbox {
  readonly messages: OutboxMessages;
  readonly optOuts: OptOuts;
  private readonly challenges: TypedCollection<ChallengeDoc>;

  constructor(store: Store) {
    this.messages = new OutboxMessages(store);
    this.optOuts = new OptOuts(store);
    this.challenges = typed(store.challenges);
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
