import { MongoServerError } from 'mongodb';
import type { Clock } from '../clock.ts';
import type { RateLimitReason } from '../contract/errors.ts';
import type { RateCounterRepository } from '../store/rate-counters.ts';

/** One counter: at most `limit` events per fixed window of `windowSeconds` for `key`. */
export interface Limit {
  key: string;
  limit: number;
  windowSeconds: number;
  /** Why a refusal happened, as the client sees it (`phone_hourly`, `login_attempts`, ...). */
  reason: RateLimitReason;
}

export type Consumed = { ok: true; release: () => Promise<void> } | { ok: false; reason: RateLimitReason; retryAfterSeconds: number };

/**
 * Takes one slot from every counter, atomically per counter: the limit is in the filter of a
 * single upsert, so concurrent requests (in any number of processes) can never exceed it. When
 * one counter is full the slots already taken are given back, so a refusal costs nothing.
 *
 * A window starts with the first event it counts (not at a clock boundary), so a burst can never
 * straddle two windows and get twice the limit.
 */
export async function consumeLimits(counters: RateCounterRepository, clock: Clock, limits: Limit[]): Promise<Consumed> {
  const now = clock.now();
  const taken: string[] = [];
  const release = async () => {
    for (const key of taken) await counters.giveBack(key);
  };
  for (const limit of limits) {
    const slot = limit.limit > 0 ? await takeSlot(counters, limit, now) : { ok: false as const, resetsAt: new Date(now.getTime() + limit.windowSeconds * 1000) };
    if (!slot.ok) {
      await release();
      return { ok: false, reason: limit.reason, retryAfterSeconds: Math.max(1, Math.ceil((slot.resetsAt.getTime() - now.getTime()) / 1000)) };
    }
    taken.push(limit.key);
  }
  return { ok: true, release };
}

async function takeSlot(counters: RateCounterRepository, limit: Limit, now: Date): Promise<{ ok: boolean; resetsAt: Date }> {
  const windowEnd = new Date(now.getTime() + limit.windowSeconds * 1000);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const doc = await counters.take(limit.key, limit.limit, now, windowEnd);
      if (doc) return { ok: true, resetsAt: doc.expiresAt };
    } catch (error) {
      // The counter exists but did not match: it is full, or its window has ended. (On a real
      // MongoDB two first-time upserts can also collide; the retry then finds the counter.)
      if (!(error instanceof MongoServerError) || error.code !== 11000) throw error;
    }
    // An ended window starts again; of concurrent restarts only one matches.
    await counters.restartEnded(limit.key, now, windowEnd);
    const current = await counters.findById(limit.key);
    if (current && current.count >= limit.limit && current.expiresAt > now) return { ok: false, resetsAt: current.expiresAt };
  }
  return { ok: false, resetsAt: windowEnd };
}
