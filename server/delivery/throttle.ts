import { MongoServerError, type Collection } from 'mongodb';
import type { Store } from '../store/index.ts';
import type { ThrottleDoc } from './types.ts';

/**
 * Throughput shaping shared by every process through MongoDB (`smsThrottle`).
 *
 * A rate lane (per sender number, per Telnyx account) is a sliding-window log: its document holds
 * the start times of its last `limit` sends, oldest first. A send may start only when the oldest
 * of them is at least one window old, so no window of that length ever holds more than `limit`
 * sends, wherever it starts — Telnyx counts per second and answers 429 above its limit, so a
 * pacing that is right on average (the GCRA this replaces let 6 through in one sliding second at
 * 5/s: slots exactly 200 ms apart, the first one sent late) is not enough. The check and the
 * record are one conditional update, so two processes can never take the same room.
 *
 * The window is a second plus `WINDOW_MARGIN_MS`: a call starts at most `LATE_TOLERANCE_MS`
 * after its slot (a later wake-up takes a fresh one), and the rest of the margin absorbs the
 * variation of the time the request takes to reach the provider. Above
 * `MAX_LOG` messages per second a lane counts `rate / k` per `1/k` second instead (k whole), which
 * bounds every second the same way with a short log.
 *
 * Times here are wall-clock milliseconds (`Date.now()`), not the injected domain clock: they
 * pace real requests to a real provider, and every process must agree on them (keep hosts on NTP).
 */

/** What the time between taking a slot and the request reaching the provider may vary by. */
export const WINDOW_MARGIN_MS = 50;
/** How late a call may start after its slot; a later wake-up takes a fresh slot. */
const LATE_TOLERANCE_MS = 20;
const MIN_LEAD_MS = 5;
const MAX_LEAD_MS = 250;
/** The longest log a lane keeps (its `limit`); faster lanes count in fractions of a second. */
const MAX_LOG = 100;

/** The rate lanes one message counts against. */
export interface Lanes {
  account: string;
  accountRatePerSecond: number;
  sender: string;
  senderRatePerSecond: number;
}

/** A lane as the log counts it: at most `limit` sends in any `windowMs`. */
export interface LaneRule {
  limit: number;
  windowMs: number;
}

/** The rule that keeps a lane at or under `ratePerSecond` in every one-second window (plus the margin). */
export function laneRule(ratePerSecond: number): LaneRule {
  if (!(ratePerSecond > 0)) throw new Error('a lane needs a positive rate');
  if (ratePerSecond < 1) return { limit: 1, windowMs: (1000 + WINDOW_MARGIN_MS) / ratePerSecond };
  // k whole windows tile a second exactly, so `limit` per window is at most `limit * k` <= rate per second.
  const k = Math.ceil(ratePerSecond / MAX_LOG);
  return { limit: Math.max(1, Math.floor(ratePerSecond / k)), windowMs: (1000 + WINDOW_MARGIN_MS) / k };
}

/** The throughput state (`smsThrottle`): every filter and update on it is here. */
export class Throughput {
  private readonly throttle: Collection<ThrottleDoc>;
  /** How far ahead (ms) a slot is taken: about two round trips of `tryTake`, measured. */
  private lead = MIN_LEAD_MS;

  constructor(store: Store) {
    this.throttle = store.collection<ThrottleDoc>('smsThrottle');
  }

  /**
   * Takes a slot at `at` (wall ms, now or a little later) on the sender lane and on the account
   * lane, or says when to try again. Both or neither: a sender slot whose account lane is full is
   * given back.
   */
  async tryTake(lanes: Lanes, at: number): Promise<{ ok: true } | { ok: false; retryAt: number }> {
    // A fraction of a millisecond (never earlier than `at`) makes the stamp this call's own, so it can be given back.
    const stamp = at + Math.random() * 0.9;
    const senderId = `sender:${lanes.sender}`;
    const sender = await this.takeLane(senderId, laneRule(lanes.senderRatePerSecond), stamp);
    if (sender !== null) return { ok: false, retryAt: sender };
    const account = await this.takeLane(`account:${lanes.account}`, laneRule(lanes.accountRatePerSecond), stamp);
    if (account !== null) {
      await this.throttle.updateOne({ _id: senderId }, { $pull: { sent: stamp } });
      return { ok: false, retryAt: account };
    }
    return { ok: true };
  }

  /**
   * Takes a slot of the lanes and sleeps until it; returns the slot's time (wall ms), at which
   * the caller starts its call at once. A slot is taken a little ahead (`lead`: about two round
   * trips to the database), so the call starts at its stamp, not after it; a wake-up later than
   * `LATE_TOLERANCE_MS` takes a fresh slot (once: a second late wake-up means the process is
   * overloaded, and going late is then the only way forward). `beforeWait` is told until when
   * the next wait lasts (the worker stretches its lease over it).
   */
  async take(lanes: Lanes, beforeWait: (until: number) => Promise<void> = async () => {}): Promise<number> {
    let notBefore = 0;
    for (let retakes = 0; ; ) {
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
      const wait = at - Date.now();
      if (wait > 0) await sleep(wait);
      if (Date.now() - at <= LATE_TOLERANCE_MS || retakes === 1) return at;
      retakes += 1;
      notBefore = 0;
    }
  }

  /**
   * One conditional update: the lane has room when it holds fewer than `limit` stamps or its
   * oldest is at least a window old; then `stamp` joins the log (kept sorted, the newest `limit`).
   * Null when taken, else when (wall ms) the oldest stamp leaves the window.
   */
  private async takeLane(id: string, rule: LaneRule, stamp: number): Promise<number | null> {
    const now = stamp;
    for (let round = 0; ; round++) {
      try {
        const room = { $or: [{ [`sent.${rule.limit - 1}`]: { $exists: false } }, { 'sent.0': { $lte: now - rule.windowMs } }] };
        const taken = await this.throttle.updateOne(
          { _id: id, ...room },
          { $push: { sent: { $each: [stamp], $sort: 1, $slice: -rule.limit } } },
          { upsert: true },
        );
        if (taken.matchedCount + taken.upsertedCount > 0) return null;
      } catch (error) {
        // The lane exists and is full (the filter missed, the upsert hit its _id), or two first
        // upserts collided (a real MongoDB): look before calling it full.
        if (!isDuplicateKey(error)) throw error;
      }
      const doc = await this.throttle.findOne({ _id: id });
      const sent = doc?.sent ?? [];
      // A log longer than the rule (the rate was lowered) counts from its newest `limit`.
      const oldest = sent.length >= rule.limit ? sent[sent.length - rule.limit]! : undefined;
      if (oldest === undefined || oldest <= now - rule.windowMs) {
        if (round < 2) continue;
        return now + 1;
      }
      return oldest + rule.windowMs;
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
