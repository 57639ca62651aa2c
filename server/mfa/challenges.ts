import { noteAuditSubject, recordEvent } from '../audit/record.ts';
import { decrypt, encrypt, hmac, randomDigits, randomToken, safeEqual } from '../crypto.ts';
import type { Context } from '../context.ts';
import { AppError } from '../errors.ts';
import type { ChallengeDoc, ChallengeKind, MfaMethod } from '../store/documents.ts';
import { CHALLENGE_TTL_MS, CODE_DIGITS, MAX_FAILED_ATTEMPTS, MAX_SENDS_PER_CHALLENGE } from './rules.ts';

/**
 * Challenges: the one place where the guide's limits are enforced. Each rule is the filter of a
 * single atomic update, so concurrent requests in any number of processes cannot exceed it:
 *   pending, not expired, fewer than 5 failures [, fewer than 3 sends].
 */

export interface NewChallenge {
  kind: ChallengeKind;
  userId: string;
  phone: string | null;
  availableMethods: MfaMethod[];
  /** Login challenges are addressed by an opaque mfa_token; enrollment by the user's session. */
  withToken: boolean;
}

export interface CreatedChallenge {
  challenge: ChallengeDoc;
  mfaToken: string | null;
}

function codeHash(secret: string, challengeId: string, code: string): string {
  return hmac(secret, `${challengeId}:${code}`);
}

export function tokenHashOf(ctx: Context, mfaToken: string): string {
  return hmac(ctx.deps.keys.secret, `mfa:${mfaToken}`);
}

export async function createChallenge(ctx: Context, input: NewChallenge): Promise<CreatedChallenge> {
  const { store, clock, keys } = ctx.deps;
  const now = clock.now();
  const id = `chl_${randomToken(12)}`;
  const code = randomDigits(CODE_DIGITS);
  const mfaToken = input.withToken ? `mfa_${randomToken(32)}` : null;
  const challenge: ChallengeDoc = {
    _id: id,
    realm: ctx.req.tenant.realm,
    kind: input.kind,
    userId: input.userId,
    tokenHash: mfaToken ? tokenHashOf(ctx, mfaToken) : null,
    phone: input.phone,
    codeHash: codeHash(keys.secret, id, code),
    // A resend re-sends the same code, so it is kept sealed (never in plain form) until the challenge ends.
    codeSealed: encrypt(keys.secret, 'challenge-code', code),
    sends: 0,
    failedAttempts: 0,
    status: 'pending',
    availableMethods: input.availableMethods,
    createdAt: now,
    expiresAt: new Date(now.getTime() + CHALLENGE_TTL_MS),
    lastSentAt: null,
    delivery: null,
    verifiedAt: null,
    ip: ctx.req.ip,
    userAgent: ctx.req.userAgent,
  };
  await store.challenges.insertOne(challenge);
  return { challenge, mfaToken };
}

export async function findByToken(ctx: Context, mfaToken: string): Promise<ChallengeDoc> {
  const challenge = await ctx.deps.store.challenges.findOne({ tokenHash: tokenHashOf(ctx, mfaToken), realm: ctx.req.tenant.realm });
  if (!challenge) throw new AppError('MFA_CHALLENGE_EXPIRED', {}, 'This sign-in attempt is unknown or has ended. Start over.');
  noteAuditSubject(ctx, challenge.userId);
  return challenge;
}

/** The filter every live challenge matches: the guide's limits, as of `now`. */
function liveFilter(id: string, now: Date) {
  return { _id: id, status: 'pending' as const, expiresAt: { $gt: now }, failedAttempts: { $lt: MAX_FAILED_ATTEMPTS } };
}

/**
 * Why an operation on a challenge was refused, read after the atomic update matched nothing.
 * A dead challenge (5 failures) answers 429 before anything else, even when also expired.
 */
export function refusalFor(challenge: ChallengeDoc | null, now: Date, minIntervalSeconds = 0): AppError {
  if (!challenge) return new AppError('MFA_CHALLENGE_EXPIRED', {}, 'This challenge is unknown or has ended. Start over.');
  if (challenge.failedAttempts >= MAX_FAILED_ATTEMPTS) {
    return new AppError(
      'MFA_RATE_LIMITED',
      { reason: 'challenge_attempt_limit', attemptsRemaining: 0 },
      'Too many wrong codes: this challenge is no longer valid. Start over.',
    );
  }
  if (challenge.status === 'verified') {
    return new AppError('MFA_CHALLENGE_EXPIRED', {}, 'This challenge was already completed. Start over.');
  }
  if (challenge.expiresAt.getTime() <= now.getTime()) {
    return new AppError('MFA_CHALLENGE_EXPIRED', { expiresAt: challenge.expiresAt.toISOString() });
  }
  if (challenge.sends >= MAX_SENDS_PER_CHALLENGE) {
    return new AppError(
      'MFA_RATE_LIMITED',
      { reason: 'challenge_send_limit', sendsRemaining: 0 },
      `No more than ${MAX_SENDS_PER_CHALLENGE} codes can be sent for one sign-in. Enter the code you received, or start over.`,
    );
  }
  if (minIntervalSeconds > 0 && challenge.lastSentAt) {
    const wait = challenge.lastSentAt.getTime() + minIntervalSeconds * 1000 - now.getTime();
    if (wait > 0) return new AppError('MFA_RATE_LIMITED', { reason: 'min_interval', retryAfterSeconds: wait / 1000 });
  }
  return new AppError('MFA_CHALLENGE_EXPIRED');
}

/** Takes one of the challenge's 3 sends, atomically. Returns the updated challenge and its code. */
export async function claimSend(ctx: Context, challengeId: string): Promise<{ challenge: ChallengeDoc; code: string }> {
  const { store, clock, keys } = ctx.deps;
  const now = clock.now();
  const minInterval = ctx.req.tenant.tenant.quotas.minIntervalSeconds;
  const filter: Record<string, unknown> = { ...liveFilter(challengeId, now), sends: { $lt: MAX_SENDS_PER_CHALLENGE } };
  if (minInterval > 0) {
    filter.$or = [{ lastSentAt: null }, { lastSentAt: { $lte: new Date(now.getTime() - minInterval * 1000) } }];
  }
  const updated = await store.challenges.findOneAndUpdate(filter, { $inc: { sends: 1 }, $set: { lastSentAt: now } }, { returnDocument: 'after' });
  if (!updated) throw refusalFor(await store.challenges.findOne({ _id: challengeId }), now, minInterval);
  return { challenge: updated, code: decrypt(keys.secret, 'challenge-code', updated.codeSealed) };
}

/** Gives a send back when the message could not even be queued (quota refused after the claim). */
export async function releaseSend(ctx: Context, challengeId: string): Promise<void> {
  await ctx.deps.store.challenges.updateOne({ _id: challengeId, sends: { $gt: 0 } }, { $inc: { sends: -1 } });
}

/**
 * Checks a code against the challenge. The comparison is constant-time; the outcome is one
 * atomic update: the right code completes the challenge (only one caller can), a wrong one
 * counts a failure (only 5 can). Anything else is refused with the reason.
 */
export async function verifyChallengeCode(ctx: Context, challenge: ChallengeDoc, code: string): Promise<ChallengeDoc> {
  const right = safeEqual(codeHash(ctx.deps.keys.secret, challenge._id, code), challenge.codeHash);
  return right ? completeChallenge(ctx, challenge._id) : failAttempt(ctx, challenge._id);
}

/** Marks the challenge verified if it still may be; the second caller with the same code loses. */
export async function completeChallenge(ctx: Context, challengeId: string): Promise<ChallengeDoc> {
  const { store, clock } = ctx.deps;
  const now = clock.now();
  const done = await store.challenges.findOneAndUpdate(
    liveFilter(challengeId, now),
    { $set: { status: 'verified', verifiedAt: now } },
    { returnDocument: 'after' },
  );
  if (!done) throw refusalFor(await store.challenges.findOne({ _id: challengeId }), now);
  return done;
}

/** Counts a wrong code and answers with the attempts left (the 5th leaves 0 and kills the challenge). */
export async function failAttempt(ctx: Context, challengeId: string): Promise<never> {
  const { store, clock } = ctx.deps;
  const now = clock.now();
  const counted = await store.challenges.findOneAndUpdate(
    liveFilter(challengeId, now),
    { $inc: { failedAttempts: 1 } },
    { returnDocument: 'after' },
  );
  if (!counted) throw refusalFor(await store.challenges.findOne({ _id: challengeId }), now);
  throw new AppError('MFA_INVALID_CODE', { attemptsRemaining: MAX_FAILED_ATTEMPTS - counted.failedAttempts });
}

/**
 * Runs a code check on a challenge (`verifyChallengeCode`, or a TOTP / recovery code then
 * `completeChallenge` / `failAttempt`) and records its outcome: success, a wrong code with the
 * attempts left, the 5th wrong code that kills the challenge, an expired challenge. Refusals for
 * too many attempts are recorded with every other rate-limit refusal. The outcome is rethrown.
 */
export async function auditedCodeCheck(ctx: Context, challenge: ChallengeDoc, method: MfaMethod, check: () => Promise<ChallengeDoc>): Promise<ChallengeDoc> {
  const purpose = challenge.kind === 'login' ? 'login' : 'enroll_sms';
  const subject = { userId: challenge.userId };
  let done: ChallengeDoc;
  try {
    done = await check();
  } catch (error) {
    if (error instanceof AppError && error.code === 'MFA_INVALID_CODE') {
      const attemptsRemaining = Number(error.context.attemptsRemaining);
      await recordEvent(ctx, 'mfa.verify.failed', { purpose, method, challengeId: challenge._id, reason: 'invalid_code', attemptsRemaining }, subject);
      if (attemptsRemaining === 0) {
        await recordEvent(ctx, 'mfa.challenge.invalidated', { challengeId: challenge._id, purpose, failedAttempts: MAX_FAILED_ATTEMPTS }, subject);
      }
    } else if (error instanceof AppError && error.code === 'MFA_CHALLENGE_EXPIRED') {
      await recordEvent(ctx, 'mfa.verify.failed', { purpose, method, challengeId: challenge._id, reason: 'challenge_expired', attemptsRemaining: null }, subject);
    }
    throw error;
  }
  await recordEvent(ctx, 'mfa.verify.succeeded', { purpose, method, challengeId: challenge._id }, subject);
  return done;
}

/** What a client may know about a challenge. */
export function challengeState(challenge: ChallengeDoc) {
  return {
    sendsRemaining: Math.max(0, MAX_SENDS_PER_CHALLENGE - challenge.sends),
    attemptsRemaining: Math.max(0, MAX_FAILED_ATTEMPTS - challenge.failedAttempts),
    expiresAt: challenge.expiresAt.toISOString(),
  };
}
