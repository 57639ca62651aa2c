import { consumeSendQuotas } from '../abuse/sms-quotas.ts';
import type { Context } from '../context.ts';
import { senderNumberFor } from '../delivery/senders.ts';
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

export function codeSentOf(challenge: ChallengeDoc, minIntervalSeconds: number): CodeSent {
  return {
    maskedPhone: challenge.phone ? maskPhone(challenge.phone) : '',
    ...challengeState(challenge),
    retryAfterSeconds: minIntervalSeconds,
    delivery: { status: challenge.delivery?.status ?? 'queued', reason: challenge.delivery?.reason ?? null },
  };
}
