import { consumeSendQuotas } from '../abuse/sms-quotas.ts';
import type { Context } from '../context.ts';
import { senderNumberFor } from '../delivery/senders.ts';
import { ERROR_CODES, type DeliveryReason } from '../contract/errors.ts';
import { AppError } from '../errors.ts';
import { maskPhone } from '../phone.ts';
import type { ChallengeDoc, DeliveryState } from '../store/documents.ts';
import { challengeDepsOf, challengeState, claimSend, releaseSend } from './challenges.ts';

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
 * Sends the challenge's code: abuse quotas first, then one of the challenge's 3 sends, then the
 * dispatcher (sandbox inbox or the Telnyx outbox). A refusal at any step gives back what the
 * earlier steps took, so a refused request costs the user nothing.
 */
export async function sendChallengeCode(ctx: Context, challenge: ChallengeDoc): Promise<CodeSent> {
  const phone = challenge.phone;
  if (!phone) throw new Error('challenge has no phone');
  const challenges = challengeDepsOf(ctx);
  const minInterval = ctx.req.tenant.tenant.quotas.minIntervalSeconds;
  const releaseQuotas = await consumeSendQuotas(ctx, { phone, userId: challenge.userId });
  let claimed: Awaited<ReturnType<typeof claimSend>>;
  try {
    claimed = await claimSend(challenges, challenge._id, minInterval);
  } catch (error) {
    await releaseQuotas();
    throw error;
  }
  let delivery: DeliveryState;
  try {
    delivery = await ctx.deps.sms.dispatch({
      tenant: ctx.req.tenant,
      challengeId: challenge._id,
      userId: challenge.userId,
      to: phone,
      code: claimed.code,
      expiresAt: claimed.challenge.expiresAt,
    });
  } catch (error) {
    await Promise.all([releaseQuotas(), releaseSend(challenges, challenge._id)]);
    throw error;
  }
  if (refusedAtOnce(delivery)) {
    // Known now (opted out, invalid number, sender's day full, tenant cannot send): said in this
    // answer, and the send and the quotas are given back, since no code went out.
    await Promise.all([releaseQuotas(), releaseSend(challenges, challenge._id)]);
    await ctx.deps.audit.record(ctx.req, 'mfa.code.sent', {
      challengeId: challenge._id,
      purpose: challenge.kind === 'login' ? 'login' : 'enroll_sms',
      maskedPhone: maskPhone(phone),
      sender: senderNumberFor(ctx.req.tenant, ctx.deps.config),
      messageId: delivery.messageId,
      deliveryStatus: delivery.status,
      deliveryReason: delivery.reason,
      sendsRemaining: challengeState(claimed.challenge).sendsRemaining + 1,
    }, { userId: challenge.userId });
    throw deliveryRefusal(delivery.reason);
  }
  // The dispatcher has put this state on the challenge itself, before any worker could move it on.
  const sent = codeSentOf({ ...claimed.challenge, delivery }, minInterval);
  await ctx.deps.audit.record(ctx.req, 'mfa.code.sent', {
    challengeId: challenge._id,
    purpose: challenge.kind === 'login' ? 'login' : 'enroll_sms',
    maskedPhone: sent.maskedPhone,
    sender: senderNumberFor(ctx.req.tenant, ctx.deps.config),
    messageId: delivery.messageId,
    deliveryStatus: delivery.status,
    deliveryReason: delivery.reason,
    sendsRemaining: sent.sendsRemaining,
  }, { userId: challenge.userId });
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

export function codeSentOf(challenge: ChallengeDoc, minIntervalSeconds: number): CodeSent {
  return {
    maskedPhone: challenge.phone ? maskPhone(challenge.phone) : '',
    ...challengeState(challenge),
    retryAfterSeconds: minIntervalSeconds,
    delivery: { status: challenge.delivery?.status ?? 'queued', reason: challenge.delivery?.reason ?? null },
  };
}
