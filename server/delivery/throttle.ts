import { MongoServerError, type Collection } from 'mongodb';
import type { ThrottleDoc } from './types.ts';

/**
 * Throughput shaping shared by every process through MongoDB (`smsThrottle`).
 *
 * Rates are GCRA lanes: a lane document holds the theoretical arrival time (`tat`) of its next
 * message; reserving a send moves it forward by one interval with a compare-and-set, so two
 * processes can never take the same slot. Reservations may lie slightly in the future: the
 * worker sleeps until its slot, which spaces sends evenly instead of bursting at each second.
 *
 * Times here are wall-clock milliseconds (`Date.now()`), not the injected domain clock: they
 * pace real requests to a real provider, and every process must agree on them (keep hosts on NTP).
 */
export class Throughput {
  /** The last `tat` this process saw per lane: lets an uncontended reservation take one round trip. */
  private readonly knownTat = new Map<string, number>();

  constructor(private readonly throttle: Collection<ThrottleDoc>) {}

  /**
   * Reserves a send on the account lane, then on the sender lane no earlier than the account's
   * slot, and returns when (wall ms) the message may go. Both limits hold over any window up to
   * one interval of rounding.
   */
  async reserve(lanes: { accountKey: string; accountRatePerSecond: number; sender: string; senderRatePerSecond: number }): Promise<number> {
    const accountSlot = await this.reserveLane(`account:${lanes.accountKey}`, 1000 / lanes.accountRatePerSecond, 0);
    return this.reserveLane(`sender:${lanes.sender}`, 1000 / lanes.senderRatePerSecond, accountSlot);
  }

  private async reserveLane(id: string, intervalMs: number, notBefore: number): Promise<number> {
    let seen: number | undefined = this.knownTat.get(id);
    for (;;) {
      if (seen === undefined) {
        const doc = await this.throttle.findOne({ _id: id });
        if (!doc || doc.tat === undefined) {
          const start = Math.max(Date.now(), notBefore);
          try {
            await this.throttle.insertOne({ _id: id, tat: start + intervalMs });
            this.knownTat.set(id, start + intervalMs);
            return start;
          } catch (error) {
            if (!isDuplicateKey(error)) throw error;
            continue; // another process created the lane first: read it
          }
        }
        seen = doc.tat;
      }
      const start = Math.max(seen, Date.now(), notBefore);
      const next = start + intervalMs;
      const result = await this.throttle.updateOne({ _id: id, tat: seen }, { $set: { tat: next } });
      if (result.matchedCount === 1) {
        this.knownTat.set(id, next);
        return start;
      }
      seen = undefined; // someone else moved the lane: read it again
    }
  }

  /**
   * Takes one of the sender's slots of the UTC day `day` (unverified toll-free numbers), as one
   * atomic conditional increment. False when the day's cap is reached.
   */
  async takeDailySlot(sender: string, day: string, cap: number): Promise<boolean> {
    const id = dailyCounterId(sender, day);
    for (;;) {
      try {
        // The cap is in the filter: a full counter matches nothing, so the upsert tries to insert
        // the same _id and fails with a duplicate key, which is the "full" answer.
        await this.throttle.updateOne(
          { _id: id, count: { $lt: cap } },
          { $inc: { count: 1 }, $setOnInsert: { expiresAt: new Date(Date.parse(`${day}T00:00:00Z`) + 3 * 86_400_000) } },
          { upsert: true },
        );
        return true;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        // Also the loser of two first-of-the-day upserts: look before calling it full.
        const doc = await this.throttle.findOne({ _id: id });
        if (doc && (doc.count ?? 0) >= cap) return false;
      }
    }
  }

  /** Gives a slot back: the provider refused the message, so it was not one of the day's sends. */
  async releaseDailySlot(sender: string, day: string): Promise<void> {
    await this.throttle.updateOne({ _id: dailyCounterId(sender, day), count: { $gt: 0 } }, { $inc: { count: -1 } });
  }

  async dailyCount(sender: string, day: string): Promise<number> {
    return (await this.throttle.findOne({ _id: dailyCounterId(sender, day) }))?.count ?? 0;
  }
}

function dailyCounterId(sender: string, day: string): string {
  return `day:${sender}:${day}`;
}

/** `2026-11-26`: the UTC day a wall-clock instant falls in. */
export function utcDay(epochMs: number): string {
  return new Date(epochMs).toISOString().slice(0, 10);
}

export function isDuplicateKey(error: unknown): boolean {
  return error instanceof MongoServerError && error.code === 11000;
}
