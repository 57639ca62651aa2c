import { MongoServerError } from 'mongodb';
import type { Clock } from '../clock.ts';
import type { Store } from '../store/index.ts';

/** One counter: at most `limit` events per fixed window of `windowSeconds` for `key`. */
export interface Limit {
  key: string;
  limit: number;
  windowSeconds: number;
  /** Why a refusal happened, as the client sees it (`phone_hourly`, `login_attempts`, ...). */
  reason: string;
}

export type Consumed = { ok: true; release: () => Promise<void> } | { ok: false; reason: string; retryAfterSeconds: number };

/**
 * Takes one slot from every counter, atomically per counter: the limit is in the filter of a
 * single upsert, so concurrent requests (in any number of processes) can never exceed it. When
 * one counter is full the slots already taken are given back, so a refusal costs nothing.
 *
 * A window starts with the first event it counts (not at a clock boundary), so a burst can never
 * straddle two windows and get twice the limit.
 */
export async function consumeLimits(store: Store, clock: Clock, limits: Limit[]): Promise<Consumed> {
  const now = clock.now();
  const taken: string[] = [];
  const release = async () => {
    for (const id of taken) await store.rateCounters.updateOne({ _id: id, count: { $gt: 0 } }, { $inc: { count: -1 } });
  };
  for (const limit of limits) {
    const slot = limit.limit > 0 ? await takeSlot(store, limit, now) : { ok: false as const, resetsAt: new Date(now.getTime() + limit.windowSeconds * 1000) };
    if (!slot.ok) {
      await release();
      return { ok: false, reason: limit.reason, retryAfterSeconds: Math.max(1, Math.ceil((slot.resetsAt.getTime() - now.getTime()) / 1000)) };
    }
    taken.push(limit.key);
  }
  return { ok: true, release };
}

async function takeSlot(store: Store, limit: Limit, now: Date): Promise<{ ok: boolean; resetsAt: Date }> {
  const windowEnd = new Date(now.getTime() + limit.windowSeconds * 1000);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const doc = await store.rateCounters.findOneAndUpdate(
        { _id: limit.key, count: { $lt: limit.limit }, expiresAt: { $gt: now } },
        { $inc: { count: 1 }, $setOnInsert: { expiresAt: windowEnd } },
        { upsert: true, returnDocument: 'after' },
      );
      if (doc) return { ok: true, resetsAt: doc.expiresAt };
    } catch (error) {
      // The counter exists but did not match: it is full, or its window has ended. (On a real
      // MongoDB two first-time upserts can also collide; the retry then finds the counter.)
      if (!(error instanceof MongoServerError) || error.code !== 11000) throw error;
    }
    // An ended window starts again; of concurrent restarts only one matches.
    await store.rateCounters.updateOne({ _id: limit.key, expiresAt: { $lte: now } }, { $set: { count: 0, expiresAt: windowEnd } });
    const current = await store.rateCounters.findOne({ _id: limit.key });
    if (current && current.count >= limit.limit && current.expiresAt > now) return { ok: false, resetsAt: current.expiresAt };
  }
  return { ok: false, resetsAt: windowEnd };
}

/** Reads how much of a window is used, without taking a slot. */
export async function peekLimit(store: Store, clock: Clock, limit: Limit): Promise<number> {
  const doc = await store.rateCounters.findOne({ _id: limit.key, expiresAt: { $gt: clock.now() } });
  return doc?.count ?? 0;
}
