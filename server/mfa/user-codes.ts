import { consumeLimits } from '../abuse/rate-limit.ts';
import type { CodePurpose } from '../audit/events.ts';
import { recordEvent } from '../audit/record.ts';
import type { Context } from '../context.ts';
import { AppError } from '../errors.ts';
import type { UserDoc } from '../store/documents.ts';
import { consumeRecoveryCode } from './recovery-codes.ts';
import { MAX_FAILED_ATTEMPTS } from './rules.ts';
import { consumeTotpCode } from './totp.ts';

const WRONG_CODE_WINDOW_SECONDS = 15 * 60;

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
  const slot = await consumeLimits(ctx.deps.store, ctx.deps.clock, [
    {
      key: `code-check:${ctx.req.tenant.realm}:${user._id}`,
      limit: MAX_FAILED_ATTEMPTS,
      windowSeconds: WRONG_CODE_WINDOW_SECONDS,
      reason: 'code_attempts',
    },
  ]);
  if (!slot.ok) {
    throw new AppError('MFA_RATE_LIMITED', { reason: slot.reason, retryAfterSeconds: slot.retryAfterSeconds });
  }
  const trimmed = code.trim();
  let method: 'totp' | 'recovery_code' | null = null;
  if (allowed.includes('totp') && /^\d{6}$/.test(trimmed) && (await consumeTotpCode(ctx, user, trimmed))) method = 'totp';
  else if (allowed.includes('recovery_code') && !/^\d{6}$/.test(trimmed) && (await consumeRecoveryCode(ctx, user, trimmed, purpose))) method = 'recovery_code';
  if (method) {
    await slot.release();
    await recordEvent(ctx, 'mfa.verify.succeeded', { purpose, method, challengeId: null }, { userId: user._id });
    return method;
  }
  await recordEvent(ctx, 'mfa.verify.failed', { purpose, method: null, challengeId: null, reason: 'invalid_code', attemptsRemaining: null }, { userId: user._id });
  throw new AppError('MFA_INVALID_CODE', {}, 'The code is incorrect. Enter a code from your authenticator app, or one of your recovery codes.');
}
