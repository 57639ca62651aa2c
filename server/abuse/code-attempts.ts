import type { AuditOrigin, AuditSink } from '../audit/sink.ts';
import type { Clock } from '../clock.ts';
import type { AppDeps } from '../deps.ts';
import { AppError } from '../errors.ts';
import type { ChallengeRepository } from '../store/challenges.ts';
import type { Realm } from '../store/documents.ts';
import { repositoriesOf } from '../store/index.ts';
import type { CodeAttemptOutcome, CodeAttemptRule, RateCounterRepository } from '../store/rate-counters.ts';
import type { UserRepository } from '../store/users.ts';

/**
 * The account-level limits on second-factor codes (SMS, TOTP, recovery codes; at login and on
 * authenticated routes), on top of the guide's per-challenge rules: each login opens a challenge
 * with 5 fresh guesses, so without these a user's codes could be guessed one challenge after
 * another. Both live in one counter document per user, checked and counted by one atomic update
 * (the limits are conditions of its pipeline), so they hold under any number of parallel
 * requests in any number of processes.
 *
 * - At most `USER_CODE_ATTEMPTS.limit` wrong codes per user per hour: past the limit even the
 *   right code is refused (`429 MFA_RATE_LIMITED`, reason `user_code_attempts`, Retry-After).
 * - After `CONSECUTIVE_FAILURES_LOCK` wrong codes without a success (NIST SP 800-63B §5.2.2) the
 *   factors lock (reason `factor_locked`, no Retry-After: waiting does not help). A right
 *   recovery code or the tenant admin (`POST /v1/admin/users/{id}/mfa/unlock`) unlocks them.
 *
 * Two ways to apply them. A code judged by one atomic update of its challenge (SMS at login)
 * is counted after the judgement, in the same one update of the counters whatever the outcome
 * (`countJudgedCode`): that is what keeps a sign-in to one round trip for the counters. A check
 * that uses the code up as it judges it (a TOTP step, a recovery code) takes a slot before the
 * check and gives it back when the code was right or not judged (`guardCodeCheck`).
 */
export const USER_CODE_ATTEMPTS = { limit: 20, windowSeconds: 3600 };
export const CONSECUTIVE_FAILURES_LOCK = 100;
/** The streak has no window: it ends with a success or an unlock (ten years stands for never). */
const STREAK_SECONDS = 10 * 365 * 86_400;

export interface CodeAttemptDeps {
  counters: RateCounterRepository;
  /** Where the lock is also noted on the user (`mfa.lockedAt`), for sign-in... */
  users: UserRepository;
  /** ...and on the user's pending login challenges (no more sends), via `noteLock`. */
  challenges: ChallengeRepository;
  clock: Clock;
  audit: AuditSink;
}

export function codeAttemptDepsOf(deps: AppDeps): CodeAttemptDeps {
  const repositories = repositoriesOf(deps.store);
  return { counters: repositories.rateCounters, users: repositories.users, challenges: repositories.challenges, clock: deps.clock, audit: deps.audit };
}

/** What is being checked: a code of a factor (SMS, TOTP), or a recovery code, which still works when the factors are locked. */
export type CodeKind = 'factor' | 'recovery_code';

/**
 * The user's counter document. The key is the one the streak had when it was a counter of its
 * own, so a lock survives the change to one document; the hour's count moved into it.
 */
const counterKey = (origin: AuditOrigin, userId: string) => `user-code-streak:${origin.tenant.realm}:${userId}`;

function ruleFor(kind: CodeKind, now: Date): CodeAttemptRule {
  return {
    windowLimit: USER_CODE_ATTEMPTS.limit,
    windowSeconds: USER_CODE_ATTEMPTS.windowSeconds,
    lockAt: CONSECUTIVE_FAILURES_LOCK,
    lockApplies: kind === 'factor',
    streakExpiresAt: new Date(now.getTime() + STREAK_SECONDS * 1000),
  };
}

function refusalError(outcome: CodeAttemptOutcome, now: Date): AppError {
  if (outcome.refusal === 'locked') return lockedError();
  const endsAt = outcome.windowEndsAt ?? now;
  return new AppError(
    'MFA_RATE_LIMITED',
    { reason: 'user_code_attempts', retryAfterSeconds: Math.max(1, Math.ceil((endsAt.getTime() - now.getTime()) / 1000)) },
    'Too many wrong codes for this account in the last hour. Try again later.',
  );
}

export function lockedError(): AppError {
  return new AppError(
    'MFA_RATE_LIMITED',
    { reason: 'factor_locked' },
    'Too many wrong codes: sign-in codes are locked for this account. Use a recovery code, or ask the application’s support to unlock it.',
  );
}

/**
 * Counts a code that has just been judged (`right` or not) under the account-level limits, in
 * one atomic update: a wrong one takes a slot of the hour and a step of the streak, a right one
 * ends the streak. Throws the refusal (changing nothing) when the hour is full or the factor
 * locked; the caller then undoes its judgement, so a refused code costs the user nothing and its
 * answer does not depend on whether the code was right. Records the lock (the request whose
 * wrong code reached it, exactly one) and the unlock (a right recovery code).
 */
export async function countJudgedCode(deps: CodeAttemptDeps, origin: AuditOrigin, userId: string, kind: CodeKind, right: boolean): Promise<void> {
  const now = deps.clock.now();
  const rule = ruleFor(kind, now);
  const key = counterKey(origin, userId);
  const outcome = right ? await deps.counters.countRightCode(key, rule, now) : await deps.counters.countWrongCode(key, rule, now);
  if (outcome.refusal) throw refusalError(outcome, now);
  const streakBefore = outcome.streakBefore;
  if (!right && streakBefore === CONSECUTIVE_FAILURES_LOCK - 1) await recordLocked(deps, origin, userId);
  if (right && streakBefore >= CONSECUTIVE_FAILURES_LOCK) await recordUnlocked(deps, origin, userId, kind === 'recovery_code' ? 'recovery_code' : 'code');
}

/**
 * Runs one code check (`check` resolves on a right code, throws `MFA_INVALID_CODE` on a wrong
 * one) under the account-level limits, for checks that use the code up as they judge it: a slot
 * is taken before the check and given back when the code is right; any other outcome (an
 * expired or dead challenge) gives back what was taken: only judged codes count.
 */
export async function guardCodeCheck<T>(deps: CodeAttemptDeps, origin: AuditOrigin, userId: string, kind: CodeKind, check: () => Promise<T>): Promise<T> {
  const now = deps.clock.now();
  const rule = ruleFor(kind, now);
  const key = counterKey(origin, userId);
  const outcome = await deps.counters.countWrongCode(key, rule, now);
  if (outcome.refusal) throw refusalError(outcome, now);
  const streakBefore = outcome.streakBefore;
  // A recovery code on a locked account is judged without a step of the streak (it stops at the lock).
  const streakTaken = streakBefore < CONSECUTIVE_FAILURES_LOCK;
  let result: T;
  try {
    result = await check();
  } catch (error) {
    if (error instanceof AppError && error.code === 'MFA_INVALID_CODE') {
      if (streakBefore === CONSECUTIVE_FAILURES_LOCK - 1) await recordLocked(deps, origin, userId);
    } else {
      await deps.counters.giveBackCodeAttempt(key, false, streakTaken);
    }
    throw error;
  }
  const settled = await deps.counters.giveBackCodeAttempt(key, true, streakTaken);
  if ((settled?.count ?? 0) >= CONSECUTIVE_FAILURES_LOCK) await recordUnlocked(deps, origin, userId, kind === 'recovery_code' ? 'recovery_code' : 'code');
  return result;
}

/**
 * Notes the lock (a date) or its end (null) where sign-in and sends look: on the user
 * (`mfa.lockedAt`) and on the user's pending login challenges (`factorsLocked`).
 */
export async function noteLock(deps: CodeAttemptDeps, realm: Realm, userId: string, lockedAt: Date | null): Promise<void> {
  await Promise.all([deps.users.markFactorsLocked(realm, userId, lockedAt), deps.challenges.markUserFactorsLocked(realm, userId, lockedAt !== null)]);
}

async function recordLocked(deps: CodeAttemptDeps, origin: AuditOrigin, userId: string): Promise<void> {
  await noteLock(deps, origin.tenant.realm, userId, deps.clock.now());
  await deps.audit.record(origin, 'mfa.factor.locked', { consecutiveFailures: CONSECUTIVE_FAILURES_LOCK }, { userId });
}

async function recordUnlocked(deps: CodeAttemptDeps, origin: AuditOrigin, userId: string, by: 'recovery_code' | 'code'): Promise<void> {
  await noteLock(deps, origin.tenant.realm, userId, null);
  await deps.audit.record(origin, 'mfa.factor.unlocked', { by }, { userId });
}

/**
 * Whether the user's factors are locked now, by the counter (the user's `mfa.lockedAt` is only
 * a hint: a lock and an unlock racing could leave it behind, so sign-in asks here when it is
 * set, and clears a stale one).
 */
export async function factorsLocked(deps: CodeAttemptDeps, origin: AuditOrigin, userId: string): Promise<boolean> {
  const counter = await deps.counters.findOpen(counterKey(origin, userId), deps.clock.now());
  return (counter?.count ?? 0) >= CONSECUTIVE_FAILURES_LOCK;
}

/**
 * The tenant admin's unlock: ends the streak and the hour's count of wrong codes (the admin
 * vouches for the user). Returns whether the factors were locked.
 */
export async function unlockCodeChecks(deps: CodeAttemptDeps, origin: AuditOrigin, userId: string): Promise<boolean> {
  const before = await deps.counters.resetCodeAttempts(counterKey(origin, userId));
  const wasLocked = (before?.count ?? 0) >= CONSECUTIVE_FAILURES_LOCK;
  await noteLock(deps, origin.tenant.realm, userId, null);
  if (wasLocked) await deps.audit.record(origin, 'mfa.factor.unlocked', { by: 'admin' }, { userId, actor: 'admin' });
  return wasLocked;
}
