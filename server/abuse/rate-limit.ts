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

export type Refused = { ok: false; reason: RateLimitReason; retryAfterSeconds: number };
export type Consumed = { ok: true; release: () => Promise<void>; held: HeldSlots } | Refused;

/**
 * Slots a request holds and will give back (a login's attempt slots, once the password is
 * right): given back with the request's next take of slots, in its round trip (`consumeLimits`
 * with them), or by `release` when none comes. Given back once either way.
 */
export class HeldSlots {
  private keys: readonly string[] | null;

  constructor(private readonly counters: RateCounterRepository, keys: readonly string[]) {
    this.keys = keys;
  }

  /** The keys to give back, handed over once (to the take that gives them back). */
  handOver(): readonly string[] {
    const keys = this.keys ?? [];
    this.keys = null;
    return keys;
  }

  async release(): Promise<void> {
    await this.counters.giveBack(this.handOver());
  }
}

/** How often a counter that collided but was not full (a concurrent first insert) is tried again. */
const ATTEMPTS = 3;

/**
 * Takes one slot from every counter, in one round trip: each counter is its own atomic update
 * with its limit in its filter (`RateCounterRepository.takeSlots`), so concurrent requests (in
 * any number of processes) can never pass any of the limits. When a counter is full, the slots
 * taken are given back (one more round trip, only then), so a refusal costs nothing; the reason
 * is the first full counter's in the order given.
 *
 * A window starts with the first event it counts (not at a clock boundary), so a burst can never
 * straddle two windows and get twice the limit.
 *
 * `giveBack`: slots held from an earlier take, given back in the same round trip whatever this
 * take's outcome (a statement of its own in the same unordered bulk update).
 */
export async function consumeLimits(counters: RateCounterRepository, clock: Clock, limits: Limit[], giveBack?: HeldSlots): Promise<Consumed> {
  const now = clock.now();
  const windowEnd = (limit: Limit) => new Date(now.getTime() + limit.windowSeconds * 1000);
  // A limit of 0 refuses whatever its counter says: nothing is taken, the answer is the first
  // refusal in order, as if the counters before it had been tried.
  if (limits.some((limit) => limit.limit <= 0)) return (await peekLimits(counters, clock, limits))!;
  const taken: string[] = [];
  /** Per limit (by position): the end of the window that refused it. */
  const full = new Map<number, Date>();
  let pending = limits.map((_, index) => index);
  for (let attempt = 0; attempt < ATTEMPTS && pending.length > 0; attempt++) {
    const results = await counters.takeSlots(
      pending.map((index) => ({ key: limits[index]!.key, limit: limits[index]!.limit, windowEnd: windowEnd(limits[index]!) })),
      now,
      attempt === 0 ? giveBack?.handOver() : undefined,
    );
    const collided = pending.filter((_, position) => !results[position]);
    for (const [position, index] of pending.entries()) if (results[position]) taken.push(limits[index]!.key);
    if (collided.length === 0) break;
    // Full, or (on a real MongoDB) created a moment ago by a concurrent request: look.
    const current = new Map((await counters.findMany(collided.map((index) => limits[index]!.key))).map((doc) => [doc._id, doc]));
    pending = [];
    for (const index of collided) {
      const doc = current.get(limits[index]!.key);
      if (doc && doc.count >= limits[index]!.limit && doc.expiresAt > now) full.set(index, doc.expiresAt);
      else if (attempt === ATTEMPTS - 1) full.set(index, windowEnd(limits[index]!));
      else pending.push(index);
    }
  }
  const release = () => counters.giveBack(taken);
  if (full.size > 0) {
    await release();
    return refusalOf(limits, full, now);
  }
  return { ok: true, release, held: new HeldSlots(counters, taken) };
}

/**
 * Whether `consumeLimits` would refuse now, without taking anything (one read): for a request
 * refused for another reason, to answer as if the limits had been checked first.
 */
export async function peekLimits(counters: RateCounterRepository, clock: Clock, limits: Limit[]): Promise<Refused | null> {
  const now = clock.now();
  const current = new Map((await counters.findMany(limits.filter((limit) => limit.limit > 0).map((limit) => limit.key))).map((doc) => [doc._id, doc]));
  const full = new Map<number, Date>();
  limits.forEach((limit, index) => {
    const doc = current.get(limit.key);
    if (limit.limit <= 0) full.set(index, new Date(now.getTime() + limit.windowSeconds * 1000));
    else if (doc && doc.count >= limit.limit && doc.expiresAt > now) full.set(index, doc.expiresAt);
  });
  return full.size > 0 ? refusalOf(limits, full, now) : null;
}

function refusalOf(limits: Limit[], full: Map<number, Date>, now: Date): Refused {
  const first = Math.min(...full.keys());
  const resetsAt = full.get(first)!;
  return { ok: false, reason: limits[first]!.reason, retryAfterSeconds: Math.max(1, Math.ceil((resetsAt.getTime() - now.getTime()) / 1000)) };
}
