import { countJudgedCode, type CodeAttemptDeps } from '../abuse/code-attempts.ts';
import type { AuditOrigin, AuditSink } from '../audit/sink.ts';
import type { Clock } from '../clock.ts';
import { CHALLENGE_TTL_SECONDS, MAX_FAILED_ATTEMPTS, MAX_SENDS_PER_CHALLENGE } from '../contract/rules.ts';
import { CODE_DIGITS } from '../contract/formats.ts';
import { decrypt, encrypt, hmac, randomDigits, randomToken, safeEqual } from '../crypto.ts';
import type { Context } from '../context.ts';
import { AppError } from '../errors.ts';
import type { ChallengeRepository } from '../store/challenges.ts';
import type { PlannedMessage } from '../delivery/types.ts';
import type { ChallengeDoc, ChallengeKind, DeliveryState, MfaMethod, Realm } from '../store/documents.ts';
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
  /** The first of the 3 sends is taken as the challenge is stored (the caller sends it now)... */
  firstSendTaken?: boolean;
  /** ...and its message's planned state shown (`SmsDispatcher.plan`). */
  planned?: PlannedMessage | null;
  /** The user's factors were locked at sign-in: no SMS code is sent for this challenge. */
  factorsLocked?: boolean;
}

export interface CreatedChallenge {
  challenge: ChallengeDoc;
  mfaToken: string | null;
}

function codeHash(secret: string, challengeId: string, code: string): string {
  return hmac(secret, `${challengeId}:${code}`);
}

/**
 * The process's own reading of the code the database just judged: the same HMAC equality
 * (deterministic, so the same outcome), compared in constant time.
 */
function isRightCode(secret: string, challenge: ChallengeDoc, code: string): boolean {
  return safeEqual(codeHash(secret, challenge._id, code), challenge.codeHash);
}

function tokenHashOf(secret: string, mfaToken: string): string {
  return hmac(secret, `mfa:${mfaToken}`);
}

/**
 * A login challenge's id follows from its mfa_token (an HMAC of it, cut to the length of a
 * random id), so a verify can compute the code's HMAC, which names the id, before it reads
 * anything: the code is judged in the one update that finds the challenge. The id reveals
 * nothing of the token (the HMAC is one-way) and is still looked up with the token's own hash.
 */
function challengeIdOf(secret: string, mfaToken: string): string {
  return `chl_${hmac(secret, `challenge-id:${mfaToken}`).slice(0, 16)}`;
}

/** A new challenge of this request's tenant environment, stored, with its mfa_token when it has one. */
export async function createChallenge(ctx: Context, input: NewChallenge): Promise<CreatedChallenge> {
  const { clock, keys } = ctx.deps;
  const now = clock.now();
  const code = randomDigits(CODE_DIGITS);
  const mfaToken = input.withToken ? `mfa_${randomToken(32)}` : null;
  const id = mfaToken ? challengeIdOf(keys.secret, mfaToken) : `chl_${randomToken(12)}`;
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
    // Taken at once when the caller sends the first code with the challenge (a login's auto-send).
    sends: input.firstSendTaken ? 1 : 0,
    failedAttempts: 0,
    status: 'pending',
    availableMethods: input.availableMethods,
    createdAt: now,
    expiresAt: new Date(now.getTime() + CHALLENGE_TTL_SECONDS * 1000),
    lastSentAt: input.firstSendTaken ? now : null,
    delivery: (input.firstSendTaken && input.planned?.state) || null,
    verifiedAt: null,
    ip: ctx.req.ip,
    userAgent: ctx.req.userAgent,
    ...(input.factorsLocked ? { factorsLocked: true } : {}),
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

/** What a send is taken from: a challenge in hand (by id), or a login's mfa_token. */
export type SendTarget = { challengeId: string } | { realm: Realm; mfaToken: string };

export interface ClaimedSend {
  /** The challenge with the send taken. */
  challenge: ChallengeDoc;
  code: string;
  /** What `releaseSend` needs to give the send back entirely (the interval included). */
  taken: { at: Date; previousLastSentAt: Date | null };
  /** The message the send showed on the challenge as it took it, and what the challenge showed before. */
  planned: PlannedMessage | null;
  previousDelivery: DeliveryState | null;
}

function targetFilter(deps: ChallengeDeps, target: SendTarget) {
  return 'challengeId' in target ? { _id: target.challengeId } : { tokenHash: tokenHashOf(deps.secret, target.mfaToken), realm: target.realm };
}

/**
 * Takes one of the challenge's 3 sends, atomically (one update). Null when refused: the caller
 * reads `currentChallenge` to say why (`refusalFor`).
 */
export async function claimSend(deps: ChallengeDeps, target: SendTarget, minIntervalSeconds: number, planned: PlannedMessage | null = null): Promise<ClaimedSend | null> {
  const now = deps.clock.now();
  const before = await deps.challenges.claimSend(targetFilter(deps, target), now, minIntervalSeconds, planned?.state);
  if (!before) return null;
  return {
    challenge: { ...before, sends: before.sends + 1, lastSentAt: now, delivery: planned?.state ?? before.delivery },
    code: decrypt(deps.secret, 'challenge-code', before.codeSealed),
    taken: { at: now, previousLastSentAt: before.lastSentAt },
    planned,
    previousDelivery: before.delivery,
  };
}

/** A new challenge's first send, taken as it was stored (`NewChallenge.firstSendTaken`, with its `planned` message). */
export function firstSendOf(deps: ChallengeDeps, challenge: ChallengeDoc, planned: PlannedMessage | null = null): ClaimedSend {
  return {
    challenge,
    code: decrypt(deps.secret, 'challenge-code', challenge.codeSealed),
    taken: { at: challenge.lastSentAt ?? challenge.createdAt, previousLastSentAt: null },
    planned,
    previousDelivery: null,
  };
}

/** The challenge a send was refused for, as it is now (null: there is none). */
export function currentChallenge(deps: ChallengeDeps, target: SendTarget): Promise<ChallengeDoc | null> {
  return 'challengeId' in target ? deps.challenges.findById(target.challengeId) : deps.challenges.findByTokenHash(target.realm, tokenHashOf(deps.secret, target.mfaToken));
}

/**
 * Gives a send back: when the message could not be queued, or was refused at once; with `taken`
 * (a quota refused it after the claim) also the time of the last send, so the refused send does
 * not start the interval either.
 */
export async function releaseSend(deps: ChallengeDeps, claimed: ClaimedSend, how: { interval: boolean; delivery: boolean }): Promise<void> {
  const { taken, planned } = claimed;
  await deps.challenges.releaseSend(
    claimed.challenge._id,
    how.interval ? { takenAt: taken.at, previous: taken.previousLastSentAt } : undefined,
    how.delivery && planned ? { messageId: planned.messageId, previous: claimed.previousDelivery } : undefined,
  );
}

/**
 * What one `judgeCode` did, read from the challenge as it was before it (`judged`, so live):
 * the right code completed it (returned), or a wrong one was counted (throws `MFA_INVALID_CODE`
 * with the attempts left). Not judged: refused, with the reason read from the challenge as it is.
 */
function judgementOf(secret: string, judged: ChallengeDoc | null, current: ChallengeDoc | null, code: string, now: Date): ChallengeDoc {
  if (!judged) throw refusalFor(current, now);
  if (isRightCode(secret, judged, code)) return { ...judged, status: 'verified', verifiedAt: now };
  throw new AppError('MFA_INVALID_CODE', { attemptsRemaining: MAX_FAILED_ATTEMPTS - (judged.failedAttempts + 1) });
}

/**
 * Checks a code against the challenge in one atomic update (`ChallengeRepository.judgeCode`):
 * the right code completes the challenge (only one caller can), a wrong one counts a failure
 * (only 5 can). Anything else is refused with the reason.
 */
export async function verifyChallengeCode(deps: ChallengeDeps, challenge: ChallengeDoc, code: string): Promise<ChallengeDoc> {
  const now = deps.clock.now();
  const judged = await deps.challenges.judgeCode({ _id: challenge._id }, codeHash(deps.secret, challenge._id, code), now, null);
  return judgementOf(deps.secret, judged, judged ? null : await deps.challenges.findById(challenge._id), code, now);
}

export interface LoginJudgement {
  /** The challenge as the judgement found it (judged: live, before it), or as it is (not judged). */
  challenge: ChallengeDoc;
  /** Whether the code was judged (the challenge was live and accepts the method). */
  judged: boolean;
  /** Whether the code was right (judged: the update completed the challenge). */
  right: boolean;
  /** When it was judged (the instant the update compared against). */
  at: Date;
}

/**
 * Finds the login challenge of an mfa_token and judges its `method` code in the same atomic
 * update: the id follows from the token (`challengeIdOf`), so the code's HMAC is known before
 * anything is read. When no live challenge matched, the challenge is read by its token's hash to
 * say why (a refused code's extra round trip); null: no challenge has this token in the realm.
 */
export async function judgeLoginCode(deps: ChallengeDeps, realm: Realm, mfaToken: string, method: MfaMethod, code: string): Promise<LoginJudgement | null> {
  const at = deps.clock.now();
  const tokenHash = tokenHashOf(deps.secret, mfaToken);
  const id = challengeIdOf(deps.secret, mfaToken);
  const judged = await deps.challenges.judgeCode({ _id: id, tokenHash, realm }, codeHash(deps.secret, id, code), at, method);
  if (judged) return { challenge: judged, judged: true, right: isRightCode(deps.secret, judged, code), at };
  const current = await deps.challenges.findByTokenHash(realm, tokenHash);
  if (!current) return null;
  if (current._id !== id) {
    // Stored before ids followed from tokens (a random id; gone a day after, with its TTL): judged by its own id.
    const legacy = await deps.challenges.judgeCode({ _id: current._id, tokenHash, realm }, codeHash(deps.secret, current._id, code), at, method);
    if (legacy) return { challenge: legacy, judged: true, right: isRightCode(deps.secret, legacy, code), at };
  }
  return { challenge: current, judged: false, right: false, at };
}

/**
 * Settles a login judgement under the account-level limits (`countJudgedCode`: one atomic
 * update of the user's counters); when they refuse, the judgement is undone (the completion,
 * or the counted failure), so a refused code costs the challenge nothing, and the refused
 * answer takes the same steps for a right code and a wrong one. Throws like `verifyChallengeCode`.
 */
export async function settleLoginJudgement(deps: ChallengeDeps, attempts: CodeAttemptDeps, origin: AuditOrigin, judgement: LoginJudgement, method: MfaMethod): Promise<ChallengeDoc> {
  const { challenge, judged, right, at } = judgement;
  if (!judged) throw refusalFor(challenge, at);
  try {
    await countJudgedCode(attempts, origin, challenge.userId, method === 'recovery_code' ? 'recovery_code' : 'factor', right);
  } catch (refusal) {
    await deps.challenges.undoJudgement(challenge._id, right ? at : null);
    throw refusal;
  }
  if (!right) throw new AppError('MFA_INVALID_CODE', { attemptsRemaining: MAX_FAILED_ATTEMPTS - (challenge.failedAttempts + 1) });
  return { ...challenge, status: 'verified', verifiedAt: at };
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
