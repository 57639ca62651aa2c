import type { Collection, Filter, Sort, UpdateFilter, WithId } from 'mongodb';

/**
 * A durable queue in one MongoDB collection whose claims are leases: the SMS outbox
 * (`smsOutbox`) and the job outbox (`jobs`) are both one.
 *
 *   waiting ──claim (lease)──▶ leased ──finish──▶ a final status
 *      ▲                         │
 *      └──── retryLater (backoff)┘     a lease that runs out puts the item back in reach
 *
 * `availableAt` is the retry time of a waiting item and the lease expiry of a leased one, so an
 * item whose worker crashed comes back by itself. Every step is one atomic update whose filter
 * names who may take it (`leaseOwner`): no two workers ever hold one item, and every process
 * may run workers. Delivery is at least once: a worker that dies mid-attempt leaves the item to
 * be attempted again. Lease and retry times are wall-clock: they pace real calls.
 */
export interface LeasedDoc {
  _id: string;
  status: string;
  availableAt: Date;
  leaseOwner: string | null;
  updatedAt: Date;
}

export interface LeasedQueueOptions<T extends LeasedDoc> {
  /** The status of an item waiting for a worker, and of one a worker holds. */
  waiting: T['status'];
  leased: T['status'];
  /** The order claims take due items in. */
  order: Sort;
}

export class LeasedQueue<T extends LeasedDoc> {
  constructor(
    readonly collection: Collection<T>,
    private readonly options: LeasedQueueOptions<T>,
  ) {}

  /**
   * Takes the first due item (waiting past its retry time, or leased with an expired lease) that
   * also matches `where`, for `leaseMs`. `also` adds to the claim's own update (e.g. counting an
   * attempt). One findOneAndUpdate: two workers can never hold one item.
   */
  async claim(workerId: string, leaseMs: number, where: Filter<T> = {}, also: UpdateFilter<T> = {}): Promise<WithId<T> | null> {
    const now = Date.now();
    const filter = {
      status: { $in: [this.options.waiting, this.options.leased] },
      availableAt: { $lte: new Date(now) },
      ...where,
    } as Filter<T>;
    const lease = { status: this.options.leased, leaseOwner: workerId, availableAt: new Date(now + leaseMs), updatedAt: new Date(now) };
    const update = { ...also, $set: { ...lease, ...also.$set } } as UpdateFilter<T>;
    return this.collection.findOneAndUpdate(filter, update, { sort: this.options.order, returnDocument: 'after' });
  }

  /** Applies `update` to an item only while `workerId` holds it. False when the lease was lost. */
  async whileHeld(id: string, workerId: string, update: UpdateFilter<T>): Promise<boolean> {
    const result = await this.collection.updateOne(this.held(id, workerId), update);
    return result.matchedCount === 1;
  }

  /** Keeps the lease until `until` (wall ms). */
  extendLease(id: string, workerId: string, until: number): Promise<boolean> {
    return this.whileHeld(id, workerId, { $set: { availableAt: new Date(until) } } as UpdateFilter<T>);
  }

  /** Back to waiting until `at` (wall ms), with `set` (the error, what the attempt learnt). */
  retryLater(id: string, workerId: string, at: number, set: Partial<T>): Promise<boolean> {
    const back = { status: this.options.waiting, availableAt: new Date(at), leaseOwner: null, updatedAt: new Date() };
    return this.whileHeld(id, workerId, { $set: { ...set, ...back } } as UpdateFilter<T>);
  }

  /** Ends the attempt for good with `set` (its final status among them); the lease goes. */
  finish(id: string, workerId: string, set: Partial<T> & { status: T['status'] }): Promise<boolean> {
    return this.whileHeld(id, workerId, { $set: { ...set, leaseOwner: null, updatedAt: new Date() } } as UpdateFilter<T>);
  }

  /** Gives a held item back untouched, due at once (the worker stops before its attempt). */
  async release(id: string, workerId: string): Promise<void> {
    await this.whileHeld(id, workerId, { $set: { status: this.options.waiting, availableAt: new Date(), leaseOwner: null } } as UpdateFilter<T>);
  }

  private held(id: string, workerId: string): Filter<T> {
    return { _id: id, leaseOwner: workerId, status: this.options.leased } as Filter<T>;
  }
}

export interface BackoffSettings {
  retryBaseMs: number;
  retryMaxMs: number;
}

/**
 * The wait before attempt `attempts + 1`: base * 2^(attempts-1), capped, with equal jitter (half
 * fixed, half random), so the retries of a burst spread out instead of returning together.
 */
export function backoffMs(settings: BackoffSettings, attempts: number, random = Math.random()): number {
  const full = Math.min(settings.retryMaxMs, settings.retryBaseMs * 2 ** Math.max(0, attempts - 1));
  return full / 2 + random * (full / 2);
}
