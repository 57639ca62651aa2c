import { consentOfChallenge, disclosureShown, recordConsent } from '../audit/consents.ts';
import { recordEvent } from '../audit/record.ts';
import type { Context } from '../context.ts';
import { AppError } from '../errors.ts';
import type { UserDoc } from '../store/documents.ts';
import { auditedCodeCheck, createChallenge, verifyChallengeCode } from './challenges.ts';
import { revokeAllDevices } from './devices.ts';
import { assertEnrollablePhone, maskPhone } from './phone.ts';
import { issueRecoveryCodes } from './recovery-codes.ts';
import { sendChallengeCode } from './send.ts';
import { verifyUserCode } from './user-codes.ts';

export interface SmsSetupInput {
  phone: string;
  /** The opt-in disclosure the enroll element showed; absent when the tenant's own UI showed one. */
  disclosureVersion?: string;
  /** The language the element showed it in (default English, as the element falls back). */
  disclosureLanguage?: string;
}

/**
 * SMS enrollment: `setup` sends a code to the phone, `confirm` proves it and turns the factor on.
 * The enrollment challenge follows the login challenge's rules (5 minutes, 3 sends, 5 wrong codes).
 * Calling `setup` again for the same phone re-sends the pending code; another phone starts over.
 * Each setup records the user's consent (the disclosure shown) before the code is sent.
 */
export async function setupSms(ctx: Context, user: UserDoc, input: SmsSetupInput) {
  const { phone } = input;
  if (!user.passwordHash) throw new AppError('MFA_PASSWORD_REQUIRED');
  if (user.mfa.sms) throw new AppError('MFA_ALREADY_ENABLED');
  assertEnrollablePhone(phone, ctx.req.tenant.env);
  const disclosure = disclosureShown(ctx.req.tenant.tenant.brand, input.disclosureVersion, input.disclosureLanguage);

  const now = ctx.deps.clock.now();
  const pending = await latestEnrollment(ctx, user._id);
  const reusable = pending && pending.phone === phone && pending.status === 'pending' && pending.expiresAt > now;
  const challenge = reusable ? pending : (await createChallenge(ctx, { kind: 'enroll', userId: user._id, phone, availableMethods: ['sms'], withToken: false })).challenge;
  await recordConsent(ctx, { userId: user._id, challengeId: challenge._id, phone, disclosure });
  const sent = await sendChallengeCode(ctx, challenge);
  return { message: 'Verification code sent via SMS.', phone, ...sent };
}

async function latestEnrollment(ctx: Context, userId: string) {
  return ctx.deps.store.challenges.findOne(
    { realm: ctx.req.tenant.realm, userId, kind: 'enroll' },
    { sort: { createdAt: -1 } },
  );
}

export async function confirmSms(ctx: Context, user: UserDoc, code: string) {
  if (user.mfa.sms) throw new AppError('MFA_ALREADY_ENABLED');
  const challenge = await latestEnrollment(ctx, user._id);
  if (!challenge || !challenge.phone) throw new AppError('MFA_SETUP_REQUIRED');
  await auditedCodeCheck(ctx, challenge, 'sms', () => verifyChallengeCode(ctx, challenge, code.trim()));
  const now = ctx.deps.clock.now();
  // `mfa.sms: null` in the filter: of two confirmations racing on one code only one enables (and only one gets codes).
  const enabled = await ctx.deps.store.users.updateOne(
    { _id: user._id, realm: ctx.req.tenant.realm, 'mfa.sms': null },
    { $set: { phone: challenge.phone, phoneVerified: true, 'mfa.sms': { enabledAt: now } } },
  );
  if (enabled.modifiedCount !== 1) throw new AppError('MFA_ALREADY_ENABLED');
  const consent = await consentOfChallenge(ctx, challenge._id);
  await recordEvent(ctx, 'mfa.sms.enrolled', { maskedPhone: maskPhone(challenge.phone), consentId: consent?._id ?? null }, { userId: user._id });
  const recoveryCodes = await issueRecoveryCodes(ctx, user._id, 'enrollment');
  ctx.deps.log.info('sms factor enrolled', { userId: user._id, requestId: ctx.req.requestId });
  return { recoveryCodes };
}

/** Removes the SMS factor with a TOTP or recovery code; the phone stays on the account. */
export async function disableSms(ctx: Context, user: UserDoc, code: string) {
  if (!user.mfa.sms) throw new AppError('MFA_NOT_ENABLED', {}, 'SMS is not enabled for this user.');
  const verifiedWith = await verifyUserCode(ctx, user, code, ['totp', 'recovery_code'], 'disable_sms');
  const otherFactors = user.mfa.totp !== null;
  await ctx.deps.store.users.updateOne(
    { _id: user._id, realm: ctx.req.tenant.realm },
    { $set: { 'mfa.sms': null, ...(otherFactors ? {} : { recoveryCodes: null }) } },
  );
  await recordEvent(ctx, 'mfa.sms.disabled', { maskedPhone: user.phone ? maskPhone(user.phone) : null, verifiedWith }, { userId: user._id });
  await revokeAllDevices(ctx, user._id, 'factor_disabled');
  ctx.deps.log.info('sms factor removed', { userId: user._id, requestId: ctx.req.requestId });
  return { message: 'SMS factor removed.' };
}
