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

function windowOf(limit: Limit, now: Date) {
  const size = limit.windowSeconds * 1000;
  const start = Math.floor(now.getTime() / size) * size;
  return { id: `${limit.key}@${start}`, end: new Date(start + size) };
}

/**
 * Takes one slot from every counter, atomically per counter: the limit is in the filter of a
 * single upsert, so concurrent requests (in any number of processes) can never exceed it. When
 * one counter is full the slots already taken are given back, so a refusal costs nothing.
 */
export async function consumeLimits(store: Store, clock: Clock, limits: Limit[]): Promise<Consumed> {
  const now = clock.now();
  const taken: string[] = [];
  const release = async () => {
    for (const id of taken) await store.rateCounters.updateOne({ _id: id, count: { $gt: 0 } }, { $inc: { count: -1 } });
  };
  for (const limit of limits) {
    const { id, end } = windowOf(limit, now);
    if (limit.limit <= 0 || !(await takeSlot(store, id, limit.limit, end))) {
      await release();
      return { ok: false, reason: limit.reason, retryAfterSeconds: Math.max(1, Math.ceil((end.getTime() - now.getTime()) / 1000)) };
    }
    taken.push(id);
  }
  return { ok: true, release };
}

async function takeSlot(store: Store, id: string, limit: number, expiresAt: Date): Promise<boolean> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const doc = await store.rateCounters.findOneAndUpdate(
        { _id: id, count: { $lt: limit } },
        { $inc: { count: 1 }, $setOnInsert: { expiresAt } },
        { upsert: true, returnDocument: 'after' },
      );
      return doc !== null;
    } catch (error) {
      // The counter exists and is full, so the upsert collided with it. On a real MongoDB two
      // first-time upserts can also collide; then the counter is not full and one retry wins.
      if (!(error instanceof MongoServerError) || error.code !== 11000) throw error;
      const current = await store.rateCounters.findOne({ _id: id });
      if (!current || current.count >= limit) return false;
    }
  }
  return false;
}

/** Reads how much of a window is used, without taking a slot. */
export async function peekLimit(store: Store, clock: Clock, limit: Limit): Promise<number> {
  const { id } = windowOf(limit, clock.now());
  const doc = await store.rateCounters.findOne({ _id: id });
  return doc?.count ?? 0;
}
