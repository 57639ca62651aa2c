import type { AuditOrigin, AuditSink } from '../audit/sink.ts';
import type { Clock } from '../clock.ts';
import type { AppDeps } from '../deps.ts';
import { AppError } from '../errors.ts';
import { repositoriesOf } from '../store/index.ts';
import type { RateCounterRepository } from '../store/rate-counters.ts';
import { consumeLimits } from './rate-limit.ts';

/**
 * The account-level limits on second-factor codes (SMS, TOTP, recovery codes; at login and on
 * authenticated routes), on top of the guide's per-challenge rules: each login opens a challenge
 * with 5 fresh guesses, so without these a user's codes could be guessed one challenge after
 * another. Both are atomic counters (the limit in the filter of one upsert), so they hold under
 * any number of parallel requests in any number of processes.
 *
 * - At most `USER_CODE_ATTEMPTS.limit` wrong codes per user per hour: a slot is taken before the
 *   check and given back when the code is right (or was not judged), so past the limit even the
 *   right code is refused (`429 MFA_RATE_LIMITED`, reason `user_code_attempts`, Retry-After).
 * - After `CONSECUTIVE_FAILURES_LOCK` wrong codes without a success (NIST SP 800-63B §5.2.2) the
 *   factors lock (reason `factor_locked`, no Retry-After: waiting does not help). A right
 *   recovery code or the tenant admin (`POST /v1/admin/users/{id}/mfa/unlock`) unlocks them.
 */
export const USER_CODE_ATTEMPTS = { limit: 20, windowSeconds: 3600 };
export const CONSECUTIVE_FAILURES_LOCK = 100;
/** The streak has no window: it ends with a success or an unlock (ten years stands for never). */
const STREAK_SECONDS = 10 * 365 * 86_400;

export interface CodeAttemptDeps {
  counters: RateCounterRepository;
  clock: Clock;
  audit: AuditSink;
}

export function codeAttemptDepsOf(deps: AppDeps): CodeAttemptDeps {
  return { counters: repositoriesOf(deps.store).rateCounters, clock: deps.clock, audit: deps.audit };
}

/** What is being checked: a code of a factor (SMS, TOTP), or a recovery code, which still works when the factors are locked. */
export type CodeKind = 'factor' | 'recovery_code';

const keys = (origin: AuditOrigin, userId: string) => ({
  hourly: `user-codes:${origin.tenant.realm}:${userId}`,
  streak: `user-code-streak:${origin.tenant.realm}:${userId}`,
  // Taken once when the streak reaches the lock, so one request records it; given back on unlock.
  latch: `user-code-lock:${origin.tenant.realm}:${userId}`,
});

/**
 * Runs one code check (`check` resolves on a right code, throws `MFA_INVALID_CODE` on a wrong
 * one) under the account-level limits. Any other outcome (an expired or dead challenge) gives
 * back what was taken: only judged codes count.
 */
export async function guardCodeCheck<T>(deps: CodeAttemptDeps, origin: AuditOrigin, userId: string, kind: CodeKind, check: () => Promise<T>): Promise<T> {
  const key = keys(origin, userId);
  const hourly = await consumeLimits(deps.counters, deps.clock, [{ key: key.hourly, ...USER_CODE_ATTEMPTS, reason: 'user_code_attempts' }]);
  if (!hourly.ok) {
    throw new AppError(
      'MFA_RATE_LIMITED',
      { reason: 'user_code_attempts', retryAfterSeconds: hourly.retryAfterSeconds },
      'Too many wrong codes for this account in the last hour. Try again later.',
    );
  }
  const streak = await consumeLimits(deps.counters, deps.clock, [{ key: key.streak, limit: CONSECUTIVE_FAILURES_LOCK, windowSeconds: STREAK_SECONDS, reason: 'factor_locked' }]);
  if (!streak.ok && kind === 'factor') {
    await hourly.release();
    throw lockedError();
  }
  let result: T;
  try {
    result = await check();
  } catch (error) {
    if (error instanceof AppError && error.code === 'MFA_INVALID_CODE') {
      if (streak.ok) await lockIfReached(deps, origin, userId);
    } else {
      await Promise.all([hourly.release(), streak.ok ? streak.release() : undefined]);
    }
    throw error;
  }
  await hourly.release();
  await endStreak(deps, origin, userId, kind === 'recovery_code' ? 'recovery_code' : null);
  return result;
}

function lockedError(): AppError {
  return new AppError(
    'MFA_RATE_LIMITED',
    { reason: 'factor_locked' },
    'Too many wrong codes: sign-in codes are locked for this account. Use a recovery code, or ask the application’s support to unlock it.',
  );
}

/** After a wrong code: when the streak has reached the lock, the request that gets there first records it (audit, webhook). */
async function lockIfReached(deps: CodeAttemptDeps, origin: AuditOrigin, userId: string): Promise<void> {
  const key = keys(origin, userId);
  const now = deps.clock.now();
  const streak = await deps.counters.findOpen(key.streak, now);
  if (!streak || streak.count < CONSECUTIVE_FAILURES_LOCK) return;
  const latch = await consumeLimits(deps.counters, deps.clock, [{ key: key.latch, limit: 1, windowSeconds: STREAK_SECONDS, reason: 'factor_locked' }]);
  if (!latch.ok) return;
  await deps.audit.record(origin, 'mfa.factor.locked', { consecutiveFailures: CONSECUTIVE_FAILURES_LOCK }, { userId });
}

/** A success ends the streak; when it had locked the factors, they are unlocked (and that is recorded). */
async function endStreak(deps: CodeAttemptDeps, origin: AuditOrigin, userId: string, by: 'recovery_code' | null): Promise<void> {
  const key = keys(origin, userId);
  const before = await deps.counters.reset(key.streak);
  if (!before || before.count < CONSECUTIVE_FAILURES_LOCK) return;
  await deps.counters.reset(key.latch);
  await deps.audit.record(origin, 'mfa.factor.unlocked', { by: by ?? 'code' }, { userId });
}

/** Whether the user's factors are locked now (for the admin API and the sign-in's answer). */
export async function factorsLocked(deps: CodeAttemptDeps, origin: AuditOrigin, userId: string): Promise<boolean> {
  const streak = await deps.counters.findOpen(keys(origin, userId).streak, deps.clock.now());
  return (streak?.count ?? 0) >= CONSECUTIVE_FAILURES_LOCK;
}

/**
 * The tenant admin's unlock: ends the streak and the hour's count of wrong codes (the admin
 * vouches for the user). Returns whether the factors were locked.
 */
export async function unlockCodeChecks(deps: CodeAttemptDeps, origin: AuditOrigin, userId: string): Promise<boolean> {
  const key = keys(origin, userId);
  const before = await deps.counters.reset(key.streak);
  await deps.counters.reset(key.hourly);
  const wasLocked = (before?.count ?? 0) >= CONSECUTIVE_FAILURES_LOCK;
  if (wasLocked) {
    await deps.counters.reset(key.latch);
    await deps.audit.record(origin, 'mfa.factor.unlocked', { by: 'admin' }, { userId, actor: 'admin' });
  }
  return wasLocked;
}
