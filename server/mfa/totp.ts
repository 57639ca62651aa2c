import { Secret } from 'otpauth';
import { revokeAllDevices, deviceDepsOf } from '../accounts/devices.ts';
import type { Context } from '../context.ts';
import { encrypt } from '../crypto.ts';
import { AppError } from '../errors.ts';
import type { UserDoc } from '../store/documents.ts';
import { repositoriesOf } from '../store/index.ts';
import { issueRecoveryCodes, recoveryCodeDepsOf } from './recovery-codes.ts';
import { matchTotpStep, totpDepsOf, totpFor } from './totp-codes.ts';
import { verifyUserCode } from './user-codes.ts';

/**
 * The TOTP factor: `setup` makes a secret (pending until its first code), `confirm` proves the
 * app has it and turns the factor on, `disable` removes it with a TOTP or recovery code.
 */

/** A new secret, kept sealed as pending until the first code proves the app has it. */
export async function beginTotpSetup(ctx: Context, user: UserDoc): Promise<{ secret: string; otpauthUri: string }> {
  if (user.mfa.totp) throw new AppError('MFA_ALREADY_ENABLED', {}, 'An authenticator app is already enrolled.');
  const secret = new Secret({ size: 20 }).base32;
  await repositoriesOf(ctx.deps.store).users.setPendingTotp(ctx.req.tenant.realm, user._id, {
    secretEncrypted: encrypt(ctx.deps.keys.secret, 'totp', secret),
    createdAt: ctx.deps.clock.now(),
  });
  return { secret, otpauthUri: totpFor(ctx.req.tenant.tenant.brand, user, secret).toString() };
}

/** Turns TOTP on with its first code; the recovery codes too when the user had none. */
export async function confirmTotp(ctx: Context, user: UserDoc, code: string): Promise<{ recoveryCodes?: string[] }> {
  const pending = user.mfa.pendingTotp;
  if (user.mfa.totp) throw new AppError('MFA_ALREADY_ENABLED', {}, 'An authenticator app is already enrolled.');
  if (!pending) throw new AppError('MFA_SETUP_REQUIRED');
  const step = matchTotpStep(totpDepsOf(ctx.deps), ctx.req.tenant.tenant.brand, user, pending.secretEncrypted, code);
  if (step === null) {
    // Wrong codes here count against the same per-user limit as every other code check.
    await verifyUserCode(ctx, user, code, [], 'enroll_totp');
  }
  const enabled = await repositoriesOf(ctx.deps.store).users.enableTotp(ctx.req.tenant.realm, user._id, {
    secretEncrypted: pending.secretEncrypted,
    enabledAt: ctx.deps.clock.now(),
    lastUsedStep: step ?? 0,
  });
  if (!enabled) throw new AppError('MFA_ALREADY_ENABLED');
  await ctx.deps.audit.record(ctx.req, 'mfa.totp.enrolled', {}, { userId: user._id });
  const hasCodes = (user.recoveryCodes?.hashes.length ?? 0) > 0;
  return hasCodes ? {} : { recoveryCodes: await issueRecoveryCodes(recoveryCodeDepsOf(ctx.deps), ctx.req, user._id, 'enrollment') };
}

/** Removes TOTP with a TOTP or recovery code; the recovery codes go too when SMS is not on. */
export async function disableTotp(ctx: Context, user: UserDoc, code: string): Promise<{ message: string }> {
  if (!user.mfa.totp) throw new AppError('MFA_NOT_ENABLED', {}, 'No authenticator app is enrolled.');
  const verifiedWith = await verifyUserCode(ctx, user, code, ['totp', 'recovery_code'], 'disable_totp');
  await repositoriesOf(ctx.deps.store).users.disableTotp(ctx.req.tenant.realm, user._id, !user.mfa.sms);
  await ctx.deps.audit.record(ctx.req, 'mfa.totp.disabled', { verifiedWith }, { userId: user._id });
  await revokeAllDevices(deviceDepsOf(ctx.deps), ctx.req, user._id, 'factor_disabled');
  return { message: 'Authenticator app removed.' };
}
