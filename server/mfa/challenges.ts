import type { AuditOrigin, AuditSink } from '../audit/sink.ts';
import type { Clock } from '../clock.ts';
import { CHALLENGE_TTL_SECONDS, MAX_FAILED_ATTEMPTS, MAX_SENDS_PER_CHALLENGE } from '../contract/rules.ts';
import { CODE_DIGITS } from '../contract/formats.ts';
import { decrypt, encrypt, hmac, randomDigits, randomToken, safeEqual } from '../crypto.ts';
import type { Context } from '../context.ts';
import { AppError } from '../errors.ts';
import type { ChallengeRepository } from '../store/challenges.ts';
import type { ChallengeDoc, ChallengeKind, MfaMethod, Realm } from '../store/documents.ts';
import { repositoriesOf } from '../store/index.ts';

/**
 * Challenges: the guide's limits, enforced by the challenge repository's atomic updates, and the
 * answer when one of them refuses. Each rule takes what it needs (`ChallengeDeps`), not the request.
 */

export interface ChallengeDeps {
  challenges: ChallengeRepository;
  clock: Clock;
  /** The server's HMAC and sealing key. */
  secret: string;
}

export function challengeDepsOf(ctx: Context): ChallengeDeps {
  return { challenges: repositoriesOf(ctx.deps.store).challenges, clock: ctx.deps.clock, secret: ctx.deps.keys.secret };
}

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

function tokenHashOf(secret: string, mfaToken: string): string {
  return hmac(secret, `mfa:${mfaToken}`);
}

/** A new challenge of this request's tenant environment, stored, with its mfa_token when it has one. */
export async function createChallenge(ctx: Context, input: NewChallenge): Promise<CreatedChallenge> {
  const { clock, keys } = ctx.deps;
  const now = clock.now();
  const id = `chl_${randomToken(12)}`;
  const code = randomDigits(CODE_DIGITS);
  const mfaToken = input.withToken ? `mfa_${randomToken(32)}` : null;
  const challenge: ChallengeDoc = {
    _id: id,
    realm: ctx.req.tenant.realm,
    kind: input.kind,
    userId: input.userId,
    tokenHash: mfaToken ? tokenHashOf(keys.secret, mfaToken) : null,
    phone: input.phone,
    codeHash: codeHash(keys.secret, id, code),
    // A resend re-sends the same code, so it is kept sealed (never in plain form) until the challenge ends.
    codeSealed: encrypt(keys.secret, 'challenge-code', code),
    sends: 0,
    failedAttempts: 0,
    status: 'pending',
    availableMethods: input.availableMethods,
    createdAt: now,
    expiresAt: new Date(now.getTime() + CHALLENGE_TTL_SECONDS * 1000),
    lastSentAt: null,
    delivery: null,
    verifiedAt: null,
    ip: ctx.req.ip,
    userAgent: ctx.req.userAgent,
  };
  await repositoriesOf(ctx.deps.store).challenges.insert(challenge);
  return { challenge, mfaToken };
}

/** The login challenge an mfa_token names in this realm; refused as expired when there is none. */
export async function findByToken(deps: ChallengeDeps, realm: Realm, mfaToken: string): Promise<ChallengeDoc> {
  const challenge = await deps.challenges.findByTokenHash(realm, tokenHashOf(deps.secret, mfaToken));
  if (!challenge) throw new AppError('MFA_CHALLENGE_EXPIRED', {}, 'This sign-in attempt is unknown or has ended. Start over.');
  return challenge;
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
export async function claimSend(deps: ChallengeDeps, challengeId: string, minIntervalSeconds: number): Promise<{ challenge: ChallengeDoc; code: string }> {
  const now = deps.clock.now();
  const updated = await deps.challenges.claimSend(challengeId, now, minIntervalSeconds);
  if (!updated) throw refusalFor(await deps.challenges.findById(challengeId), now, minIntervalSeconds);
  return { challenge: updated, code: decrypt(deps.secret, 'challenge-code', updated.codeSealed) };
}

/** Gives a send back when the message could not even be queued (quota refused after the claim). */
export async function releaseSend(deps: ChallengeDeps, challengeId: string): Promise<void> {
  await deps.challenges.releaseSend(challengeId);
}

/**
 * Checks a code against the challenge. The comparison is constant-time; the outcome is one
 * atomic update: the right code completes the challenge (only one caller can), a wrong one
 * counts a failure (only 5 can). Anything else is refused with the reason.
 */
export async function verifyChallengeCode(deps: ChallengeDeps, challenge: ChallengeDoc, code: string): Promise<ChallengeDoc> {
  const right = safeEqual(codeHash(deps.secret, challenge._id, code), challenge.codeHash);
  return right ? completeChallenge(deps, challenge._id) : failAttempt(deps, challenge._id);
}

/** Marks the challenge verified if it still may be; the second caller with the same code loses. */
export async function completeChallenge(deps: ChallengeDeps, challengeId: string): Promise<ChallengeDoc> {
  const now = deps.clock.now();
  const done = await deps.challenges.complete(challengeId, now);
  if (!done) throw refusalFor(await deps.challenges.findById(challengeId), now);
  return done;
}

/** Counts a wrong code and answers with the attempts left (the 5th leaves 0 and kills the challenge). */
export async function failAttempt(deps: ChallengeDeps, challengeId: string): Promise<never> {
  const now = deps.clock.now();
  const counted = await deps.challenges.failAttempt(challengeId, now);
  if (!counted) throw refusalFor(await deps.challenges.findById(challengeId), now);
  throw new AppError('MFA_INVALID_CODE', { attemptsRemaining: MAX_FAILED_ATTEMPTS - counted.failedAttempts });
}

/**
 * Runs a code check on a challenge (`verifyChallengeCode`, or a TOTP / recovery code then
 * `completeChallenge` / `failAttempt`) and records its outcome: success, a wrong code with the
 * attempts left, the 5th wrong code that kills the challenge, an expired challenge. Refusals for
 * too many attempts are recorded with every other rate-limit refusal. The outcome is rethrown.
 */
export async function auditedCodeCheck(
  audit: AuditSink,
  origin: AuditOrigin,
  challenge: ChallengeDoc,
  method: MfaMethod,
  check: () => Promise<ChallengeDoc>,
): Promise<ChallengeDoc> {
  const purpose = challenge.kind === 'login' ? 'login' : 'enroll_sms';
  const subject = { userId: challenge.userId };
  let done: ChallengeDoc;
  try {
    done = await check();
  } catch (error) {
    if (error instanceof AppError && error.code === 'MFA_INVALID_CODE') {
      const attemptsRemaining = Number(error.context.attemptsRemaining);
      await audit.record(origin, 'mfa.verify.failed', { purpose, method, challengeId: challenge._id, reason: 'invalid_code', attemptsRemaining }, subject);
      if (attemptsRemaining === 0) {
        await audit.record(origin, 'mfa.challenge.invalidated', { challengeId: challenge._id, purpose, failedAttempts: MAX_FAILED_ATTEMPTS }, subject);
      }
    } else if (error instanceof AppError && error.code === 'MFA_CHALLENGE_EXPIRED') {
      await audit.record(origin, 'mfa.verify.failed', { purpose, method, challengeId: challenge._id, reason: 'challenge_expired', attemptsRemaining: null }, subject);
    }
    throw error;
  }
  await audit.record(origin, 'mfa.verify.succeeded', { purpose, method, challengeId: challenge._id }, subject);
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
