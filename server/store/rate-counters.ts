import type { RateCounterDoc } from './documents.ts';
import { Repository } from './repository.ts';

/** `rateCounters`: one fixed-window counter per key; the limit is in the filter of the upsert. */
export class RateCounterRepository extends Repository<RateCounterDoc> {
  /**
   * Counts one event if the window is open and below `limit`, opening it (until `windowEnd`) on
   * first use. Null when the counter is full or its window has ended: the upsert then collides
   * with it, which the driver reports as a duplicate key (code 11000) — the caller handles both.
   */
  take(key: string, limit: number, now: Date, windowEnd: Date): Promise<RateCounterDoc | null> {
    return this.collection.findOneAndUpdate(
      { _id: key, count: { $lt: limit }, expiresAt: { $gt: now } },
      { $inc: { count: 1 }, $setOnInsert: { expiresAt: windowEnd } },
      { upsert: true, returnDocument: 'after' },
    );
  }

  /** Starts an ended window again; of concurrent restarts only one matches. */
  async restartEnded(key: string, now: Date, windowEnd: Date): Promise<void> {
    await this.collection.updateOne({ _id: key, expiresAt: { $lte: now } }, { $set: { count: 0, expiresAt: windowEnd } });
  }

  /** Gives one event back. */
  async giveBack(key: string): Promise<void> {
    await this.collection.updateOne({ _id: key, count: { $gt: 0 } }, { $inc: { count: -1 } });
  }

  /** Sets the counter back to zero; returns it as it was (null when it was already zero or absent). */
  reset(key: string): Promise<RateCounterDoc | null> {
    return this.collection.findOneAndUpdate({ _id: key, count: { $gt: 0 } }, { $set: { count: 0 } }, { returnDocument: 'before' });
  }

  /** The counter while its window is open. */
  findOpen(key: string, now: Date): Promise<RateCounterDoc | null> {
    return this.collection.findOne({ _id: key, expiresAt: { $gt: now } });
  }
}
