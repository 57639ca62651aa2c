import { MongoServerError, type Collection } from 'mongodb';
import type { Store } from '../store/index.ts';
import type { ThrottleDoc } from './types.ts';

/**
 * Throughput shaping shared by every process through MongoDB (`smsThrottle`).
 *
 * Rates are GCRA lanes: a lane document holds the theoretical arrival time (`tat`) of its next
 * message; reserving a send moves it forward by one interval in one atomic update, so two
 * processes can never take the same slot. Reservations may lie slightly in the future: the
 * worker sleeps until its slot, which spaces sends evenly instead of bursting at each second.
 *
 * Times here are wall-clock milliseconds (`Date.now()`), not the injected domain clock: they
 * pace real requests to a real provider, and every process must agree on them (keep hosts on NTP).
 */
/** The rate lanes one message counts against. */
export interface Lanes {
  account: string;
  accountRatePerSecond: number;
  sender: string;
  senderRatePerSecond: number;
}

/** The throughput state (`smsThrottle`): every filter and update on it is here. */
export class Throughput {
  /** The last `tat` this process saw per lane: a hint for which of the two updates will match. */
  private readonly knownTat = new Map<string, number>();
  private readonly throttle: Collection<ThrottleDoc>;

  constructor(store: Store) {
    this.throttle = store.collection<ThrottleDoc>('smsThrottle');
  }

  /**
   * Reserves a send on the account lane, then on the sender lane no earlier than the account's
   * slot, and returns when (wall ms) the message may go.
   */
  async reserve(lanes: Lanes): Promise<number> {
    const accountSlot = await this.reserveLane(`account:${lanes.account}`, 1000 / lanes.accountRatePerSecond, 0);
    return this.reserveLane(`sender:${lanes.sender}`, 1000 / lanes.senderRatePerSecond, accountSlot);
  }

  /**
   * GCRA in one atomic update, without a compare-and-set loop: a busy lane (`tat` ahead of the
   * earliest start) moves forward by one interval and the slot is its old `tat`; an idle lane
   * restarts at the earliest start. When the guess of which case holds is wrong, the update
   * matches nothing (or its upsert hits the existing lane) and the other case is tried.
   */
  private async reserveLane(id: string, intervalMs: number, notBefore: number): Promise<number> {
    for (;;) {
      const earliest = Math.max(Date.now(), notBefore);
      const hint = this.knownTat.get(id);
      if (hint !== undefined && hint > earliest) {
        const busy = await this.throttle.findOneAndUpdate(
          { _id: id, tat: { $gt: earliest } },
          { $inc: { tat: intervalMs } },
          { returnDocument: 'before' },
        );
        if (busy?.tat !== undefined) {
          this.knownTat.set(id, busy.tat + intervalMs);
          return busy.tat;
        }
      }
      try {
        await this.throttle.updateOne({ _id: id, tat: { $lte: earliest } }, { $set: { tat: earliest + intervalMs } }, { upsert: true });
        this.knownTat.set(id, earliest + intervalMs);
        return earliest;
      } catch (error) {
        if (!isDuplicateKey(error)) throw error;
        // The lane is busy after all: take the busy path next round.
        this.knownTat.set(id, Number.POSITIVE_INFINITY);
      }
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
