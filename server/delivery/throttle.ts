import { MongoServerError, type Collection } from 'mongodb';
import type { Store } from '../store/index.ts';
import type { ThrottleDoc } from './types.ts';

/**
 * Throughput shaping shared by every process through MongoDB (`smsThrottle`).
 *
 * A rate lane (per sender number, per Telnyx account) is a sliding-window log. Telnyx counts the
 * messages that reach it in each second and answers 429 above its limit, and when a request
 * reaches Telnyx is known only within bounds: not before its call starts, not after its answer
 * comes back. So each send is counted in the log by the latest time it may reach the provider:
 * while its call is pending, a bound past any answer (`pendingMs`: the call's timeout and
 * margin, plus the lateness a start is allowed); once answered, the time of the answer
 * (`settle`). A send may start at `at` only when fewer than `limit` sends of the lane may still
 * reach the provider after `at - windowMs`, and never starts before `at`: then no window of that
 * length ever holds more than `limit` arrivals, however late calls start, however long requests
 * take on the way, on whichever process. (The lanes this replaces counted the slot's time and
 * trusted a 50 ms margin for the rest: a first call on a fresh connection, or one started late
 * by a busy process, reached the provider later than that, and 6 arrived within a second at 5/s.)
 * The price: a lane sends `limit` per window plus one round trip to the provider.
 *
 * The check and the record are one conditional update, so two processes can never take the same
 * room. A log is kept newest first (`$sort: -1`): `until.{limit-1}` is the `limit`-th latest
 * bound. Answers are written before the pending bound they replace is pulled (the lane
 * briefly counts the send twice, never zero times), and the log keeps twice `limit` entries, so
 * a pending bound is never sliced off. A pending bound whose answer never comes (a crash, a call
 * in doubt) stops counting when its time is past. Above `MAX_LOG` messages per second a lane
 * counts `rate / k` per `1/k` second instead (k whole), which bounds every second the same way
 * with a short log.
 *
 * Times here are wall-clock milliseconds (`Date.now()`), not the injected domain clock: they
 * pace real requests to a real provider, and every process must agree on them within
 * `WINDOW_MARGIN_MS` (keep hosts on NTP).
 */

/** What the window is widened by: whole-millisecond clocks, and clocks of different hosts. */
export const WINDOW_MARGIN_MS = 10;
/** How late a call may start after its slot; a later wake-up gives the slot back and takes a fresh one. */
export const LATE_TOLERANCE_MS = 500;
const MIN_LEAD_MS = 5;
const MAX_LEAD_MS = 250;
/** The longest log a lane counts by (its `limit`); faster lanes count in fractions of a second. */
const MAX_LOG = 100;
/** How often a lane whose room is held by unanswered calls is looked at again. */
const PENDING_POLL_MS = 20;

/** The rate lanes one message counts against. */
export interface Lanes {
  account: string;
  accountRatePerSecond: number;
  sender: string;
  senderRatePerSecond: number;
}

/** A lane as the log counts it: at most `limit` arrivals in any `windowMs`. */
export interface LaneRule {
  limit: number;
  windowMs: number;
}

/** A slot taken on both lanes of a message: its call may start at `at` (wall ms), not before. */
export interface Slot {
  at: number;
  /** The bound the send is counted by until it is settled (unique: it names this slot in the logs). */
  pending: number;
  lanes: Lanes;
}

/** The rule that keeps a lane at or under `ratePerSecond` in every one-second window (plus the margin). */
export function laneRule(ratePerSecond: number): LaneRule {
  if (!(ratePerSecond > 0)) throw new Error('a lane needs a positive rate');
  if (ratePerSecond < 1) return { limit: 1, windowMs: (1000 + WINDOW_MARGIN_MS) / ratePerSecond };
  // k whole windows tile a second exactly, so `limit` per window is at most `limit * k` <= rate per second.
  const k = Math.ceil(ratePerSecond / MAX_LOG);
  return { limit: Math.max(1, Math.floor(ratePerSecond / k)), windowMs: (1000 + WINDOW_MARGIN_MS) / k };
}

/** The two lanes of a message, as their log documents and rules. */
function lanesOf(lanes: Lanes): { id: string; rule: LaneRule }[] {
  return [
    { id: `sender:${lanes.sender}`, rule: laneRule(lanes.senderRatePerSecond) },
    { id: `account:${lanes.account}`, rule: laneRule(lanes.accountRatePerSecond) },
  ];
}

/** The throughput state (`smsThrottle`): every filter and update on it is here. */
export class Throughput {
  private readonly throttle: Collection<ThrottleDoc>;
  /** How far ahead (ms) a slot is taken: about two round trips of `tryTake`, measured. */
  private lead = MIN_LEAD_MS;
  /** How long after its slot a send is counted while its call has no answer. */
  private readonly pendingMs: number;

  /** `callMs`: the longest a provider call may take, answer or not (its timeout and margin). */
  constructor(store: Store, options: { callMs: number }) {
    this.throttle = store.collection<ThrottleDoc>('smsThrottle');
    this.pendingMs = LATE_TOLERANCE_MS + options.callMs;
  }

  /**
   * Takes a slot at `at` (wall ms, now or a little later) on the sender lane and on the account
   * lane, or says when to try again. Both or neither: a sender slot whose account lane is full is
   * given back.
   */
  async tryTake(lanes: Lanes, at: number): Promise<{ ok: true; slot: Slot } | { ok: false; retryAt: number }> {
    // A fraction of a millisecond makes the bound this slot's own, so it can be settled or given back.
    const slot: Slot = { at, pending: at + this.pendingMs + Math.random() * 0.9, lanes };
    const [sender, account] = lanesOf(lanes);
    const senderFull = await this.takeLane(sender!.id, sender!.rule, slot);
    if (senderFull !== null) return { ok: false, retryAt: senderFull };
    const accountFull = await this.takeLane(account!.id, account!.rule, slot);
    if (accountFull !== null) {
      await this.throttle.updateOne({ _id: sender!.id }, { $pull: { until: slot.pending } });
      return { ok: false, retryAt: accountFull };
    }
    return { ok: true, slot };
  }

  /**
   * Takes a slot of the lanes and sleeps until it; returns the slot, whose call the caller starts
   * at once (and then settles). A slot is taken a little ahead (`lead`: about two round trips to
   * the database), so the call starts at its time, not after it; a wake-up later than
   * `LATE_TOLERANCE_MS` gives the slot back and takes a fresh one (its pending bound would not
   * cover the call). `beforeWait` is told until when the next wait lasts (the worker stretches
   * its lease over it).
   */
  async take(lanes: Lanes, beforeWait: (until: number) => Promise<void> = async () => {}): Promise<Slot> {
    let notBefore = 0;
    for (;;) {
      const asked = Date.now();
      const at = Math.max(asked + this.lead, notBefore);
      const taken = await this.tryTake(lanes, at);
      this.lead = Math.min(MAX_LEAD_MS, Math.max(MIN_LEAD_MS, 0.8 * this.lead + 0.2 * 2 * (Date.now() - asked)));
      if (!taken.ok) {
        // A little jitter, so workers waiting for the same room do not all ask at the same instant.
        notBefore = taken.retryAt + Math.random() * 3;
        await beforeWait(notBefore + this.lead);
        const wait = notBefore - this.lead - Date.now();
        if (wait > 0) await sleep(wait);
        continue;
      }
      await beforeWait(at);
      // Never before the slot: a timer may fire a millisecond early.
      while (Date.now() < at) await sleep(at - Date.now());
      if (Date.now() - at <= LATE_TOLERANCE_MS) return taken.slot;
      await this.giveBack(taken.slot);
      notBefore = 0;
    }
  }

  /**
   * The slot's call was answered at `answeredAt` (wall ms): from now on the send counts until
   * then, not until its pending bound. Null when the call has no answer (a timeout, a broken
   * connection: the request may still be on its way), which leaves the pending bound to run out.
   */
  async settle(slot: Slot, answeredAt: number | null): Promise<void> {
    if (answeredAt === null) return;
    await Promise.all(
      lanesOf(slot.lanes).map(async ({ id, rule }) => {
        // The answer first, then the pending bound out: the send is never uncounted in between.
        await this.throttle.updateOne({ _id: id }, { $push: { until: { $each: [answeredAt], $sort: -1, $slice: 2 * rule.limit } } });
        await this.throttle.updateOne({ _id: id }, { $pull: { until: slot.pending } });
      }),
    );
  }

  /** Gives an unused slot back: its call never started. */
  async giveBack(slot: Slot): Promise<void> {
    await Promise.all(lanesOf(slot.lanes).map(({ id }) => this.throttle.updateOne({ _id: id }, { $pull: { until: slot.pending } })));
  }

  /**
   * One conditional update: the lane has room when fewer than `limit` of its sends may still
   * arrive after `slot.at - windowMs`; then the slot's pending bound joins the log. Null when
   * taken, else when (wall ms) to look again: when the `limit`-th latest bound leaves the window
   * if that send was answered, or soon if it is still pending (its answer lowers it).
   */
  private async takeLane(id: string, rule: LaneRule, slot: Slot): Promise<number | null> {
    const since = slot.at - rule.windowMs;
    const limitth = `until.${rule.limit - 1}`;
    for (let round = 0; ; round++) {
      try {
        const room = { $or: [{ [limitth]: { $exists: false } }, { [limitth]: { $lte: since } }] };
        const taken = await this.throttle.updateOne(
          { _id: id, ...room },
          { $push: { until: { $each: [slot.pending], $sort: -1, $slice: 2 * rule.limit } } },
          { upsert: true },
        );
        if (taken.matchedCount + taken.upsertedCount > 0) return null;
      } catch (error) {
        // The lane exists and is full (the filter missed, the upsert hit its _id), or two first
        // upserts collided (a real MongoDB): look before calling it full.
        if (!isDuplicateKey(error)) throw error;
      }
      const doc = await this.throttle.findOne({ _id: id });
      const blocking = doc?.until?.[rule.limit - 1];
      if (blocking === undefined || blocking <= since) {
        if (round < 2) continue;
        return Date.now() + 1;
      }
      const now = Date.now();
      // An answered send's bound is past; a pending one's is ahead, and comes down when it is answered.
      return blocking <= now ? blocking + rule.windowMs : now + PENDING_POLL_MS;
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

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
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
