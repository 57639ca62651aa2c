import { MongoBulkWriteError, MongoServerError, type AnyBulkWriteOperation, type Collection, type Document } from 'mongodb';
import type { RateCounterDoc } from './documents.ts';
import { Repository } from './repository.ts';

/** One slot to take: at most `limit` events for `key` in a window that ends `windowSeconds` after its first. */
export interface SlotRequest {
  key: string;
  limit: number;
  windowEnd: Date;
}

/**
 * The account-level code rule as the counters see it: at most `windowLimit` wrong codes in a
 * window of `windowSeconds`, and a streak of wrong codes that locks at `lockAt` (when the lock
 * applies to what is being checked: a recovery code still works on a locked account).
 */
export interface CodeAttemptRule {
  windowLimit: number;
  windowSeconds: number;
  lockAt: number;
  lockApplies: boolean;
  /** The streak has no window: the document lives this long. */
  streakExpiresAt: Date;
}

export type CodeAttemptRefusal = 'window_full' | 'locked';

/** What one count of a code attempt did. */
export interface CodeAttemptOutcome {
  /** Why it was refused (it then changed nothing), or null: counted. */
  refusal: CodeAttemptRefusal | null;
  /** The streak of wrong codes before it. */
  streakBefore: number;
  /** When the window of wrong codes ends (a refusal's Retry-After), if one is open. */
  windowEndsAt: Date | null;
}

const EPOCH = new Date(0);

/** `rateCounters`: one fixed-window counter per key; the limit is in the filter of the upsert. */
export class RateCounterRepository extends Repository<RateCounterDoc> {
  /** The driver's collection, for the one call the typed facade does not cover (`bulkWrite`). */
  private readonly raw: Collection<RateCounterDoc>;

  constructor(collection: Collection<RateCounterDoc>) {
    super(collection);
    this.raw = collection;
  }

  /**
   * Takes one slot of every counter in ONE round trip (one `update` command of several
   * statements, unordered). Each statement is atomic on its own counter and carries its limit in
   * its filter, so no counter can pass its limit under any concurrency, in any number of
   * processes: an open window below its limit counts one more, an ended one starts again at 1
   * (the window starts with the first event it counts), a missing counter is created. A full
   * counter matches nothing, and the upsert then collides with it (duplicate key, 11000).
   *
   * Returns, per request, whether the slot was taken. `false` means the counter collided: it is
   * full, or (on a real MongoDB) a concurrent request created it first — the caller tells which.
   * The counters are not atomic together (nothing is, across documents): the caller gives back
   * what was taken when one of them refuses.
   *
   * `giveBack`: counters whose earlier slot is given back in the same round trip (`giveBack`).
   */
  async takeSlots(requests: SlotRequest[], now: Date, giveBack: readonly string[] = []): Promise<boolean[]> {
    if (requests.length === 0) {
      await this.giveBack(giveBack);
      return [];
    }
    const operations: AnyBulkWriteOperation<RateCounterDoc>[] = requests.map(({ key, limit, windowEnd }) => {
      const open = { $gt: ['$expiresAt', now] };
      return {
        updateOne: {
          filter: { _id: key, $or: [{ count: { $lt: limit } }, { expiresAt: { $lte: now } }] },
          update: [{ $set: { count: { $cond: [open, { $add: ['$count', 1] }, 1] }, expiresAt: { $cond: [open, '$expiresAt', windowEnd] } } }],
          upsert: true,
        },
      };
    });
    if (giveBack.length > 0) operations.push(RateCounterRepository.giveBackStatement(giveBack));
    const taken = requests.map(() => true);
    try {
      await this.raw.bulkWrite(operations, { ordered: false });
    } catch (error) {
      if (!(error instanceof MongoBulkWriteError)) throw error;
      const writeErrors = Array.isArray(error.writeErrors) ? error.writeErrors : [error.writeErrors];
      for (const writeError of writeErrors) {
        if (writeError.code !== 11000) throw error;
        taken[writeError.index] = false;
      }
    }
    return taken;
  }

  /** Gives one event back to each counter (one round trip). */
  async giveBack(keys: readonly string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.raw.bulkWrite([RateCounterRepository.giveBackStatement(keys)]);
  }

  private static giveBackStatement(keys: readonly string[]): AnyBulkWriteOperation<RateCounterDoc> {
    return { updateMany: { filter: { _id: { $in: [...keys] }, count: { $gt: 0 } }, update: { $inc: { count: -1 } } } };
  }

  /** The counters with these ids, as they are now (one round trip). */
  findMany(keys: string[]): Promise<RateCounterDoc[]> {
    return this.collection.find({ _id: { $in: keys } }).toArray();
  }

  /** Sets the counter back to zero; returns it as it was (null when it was already zero or absent). */
  reset(key: string): Promise<RateCounterDoc | null> {
    return this.collection.findOneAndUpdate({ _id: key, count: { $gt: 0 } }, { $set: { count: 0 } }, { returnDocument: 'before' });
  }

  /** The counter while its window is open. */
  findOpen(key: string, now: Date): Promise<RateCounterDoc | null> {
    return this.collection.findOne({ _id: key, expiresAt: { $gt: now } });
  }

  // The account-level code counters: the streak in `count`, the window's wrong codes in
  // `windowCount` until `windowEndsAt`, one document per user. Each count is one atomic update
  // whose conditions are the rule: usually a filter with the limits and an `$inc` (the cheap
  // form, for an open window or a user with no counter yet); when that collides (the window has
  // ended, or a limit refuses, or the counter predates the window fields) an update pipeline that
  // decides everything from the document and returns it as it was, which `codeAttemptRefusal`
  // reads exactly as the pipeline did.

  /**
   * Why a code attempt was refused (and changed nothing), read from the counter as it was before
   * the update: the same conditions as the update's pipeline, on a document in hand.
   */
  static codeAttemptRefusal(before: RateCounterDoc | null, rule: CodeAttemptRule, now: Date): CodeAttemptRefusal | null {
    const windowOpen = (before?.windowEndsAt ?? EPOCH).getTime() > now.getTime();
    const windowCount = windowOpen ? (before?.windowCount ?? 0) : 0;
    if (windowCount >= rule.windowLimit) return 'window_full';
    if (rule.lockApplies && (before?.count ?? 0) >= rule.lockAt) return 'locked';
    return null;
  }

  private static codeAttemptExpressions(rule: CodeAttemptRule, now: Date) {
    const windowOpen = { $gt: [{ $ifNull: ['$windowEndsAt', EPOCH] }, now] };
    const windowCount = { $cond: [windowOpen, { $ifNull: ['$windowCount', 0] }, 0] };
    const streak = { $ifNull: ['$count', 0] };
    const refused = {
      $or: [{ $gte: [windowCount, rule.windowLimit] }, ...(rule.lockApplies ? [{ $gte: [streak, rule.lockAt] }] : [])],
    };
    return { windowOpen, windowCount, streak, refused, expiresAt: { $ifNull: ['$expiresAt', rule.streakExpiresAt] } };
  }

  /**
   * Counts a wrong code unless the rule refuses it: one more in the window (a new window when
   * the last one ended) and one more in the streak (which stops at `lockAt`).
   */
  async countWrongCode(key: string, rule: CodeAttemptRule, now: Date): Promise<CodeAttemptOutcome> {
    const windowEnd = new Date(now.getTime() + rule.windowSeconds * 1000);
    if (rule.lockApplies) {
      const counted = await this.cheaply(() =>
        this.collection.findOneAndUpdate(
          { _id: key, windowEndsAt: { $gt: now }, windowCount: { $lt: rule.windowLimit }, count: { $lt: rule.lockAt } },
          { $inc: { windowCount: 1, count: 1 }, $setOnInsert: { windowEndsAt: windowEnd, expiresAt: rule.streakExpiresAt } },
          { upsert: true, returnDocument: 'after' },
        ),
      );
      if (counted) return { refusal: null, streakBefore: counted.count - 1, windowEndsAt: counted.windowEndsAt ?? windowEnd };
    }
    const x = RateCounterRepository.codeAttemptExpressions(rule, now);
    const before = await this.updateCodeAttempts(key, {
      windowCount: { $cond: [x.refused, '$windowCount', { $add: [x.windowCount, 1] }] },
      windowEndsAt: { $cond: [x.refused, '$windowEndsAt', { $cond: [x.windowOpen, '$windowEndsAt', windowEnd] }] },
      count: { $cond: [x.refused, x.streak, { $min: [{ $add: [x.streak, 1] }, rule.lockAt] }] },
      expiresAt: x.expiresAt,
    });
    return RateCounterRepository.outcomeOf(before, rule, now);
  }

  /** A right code ends the streak, unless the rule refuses it (window full, or locked). */
  async countRightCode(key: string, rule: CodeAttemptRule, now: Date): Promise<CodeAttemptOutcome> {
    if (rule.lockApplies) {
      const ended = await this.cheaply(() =>
        this.collection.findOneAndUpdate(
          { _id: key, count: { $lt: rule.lockAt }, $or: [{ windowEndsAt: { $lte: now } }, { windowCount: { $lt: rule.windowLimit } }, { windowCount: { $exists: false } }] },
          { $set: { count: 0 }, $setOnInsert: { expiresAt: rule.streakExpiresAt } },
          { upsert: true, returnDocument: 'before' },
        ),
      );
      if (ended !== undefined) return { refusal: null, streakBefore: ended?.count ?? 0, windowEndsAt: ended?.windowEndsAt ?? null };
    }
    const x = RateCounterRepository.codeAttemptExpressions(rule, now);
    return RateCounterRepository.outcomeOf(await this.updateCodeAttempts(key, { count: { $cond: [x.refused, x.streak, 0] }, expiresAt: x.expiresAt }), rule, now);
  }

  private static outcomeOf(before: RateCounterDoc | null, rule: CodeAttemptRule, now: Date): CodeAttemptOutcome {
    return { refusal: RateCounterRepository.codeAttemptRefusal(before, rule, now), streakBefore: before?.count ?? 0, windowEndsAt: before?.windowEndsAt ?? null };
  }

  /** Runs the cheap form of an update; undefined when it collided (the upsert hit the counter it did not match). */
  private async cheaply<R>(update: () => Promise<R>): Promise<R | undefined> {
    try {
      return await update();
    } catch (error) {
      if (error instanceof MongoServerError && error.code === 11000) return undefined;
      throw error;
    }
  }

  /**
   * After `countWrongCode` took a slot before a check that then did not count (a right code, or
   * no code judged at all): the window's slot back, and the streak ended (`endStreak`) or its
   * one step back.
   */
  giveBackCodeAttempt(key: string, endStreak: boolean, streakTaken: boolean): Promise<RateCounterDoc | null> {
    const current = { $ifNull: ['$count', 0] };
    const streak = endStreak ? 0 : streakTaken ? { $max: [0, { $add: [current, -1] }] } : current;
    return this.collection.findOneAndUpdate(
      { _id: key },
      [{ $set: { windowCount: { $max: [0, { $add: [{ $ifNull: ['$windowCount', 0] }, -1] }] }, count: streak } }],
      { returnDocument: 'before' },
    );
  }

  /** Ends the streak and the window's count (the tenant admin's unlock); returns the document as it was. */
  resetCodeAttempts(key: string): Promise<RateCounterDoc | null> {
    return this.collection.findOneAndUpdate({ _id: key }, { $set: { count: 0, windowCount: 0 } }, { returnDocument: 'before' });
  }

  private updateCodeAttempts(key: string, fields: Document): Promise<RateCounterDoc | null> {
    return this.collection.findOneAndUpdate({ _id: key }, [{ $set: fields }], { upsert: true, returnDocument: 'before' });
  }
}
