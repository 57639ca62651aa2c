import { codeAttemptDepsOf, guardCodeCheck } from '../abuse/code-attempts.ts';
import { deviceDepsOf, revokeAllDevices } from '../accounts/devices.ts';
import { consentOfChallenge, disclosureShown, recordConsent } from '../audit/consents.ts';
import type { Context } from '../context.ts';
import { senderNumberFor } from '../delivery/senders.ts';
import { AppError } from '../errors.ts';
import { assertEnrollablePhone, maskPhone } from '../phone.ts';
import type { UserDoc } from '../store/documents.ts';
import { repositoriesOf } from '../store/index.ts';
import { MAX_FAILED_ATTEMPTS } from '../contract/rules.ts';
import { auditedCodeCheck, challengeDepsOf, createChallenge, refusalFor, verifyChallengeCode } from './challenges.ts';
import { issueRecoveryCodes, recoveryCodeDepsOf } from './recovery-codes.ts';
import { codeSentOf, sendChallengeCode } from './send.ts';
import { verifyUserCode } from './user-codes.ts';

export interface SmsSetupInput {
  phone: string;
  /** The opt-in disclosure the enroll element showed; absent when the tenant's own UI showed one. */
  disclosureVersion?: string;
  /** The language the element showed it in (default English, as the element falls back). */
  disclosureLanguage?: string;
  /** The element checked the disclosure was visible beside the phone field before sending. */
  disclosureChecked?: boolean;
}

/**
 * SMS enrollment: `setup` sends a code to the phone, `confirm` proves it and turns the factor on.
 * The enrollment challenge follows the login challenge's rules (5 minutes, 3 sends, 5 wrong codes).
 * Calling `setup` again for the same phone re-sends the pending code; another phone starts over.
 * Each setup records the user's consent (the disclosure shown) before the code is sent.
 */
export async function setupSms(ctx: Context, user: UserDoc, input: SmsSetupInput) {
  if (!user.passwordHash) throw new AppError('MFA_PASSWORD_REQUIRED');
  if (user.mfa.sms) throw new AppError('MFA_ALREADY_ENABLED');
  // Stored, counted, consented to and sent in its canonical form only.
  const phone = assertEnrollablePhone(input.phone, ctx.req.tenant.env);
  const disclosure = disclosureShown(ctx.req.tenant.tenant.brand, input.disclosureVersion, input.disclosureLanguage, input.disclosureChecked === true);

  const now = ctx.deps.clock.now();
  const pending = await repositoriesOf(ctx.deps.store).challenges.latestEnrollment(ctx.req.tenant.realm, user._id);
  const reusable = pending && pending.phone === phone && pending.status === 'pending' && pending.expiresAt > now;
  const challenge = reusable ? pending : (await createChallenge(ctx, { kind: 'enroll', userId: user._id, phone, availableMethods: ['sms'], withToken: false })).challenge;
  const senderNumber = senderNumberFor(ctx.req.tenant, ctx.deps.config);
  await recordConsent(ctx, { userId: user._id, challengeId: challenge._id, phone, senderNumber, disclosure });
  const sent = await sendChallengeCode(ctx, challenge);
  return { message: 'Verification code sent via SMS.', phone, ...sent };
}

export async function confirmSms(ctx: Context, user: UserDoc, code: string) {
  if (user.mfa.sms) throw new AppError('MFA_ALREADY_ENABLED');
  const { challenges, users } = repositoriesOf(ctx.deps.store);
  const realm = ctx.req.tenant.realm;
  const challenge = await challenges.latestEnrollment(realm, user._id);
  // A setup whose code never went out (every send refused: opted out, invalid number) has nothing to confirm.
  if (!challenge || !challenge.phone || challenge.sends === 0) throw new AppError('MFA_SETUP_REQUIRED');
  const phone = challenge.phone;
  await auditedCodeCheck(ctx.deps.audit, ctx.req, challenge, 'sms', () =>
    guardCodeCheck(codeAttemptDepsOf(ctx.deps), ctx.req, user._id, 'factor', () => verifyChallengeCode(challengeDepsOf(ctx), challenge, code.trim())),
  );
  // Of two confirmations racing on one code only one enables (and only one gets codes).
  if (!(await users.enableSms(realm, user._id, phone, ctx.deps.clock.now()))) throw new AppError('MFA_ALREADY_ENABLED');
  const consent = await consentOfChallenge(ctx, challenge._id);
  await ctx.deps.audit.record(ctx.req, 'mfa.sms.enrolled', { maskedPhone: maskPhone(phone), consentId: consent?._id ?? null }, { userId: user._id });
  const recoveryCodes = await issueRecoveryCodes(recoveryCodeDepsOf(ctx.deps), ctx.req, user._id, 'enrollment');
  ctx.deps.log.info('sms factor enrolled', { userId: user._id, requestId: ctx.req.requestId });
  return { recoveryCodes };
}

/**
 * `POST /v1/auth/mfa/sms/status`: the enrollment in progress as the enroll element follows it,
 * like the login challenge's status: where the code went and how its SMS is doing (a failure
 * learnt after the setup answered — provider refusal, receipt — shows here with its reason),
 * sends and attempts left, expiry.
 */
export async function enrollmentStatus(ctx: Context, user: UserDoc) {
  if (user.mfa.sms) throw new AppError('MFA_ALREADY_ENABLED');
  const challenge = await repositoriesOf(ctx.deps.store).challenges.latestEnrollment(ctx.req.tenant.realm, user._id);
  if (!challenge || !challenge.phone) throw new AppError('MFA_SETUP_REQUIRED');
  const now = ctx.deps.clock.now();
  const live = challenge.status === 'pending' && challenge.expiresAt > now && challenge.failedAttempts < MAX_FAILED_ATTEMPTS;
  if (!live) throw refusalFor(challenge, now);
  return {
    ...codeSentOf(challenge, ctx.req.tenant.tenant.quotas.minIntervalSeconds),
    phone: challenge.phone,
    codeSent: challenge.sends > 0,
  };
}

/** Removes the SMS factor with a TOTP or recovery code; the phone stays on the account. */
export async function disableSms(ctx: Context, user: UserDoc, code: string) {
  if (!user.mfa.sms) throw new AppError('MFA_NOT_ENABLED', {}, 'SMS is not enabled for this user.');
  const verifiedWith = await verifyUserCode(ctx, user, code, ['totp', 'recovery_code'], 'disable_sms');
  await repositoriesOf(ctx.deps.store).users.disableSms(ctx.req.tenant.realm, user._id, user.mfa.totp === null);
  await ctx.deps.audit.record(ctx.req, 'mfa.sms.disabled', { maskedPhone: user.phone ? maskPhone(user.phone) : null, verifiedWith }, { userId: user._id });
  await revokeAllDevices(deviceDepsOf(ctx.deps), ctx.req, user._id, 'factor_disabled');
  ctx.deps.log.info('sms factor removed', { userId: user._id, requestId: ctx.req.requestId });
  return { message: 'SMS factor removed.' };
}
