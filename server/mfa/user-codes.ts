import { codeAttemptDepsOf, guardCodeCheck } from '../abuse/code-attempts.ts';
import { consumeLimits } from '../abuse/rate-limit.ts';
import type { CodePurpose } from '../audit/events.ts';
import type { Context } from '../context.ts';
import { CODE_PATTERN } from '../contract/formats.ts';
import { MAX_FAILED_ATTEMPTS } from '../contract/rules.ts';
import { AppError } from '../errors.ts';
import type { UserDoc } from '../store/documents.ts';
import { repositoriesOf } from '../store/index.ts';
import { consumeRecoveryCode, recoveryCodeDepsOf } from './recovery-codes.ts';
import { CODE_CHECK_WINDOW_SECONDS } from './rules.ts';
import { consumeTotpCode, totpDepsOf } from './totp-codes.ts';

/**
 * Checks a TOTP or recovery code that a signed-in user gives to change a factor (disable SMS,
 * disable TOTP). Wrong codes are limited like a challenge's: a slot is taken before the check and
 * given back on success, so at most 5 wrong codes per 15 minutes, even in parallel.
 */
export async function verifyUserCode(
  ctx: Context,
  user: UserDoc,
  code: string,
  allowed: ('totp' | 'recovery_code')[],
  purpose: Exclude<CodePurpose, 'login' | 'enroll_sms'>,
): Promise<'totp' | 'recovery_code'> {
  const { tenant } = ctx.req;
  const slot = await consumeLimits(repositoriesOf(ctx.deps.store).rateCounters, ctx.deps.clock, [
    {
      key: `code-check:${tenant.realm}:${user._id}`,
      limit: MAX_FAILED_ATTEMPTS,
      windowSeconds: CODE_CHECK_WINDOW_SECONDS,
      reason: 'code_attempts',
    },
  ]);
  if (!slot.ok) {
    throw new AppError('MFA_RATE_LIMITED', { reason: slot.reason, retryAfterSeconds: slot.retryAfterSeconds });
  }
  const trimmed = code.trim();
  const digits = CODE_PATTERN.test(trimmed);
  // On top, the account-level limits on every code judged (server/abuse/code-attempts.ts).
  const kind = !digits && allowed.includes('recovery_code') ? 'recovery_code' : 'factor';
  try {
    const method = await guardCodeCheck(codeAttemptDepsOf(ctx.deps), ctx.req, user._id, kind, async () => {
      if (allowed.includes('totp') && digits && (await consumeTotpCode(totpDepsOf(ctx.deps), tenant.realm, tenant.tenant.brand, user, trimmed))) return 'totp' as const;
      if (allowed.includes('recovery_code') && !digits && (await consumeRecoveryCode(recoveryCodeDepsOf(ctx.deps), ctx.req, user, trimmed, purpose))) return 'recovery_code' as const;
      await ctx.deps.audit.record(ctx.req, 'mfa.verify.failed', { purpose, method: null, challengeId: null, reason: 'invalid_code', attemptsRemaining: null }, { userId: user._id });
      throw new AppError('MFA_INVALID_CODE', {}, 'The code is incorrect. Enter a code from your authenticator app, or one of your recovery codes.');
    });
    await slot.release();
    await ctx.deps.audit.record(ctx.req, 'mfa.verify.succeeded', { purpose, method, challengeId: null }, { userId: user._id });
    return method;
  } catch (error) {
    // Only a judged wrong code keeps the slot of this route's own limit.
    if (!(error instanceof AppError && error.code === 'MFA_INVALID_CODE')) await slot.release();
    throw error;
  }
}
