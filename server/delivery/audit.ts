import type { AuditSink } from '../audit/sink.ts';
import type { DeliveryReason } from '../contract/errors.ts';
import { maskPhone } from '../phone.ts';
import type { DeliveryState, DeliveryStatus, Realm } from '../store/documents.ts';
import type { Outbox } from './outbox.ts';
import type { OutboxMessageDoc } from './types.ts';

/**
 * The delivery feature's side of the audit trail: the events it records, through the sink it is
 * handed. Phones are masked here; callers pass the full number.
 */
export interface DeliveryAuditDeps {
  audit: AuditSink;
}

/**
 * A later state of a code already recorded as `mfa.code.sent` (sent, delivered, failed, dropped),
 * for the outbox worker and the Telnyx receipts.
 */
export function recordDeliveryStatusEvent(
  deps: DeliveryAuditDeps,
  input: {
    realm: Realm;
    userId: string | null;
    challengeId: string | null;
    messageId: string;
    to: string;
    sender: string | null;
    status: DeliveryStatus;
    reason: DeliveryReason | null;
  },
): Promise<void> {
  return deps.audit.recordSystem({
    realm: input.realm,
    userId: input.userId,
    type: 'mfa.code.delivery_updated',
    payload: {
      challengeId: input.challengeId,
      messageId: input.messageId,
      maskedPhone: maskPhone(input.to),
      sender: input.sender,
      deliveryStatus: input.status,
      deliveryReason: input.reason,
    },
  });
}

/**
 * A STOP (`optedOut: true`) or START reply from `phone` to `sender`. Opt-outs are per number pair
 * and span tenants on the shared number: it is recorded in the realm that sent to the pair.
 */
export function recordOptOutEvent(
  deps: DeliveryAuditDeps,
  input: { realm: Realm; userId: string | null; phone: string; sender: string; optedOut: boolean; keyword: string },
): Promise<void> {
  const payload = { maskedPhone: maskPhone(input.phone), sender: input.sender, keyword: input.keyword };
  return input.optedOut
    ? deps.audit.recordSystem({ realm: input.realm, userId: input.userId, type: 'sms.opted_out', payload })
    : deps.audit.recordSystem({ realm: input.realm, userId: input.userId, type: 'sms.opted_in', payload });
}

/**
 * Moves the challenge's delivery forward and writes the message's new state to the tenant's
 * audit trail (`mfa.code.delivery_updated`): one call for the worker and for the receipts.
 */
export async function advanceDelivery(deps: DeliveryAuditDeps, outbox: Outbox, message: OutboxMessageDoc, state: DeliveryState): Promise<void> {
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
  deps: DeliveryAuditDeps,
  outbox: Outbox,
  input: { sender: string; phone: string; optedOut: boolean; keyword: string; message?: OutboxMessageDoc },
): Promise<void> {
  const message =
    input.message ??
    (await outbox.messages.findOne({ from: input.sender, to: input.phone }, { sort: { createdAt: -1 }, projection: { realm: 1, userId: 1 } }));
  if (!message) return;
  await recordOptOutEvent(deps, { realm: message.realm, userId: message.userId, phone: input.phone, sender: input.sender, optedOut: input.optedOut, keyword: input.keyword });
}
