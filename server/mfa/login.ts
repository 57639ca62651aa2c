import { codeAttemptDepsOf, factorsLocked, guardCodeCheck, lockedError, noteLock } from '../abuse/code-attempts.ts';
import { DEVICE_COOKIE, deviceDepsOf, isTrustedDevice, trustDevice } from '../accounts/devices.ts';
import type { HeldSlots } from '../abuse/rate-limit.ts';
import { checkPassword } from '../accounts/service.ts';
import { startSession, type Tokens } from '../accounts/sessions.ts';
import { findUser, mfaMethodsOf } from '../accounts/users.ts';
import type { Context } from '../context.ts';
import { AppError } from '../errors.ts';
import { maskPhone } from '../phone.ts';
import type { ChallengeDoc, MfaMethod, UserDoc } from '../store/documents.ts';
import {
  auditedCodeCheck,
  challengeDepsOf,
  challengeState,
  completeChallenge,
  createChallenge,
  failAttempt,
  findByToken,
  judgeLoginCode,
  refusalFor,
  settleLoginJudgement,
  type CreatedChallenge,
} from './challenges.ts';
import { deviceCookieWorks } from './device-cookie.ts';
import { consumeRecoveryCode, recoveryCodeDepsOf } from './recovery-codes.ts';
import { codeSentOf, createChallengeAndSend, sendLoginCode, type CodeSent } from './send.ts';
import { consumeTotpCode, totpDepsOf } from './totp-codes.ts';

/** The `amr` value each method adds to the session (RFC 8176 where it has one). */
const AMR: Record<MfaMethod, string> = { sms: 'sms', totp: 'otp', recovery_code: 'rc' };

/**
 * `POST /v1/auth/login`: the password (the accounts feature), then what the second factor asks.
 * Composed here, above accounts, so accounts never imports the MFA feature.
 */
export async function login(ctx: Context, input: { email: string; password: string }): Promise<Tokens> {
  const { user, loginSlots } = await checkPassword(ctx, input);
  try {
    return await completeLogin(ctx, user, 'pwd', loginSlots);
  } finally {
    // Given back here unless the first code's send quotas took them back in their round trip.
    await loginSlots.release();
  }
}

/**
 * After the password: a session when the user has no second factor or a trusted device;
 * otherwise a login challenge, answered as `403 mfa_required`. The code goes out at once when
 * SMS is the only factor (a refusal to send is reported, not fatal: the user may still use a
 * recovery code). A user whose factors are locked gets no code (none could be used): the answer
 * says `sendError: factor_locked`, and the challenge takes no resend.
 */
export async function completeLogin(ctx: Context, user: UserDoc, firstFactor: string, loginSlots?: HeldSlots): Promise<Tokens> {
  const methods = mfaMethodsOf(user);
  if (methods.length === 0) return signedIn(ctx, user, [firstFactor]);
  if (await isTrustedDevice(deviceDepsOf(ctx.deps), ctx.req, user, ctx.req.cookies[DEVICE_COOKIE])) return signedIn(ctx, user, [firstFactor, 'device']);

  const newChallenge = { kind: 'login' as const, userId: user._id, phone: user.mfa.sms ? user.phone : null, availableMethods: methods, withToken: true };
  let codeSent: CodeSent | null = null;
  let sendError: Record<string, unknown> | null = null;
  let created: CreatedChallenge;
  // The phone the code goes to at once: SMS is the only factor.
  const autoSendTo = methods.includes('sms') && !methods.includes('totp') ? newChallenge.phone : null;
  if (autoSendTo && (await locked(ctx, user))) {
    created = await createChallenge(ctx, { ...newChallenge, factorsLocked: true });
    sendError = lockedError().toBody();
  } else if (autoSendTo) {
    const sending = await createChallengeAndSend(ctx, { ...newChallenge, phone: autoSendTo }, loginSlots);
    created = sending;
    codeSent = sending.codeSent;
    sendError = sending.sendError?.toBody() ?? null;
  } else {
    created = await createChallenge(ctx, newChallenge);
  }
  const { challenge, mfaToken } = created;
  await ctx.deps.audit.record(ctx.req, 'login.mfa_required', {
    challengeId: challenge._id,
    availableMethods: methods,
    codeSent: codeSent !== null,
    sendRefusedReason: sendError ? String(sendError.reason ?? sendError.error) : null,
  }, { userId: user._id });
  throw new AppError('mfa_required', {
    mfa_token: mfaToken,
    available_methods: methods,
    codeSent,
    sendError,
  });
}

/**
 * Whether the user's factors are locked: the user's `mfa.lockedAt` says when to ask, the code
 * counter decides (a stale mark, left by a lock and an unlock racing, is cleared). One read, and
 * only for a user marked locked.
 */
async function locked(ctx: Context, user: UserDoc): Promise<boolean> {
  if (!user.mfa.lockedAt) return false;
  const deps = codeAttemptDepsOf(ctx.deps);
  if (await factorsLocked(deps, ctx.req, user._id)) return true;
  await noteLock(deps, ctx.req.tenant.realm, user._id, null);
  return false;
}

/** A session for a user who completed sign-in, recorded with the methods it took. */
async function signedIn(ctx: Context, user: Pick<UserDoc, '_id'>, amr: string[]): Promise<Tokens> {
  const tokens = await startSession(ctx, user, amr);
  await ctx.deps.audit.record(ctx.req, 'login.succeeded', { amr }, { userId: user._id });
  return tokens;
}

/** The login challenge of an mfa_token, noted as the request's audit subject. */
async function challengeOf(ctx: Context, mfaToken: string): Promise<ChallengeDoc> {
  const challenge = await findByToken(challengeDepsOf(ctx), ctx.req.tenant.realm, mfaToken);
  ctx.deps.audit.noteSubject(ctx.req, challenge.userId);
  return challenge;
}

function assertOob(challenge: ChallengeDoc): asserts challenge is ChallengeDoc & { phone: string } {
  if (!challenge.availableMethods.includes('sms') || !challenge.phone) {
    throw new AppError('VALIDATION_ERROR', { issues: [{ path: 'oob_channel', message: 'SMS is not enrolled for this user' }] }, 'SMS is not enrolled for this user.');
  }
}

/** `POST /v1/auth/mfa/challenge`: sends (or re-sends) the challenge's code. */
export async function requestCode(ctx: Context, mfaToken: string) {
  // The send is taken in the update that finds the challenge; what the token names is checked
  // on the challenge as the update found it (or, refused, as it is now), in the same order.
  const sent = await sendLoginCode(ctx, mfaToken, (current) => {
    if (!current) throw unknownToken();
    ctx.deps.audit.noteSubject(ctx.req, current.userId);
    assertOob(current);
    // Not claimed (the claim skips such a challenge): nothing to give back.
    if (current.factorsLocked) throw lockedError();
    return current;
  });
  return { challenge_type: 'oob' as const, oob_channel: 'sms' as const, ...sent };
}

/** What the challenge element shows before the user types: where the code went, what is left. */
export async function challengeStatus(ctx: Context, mfaToken: string) {
  const challenge = await challengeOf(ctx, mfaToken);
  const refusal = liveRefusal(ctx, challenge);
  if (refusal) throw refusal;
  return {
    available_methods: challenge.availableMethods,
    ...codeSentOf(challenge, ctx.req.tenant.tenant.quotas.minIntervalSeconds),
    maskedPhone: challenge.phone ? maskPhone(challenge.phone) : null,
    codeSent: challenge.sends > 0,
    /** Whether `trustDevice` can work from this page (the mfa_device cookie is kept only same-site). */
    trustDeviceAvailable: deviceCookieWorks(ctx.req),
  };
}

/** The refusal a challenge would answer with right now, read from the document we hold. */
function liveRefusal(ctx: Context, challenge: ChallengeDoc): AppError | null {
  const now = ctx.deps.clock.now();
  const live = challenge.status === 'pending' && challenge.expiresAt > now && challengeState(challenge).attemptsRemaining > 0;
  return live ? null : refusalFor(challenge, now);
}

export interface VerifyInput {
  mfaToken: string;
  method: MfaMethod;
  code: string;
  trustDevice: boolean;
}

/** `POST /v1/auth/mfa/verify`: the second factor; a session (and a trusted device) on success. */
export async function verifyLogin(ctx: Context, input: VerifyInput) {
  const verified = input.method === 'sms' ? await verifySmsCode(ctx, input) : await verifyUsedUpCode(ctx, input);
  // Only where the cookie can stick: `trustedDevice` says what really happened.
  const trusted = input.trustDevice && deviceCookieWorks(ctx.req);
  // Trusting a device binds it to the user's credentials version: the user is read for it.
  const user = trusted ? (verified.user ?? (await findUser(ctx, verified.challenge.userId))) : verified.user;
  if (trusted && !user) throw refusalFor(null, ctx.deps.clock.now());
  const tokens = await signedIn(ctx, user ?? { _id: verified.challenge.userId }, ['pwd', AMR[input.method]]);
  if (trusted) ctx.res.cookies.push(...(await trustDevice(deviceDepsOf(ctx.deps), ctx.req, user!)));
  ctx.deps.log.info('mfa verified', { method: input.method, challengeId: verified.challenge._id, requestId: ctx.req.requestId });
  return { ...tokens, trustedDevice: trusted };
}

function assertMethod(challenge: ChallengeDoc, method: MfaMethod): void {
  if (!challenge.availableMethods.includes(method)) {
    throw new AppError('VALIDATION_ERROR', { issues: [{ path: 'method', message: `Use one of: ${challenge.availableMethods.join(', ')}` }] }, `This user cannot verify with ${method}.`);
  }
}

/**
 * An SMS code: judged and counted in the one update that finds the challenge by its token
 * (`judgeLoginCode`), then counted under the account-level limits in one update of the user's
 * counters (`settleLoginJudgement`). The user is not read: a live challenge implies its user
 * (erasing a user erases its challenges first, server/platform/erasure.ts), and the session
 * needs only the id.
 */
async function verifySmsCode(ctx: Context, input: VerifyInput): Promise<{ challenge: ChallengeDoc; user: UserDoc | null }> {
  const challenges = challengeDepsOf(ctx);
  const judged = await judgeLoginCode(challenges, ctx.req.tenant.realm, input.mfaToken, 'sms', input.code.trim());
  if (!judged) throw unknownToken();
  const challenge = judged.challenge;
  ctx.deps.audit.noteSubject(ctx.req, challenge.userId);
  if (challenge.kind !== 'login') throw refusalFor(null, ctx.deps.clock.now());
  // Not judged without the method (the update requires it): answered first, as before anything else.
  assertMethod(challenge, 'sms');
  const completed = await auditedCodeCheck(ctx.deps.audit, ctx.req, challenge, 'sms', () =>
    settleLoginJudgement(challenges, codeAttemptDepsOf(ctx.deps), ctx.req, judged, 'sms'),
  );
  return { challenge: completed, user: null };
}

/**
 * A TOTP or recovery code, which its check uses up: read the challenge, check it is live, take
 * the account-level slot, use the code, then complete the challenge or count the failure.
 */
async function verifyUsedUpCode(ctx: Context, input: VerifyInput): Promise<{ challenge: ChallengeDoc; user: UserDoc | null }> {
  const challenge = await challengeOf(ctx, input.mfaToken);
  if (challenge.kind !== 'login') throw refusalFor(null, ctx.deps.clock.now());
  assertMethod(challenge, input.method);
  const challenges = challengeDepsOf(ctx);
  let user = null as UserDoc | null;
  const completed = await auditedCodeCheck(ctx.deps.audit, ctx.req, challenge, input.method, async () => {
    // The guide's per-challenge answers (expired, 5 wrong codes) come first; codes that are used
    // up by checking them (TOTP steps, recovery codes) are checked only on a live challenge.
    const refusal = liveRefusal(ctx, challenge);
    if (refusal) throw refusal;
    // Then the account-level limits across challenges, on every code judged.
    const kind = input.method === 'recovery_code' ? 'recovery_code' : 'factor';
    return guardCodeCheck(codeAttemptDepsOf(ctx.deps), ctx.req, challenge.userId, kind, async () => {
      user = await findUser(ctx, challenge.userId);
      if (!user) throw refusalFor(null, ctx.deps.clock.now());
      const right =
        input.method === 'totp'
          ? await consumeTotpCode(totpDepsOf(ctx.deps), ctx.req.tenant.realm, ctx.req.tenant.tenant.brand, user, input.code.trim())
          : await consumeRecoveryCode(recoveryCodeDepsOf(ctx.deps), ctx.req, user, input.code, 'login');
      return right ? completeChallenge(challenges, challenge._id) : failAttempt(challenges, challenge._id);
    });
  });
  if (!user) throw refusalFor(null, ctx.deps.clock.now());
  return { challenge: completed, user };
}

function unknownToken(): AppError {
  return new AppError('MFA_CHALLENGE_EXPIRED', {}, 'This sign-in attempt is unknown or has ended. Start over.');
}
