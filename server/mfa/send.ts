import type { HeldSlots } from '../abuse/rate-limit.ts';
import { consumeSendQuotas, sendQuotaRefusal } from '../abuse/sms-quotas.ts';
import type { Context } from '../context.ts';
import { senderNumberFor } from '../delivery/senders.ts';
import type { PlannedMessage } from '../delivery/types.ts';
import { ERROR_CODES, type DeliveryReason } from '../contract/errors.ts';
import { AppError } from '../errors.ts';
import { maskPhone } from '../phone.ts';
import type { ChallengeDoc, DeliveryState } from '../store/documents.ts';
import {
  challengeDepsOf,
  challengeState,
  claimSend,
  createChallenge,
  currentChallenge,
  firstSendOf,
  refusalFor,
  releaseSend,
  type ClaimedSend,
  type CreatedChallenge,
  type NewChallenge,
  type SendTarget,
} from './challenges.ts';

/** What the client learns when a code goes out (the `aldero-code-sent` event's detail). */
export interface CodeSent {
  maskedPhone: string;
  sendsRemaining: number;
  attemptsRemaining: number;
  expiresAt: string;
  /** Seconds before another send is allowed (0: none imposed). */
  retryAfterSeconds: number;
  delivery: { status: DeliveryState['status']; reason: DeliveryState['reason'] };
}

/**
 * Sends the challenge's code: one of the challenge's 3 sends, then the abuse quotas (all in one
 * round trip), then the dispatcher (sandbox inbox or the Telnyx outbox). A refusal at any step
 * gives back what the earlier steps took, so a refused request costs the user nothing; a send
 * that both rules refuse answers the quota's reason, as when the quotas were taken first.
 */
export async function sendChallengeCode(ctx: Context, challenge: ChallengeDoc): Promise<CodeSent> {
  return sendCode(ctx, { challengeId: challenge._id });
}

/**
 * `POST /v1/auth/mfa/challenge`: the send of the login challenge an mfa_token names, taken in the
 * update that finds it. `admit` says what to answer for the challenge as it is when the send is
 * refused (unknown token, no SMS) before the send rules do.
 */
export async function sendLoginCode(ctx: Context, mfaToken: string, admit: (current: ChallengeDoc | null) => ChallengeDoc): Promise<CodeSent> {
  return sendCode(ctx, { realm: ctx.req.tenant.realm, mfaToken }, admit);
}

async function sendCode(ctx: Context, target: SendTarget, admit?: (current: ChallengeDoc | null) => ChallengeDoc): Promise<CodeSent> {
  const challenges = challengeDepsOf(ctx);
  const minInterval = ctx.req.tenant.tenant.quotas.minIntervalSeconds;
  // The message's planned state goes on the challenge in the update that takes the send.
  const claimed = await claimSend(challenges, target, minInterval, planOf(ctx));
  if (!claimed) {
    const found = await currentChallenge(challenges, target);
    const current = admit ? admit(found) : found;
    if (current?.phone) {
      const quotaRefusal = await sendQuotaRefusal(ctx, { phone: current.phone, userId: current.userId });
      if (quotaRefusal) throw quotaRefusal;
    }
    throw refusalFor(current, ctx.deps.clock.now(), minInterval);
  }
  admit?.(claimed.challenge);
  const phone = claimed.challenge.phone!;
  let releaseQuotas: () => Promise<void>;
  try {
    releaseQuotas = await consumeSendQuotas(ctx, { phone, userId: claimed.challenge.userId });
  } catch (error) {
    await releaseSend(challenges, claimed, { interval: true, delivery: true });
    throw error;
  }
  return deliver(ctx, claimed, releaseQuotas);
}

/**
 * A login's first code, sent with its new challenge: the quotas first, then the challenge is
 * stored with that send already taken (no claim to make on a challenge nobody else has seen),
 * then the dispatcher. A refusal to send is returned beside the challenge, not thrown: the user
 * may still use another method.
 */
export async function createChallengeAndSend(
  ctx: Context,
  input: NewChallenge & { phone: string },
  /** Slots the sign-in gives back, in the round trip of the send quotas. */
  giveBack?: HeldSlots,
): Promise<CreatedChallenge & { codeSent: CodeSent | null; sendError: AppError | null }> {
  let releaseQuotas: (() => Promise<void>) | null = null;
  let sendError: AppError | null = null;
  try {
    releaseQuotas = await consumeSendQuotas(ctx, { phone: input.phone, userId: input.userId }, giveBack);
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    sendError = error;
  }
  const planned = releaseQuotas ? planOf(ctx) : null;
  let created: CreatedChallenge;
  try {
    created = await createChallenge(ctx, { ...input, firstSendTaken: releaseQuotas !== null, planned });
  } catch (error) {
    await releaseQuotas?.();
    throw error;
  }
  if (!releaseQuotas) return { ...created, codeSent: null, sendError };
  try {
    return { ...created, codeSent: await deliver(ctx, firstSendOf(challengeDepsOf(ctx), created.challenge, planned), releaseQuotas), sendError: null };
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    return { ...created, codeSent: null, sendError: error };
  }
}

/** The message this request's send will be, as the dispatcher can tell it now (`SmsDispatcher.plan`). */
function planOf(ctx: Context): PlannedMessage | null {
  return ctx.deps.sms.plan?.(ctx.req.tenant) ?? null;
}

/** Hands a claimed send to the dispatcher and records it; a refusal gives back the send and the quotas. */
async function deliver(ctx: Context, claimed: ClaimedSend, releaseQuotas: () => Promise<void>): Promise<CodeSent> {
  const challenges = challengeDepsOf(ctx);
  const challenge = claimed.challenge;
  const phone = challenge.phone!;
  const minInterval = ctx.req.tenant.tenant.quotas.minIntervalSeconds;
  let delivery: DeliveryState;
  try {
    delivery = await ctx.deps.sms.dispatch({
      tenant: ctx.req.tenant,
      challengeId: challenge._id,
      userId: challenge.userId,
      to: phone,
      code: claimed.code,
      expiresAt: challenge.expiresAt,
      planned: claimed.planned,
    });
  } catch (error) {
    await Promise.all([releaseQuotas(), releaseSend(challenges, claimed, { interval: false, delivery: true })]);
    throw error;
  }
  // Parsing the number (to mask it) is the costliest step of a send in this process: once.
  const maskedPhone = maskPhone(phone);
  const recordSent = (sendsRemaining: number) =>
    ctx.deps.audit.record(ctx.req, 'mfa.code.sent', {
      challengeId: challenge._id,
      purpose: challenge.kind === 'login' ? 'login' : 'enroll_sms',
      maskedPhone,
      sender: senderNumberFor(ctx.req.tenant, ctx.deps.config),
      messageId: delivery.messageId,
      deliveryStatus: delivery.status,
      deliveryReason: delivery.reason,
      sendsRemaining,
    }, { userId: challenge.userId });
  if (refusedAtOnce(delivery)) {
    // Known now (opted out, invalid number, sender's day full, tenant cannot send): said in this
    // answer, and the send and the quotas are given back, since no code went out.
    // Its state (the refusal) stays shown: it is the newest message's.
    await Promise.all([releaseQuotas(), releaseSend(challenges, claimed, { interval: false, delivery: false })]);
    await recordSent(challengeState(challenge).sendsRemaining + 1);
    throw deliveryRefusal(delivery.reason);
  }
  // The dispatcher has put this state on the challenge itself, before any worker could move it on.
  const sent = codeSentOf({ ...challenge, delivery }, minInterval, maskedPhone);
  await recordSent(sent.sendsRemaining);
  return sent;
}

/** A delivery that ended before anything was handed to a provider, or that the provider refused at once (inline). */
function refusedAtOnce(delivery: DeliveryState): delivery is DeliveryState & { status: 'failed' | 'dropped' } {
  return delivery.status === 'failed' || delivery.status === 'dropped';
}

/** `MFA_DELIVERY_FAILED` with the reason: the same answer for enrollment and login sends. */
export function deliveryRefusal(reason: DeliveryReason | null): AppError {
  const why = reason ?? 'provider_rejected';
  return new AppError('MFA_DELIVERY_FAILED', { reason: why }, DELIVERY_REFUSALS[why] ?? ERROR_CODES.MFA_DELIVERY_FAILED.message);
}

/** The sentence of each refusal answered at once (the elements show their own, by reason). */
const DELIVERY_REFUSALS: Partial<Record<DeliveryReason, string>> = {
  opted_out: 'This number replied STOP to our messages: reply START to it, or use another number or method.',
  invalid_number: 'This number cannot receive text messages. Use another number or method.',
  sender_daily_limit: 'Text messages cannot be sent right now: the sending number has reached its daily limit. Try again later, or use another method.',
  provider_not_configured: 'Text messages are not available for this application.',
  sender_not_configured: 'Text messages are not available for this application.',
  tenant_suspended: 'Text messages are not available for this application.',
  provider_auth_failed: 'Text messages are not available right now. Try again later.',
  provider_unavailable: 'Text messages are not available right now. Try again later.',
  challenge_expired: 'This challenge has ended. Start over.',
};

export function codeSentOf(challenge: ChallengeDoc, minIntervalSeconds: number, maskedPhone?: string): CodeSent {
  return {
    maskedPhone: maskedPhone ?? (challenge.phone ? maskPhone(challenge.phone) : ''),
    ...challengeState(challenge),
    retryAfterSeconds: minIntervalSeconds,
    delivery: { status: challenge.delivery?.status ?? 'queued', reason: challenge.delivery?.reason ?? null },
  };
}
