import { recordDeliveryStatusEvent, recordOptOutEvent } from '../audit/index.ts';
import type { Clock } from '../clock.ts';
import type { DeliveryState } from '../store/documents.ts';
import type { Store } from '../store/index.ts';
import type { Outbox } from './outbox.ts';
import type { OutboxMessageDoc } from './types.ts';

type AuditDeps = { store: Store; clock: Clock };

/**
 * Moves the challenge's delivery forward and writes the message's new state to the tenant's
 * audit trail (`mfa.code.delivery_updated`): one call for the worker and for the receipts.
 */
export async function advanceDelivery(deps: AuditDeps, outbox: Outbox, message: OutboxMessageDoc, state: DeliveryState): Promise<void> {
  await outbox.advanceOnChallenge(message.challengeId, state);
  await recordDeliveryStatusEvent(deps, {
    realm: message.realm,
    userId: message.userId,
    challengeId: message.challengeId,
    messageId: message._id,
    to: message.to,
    sender: message.from,
    status: state.status,
    reason: state.reason,
  });
}

/**
 * Writes an opt-out or opt-in to the audit trail of the tenant environment that texted this
 * phone from this number. On the shared number a reply names no tenant: the newest message
 * to the pair decides; a reply to a pair we never texted is kept in `optOuts` only.
 */
export async function auditOptOut(
  deps: AuditDeps,
  outbox: Outbox,
  input: { sender: string; phone: string; optedOut: boolean; keyword: string; message?: OutboxMessageDoc },
): Promise<void> {
  const message =
    input.message ??
    (await outbox.messages.findOne({ from: input.sender, to: input.phone }, { sort: { createdAt: -1 }, projection: { realm: 1, userId: 1 } }));
  if (!message) return;
  await recordOptOutEvent(deps, { realm: message.realm, userId: message.userId, phone: input.phone, sender: input.sender, optedOut: input.optedOut, keyword: input.keyword });
}
