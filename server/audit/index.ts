/**
 * The audit trail (issue 9): append-only events of every security-relevant action, consent
 * records of SMS enrollments, the tenant's admin access to both, and credential-change
 * notifications through a signed, retried webhook.
 *
 * For the delivery feature: `recordDeliveryStatusEvent` (a sent code's later states) and
 * `recordOptOutEvent` (STOP / START replies); both are `recordSystemEvent` with a typed payload.
 */
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import { maskPhone } from '../mfa/phone.ts';
import type { DeliveryStatus, Realm } from '../store/documents.ts';
import type { IndexSpec, Store } from '../store/index.ts';
import type { AuditEventDoc } from './events.ts';
import { JOB_INDEXES, JobQueue, JobWorker, loadJobSettings, registerJobWorker, type JobSettings } from '../queue/jobs.ts';
import { NOTIFICATION_JOB, notificationHandler } from './notifications.ts';
import { recordSystemEvent, type SystemEventDeps } from './record.ts';

export { recordEvent, recordSystemEvent, noteAuditSubject, DEFAULT_AUDIT_RETENTION_DAYS } from './record.ts';
export type { AuditEventDoc, AuditEventType, AuditPayloads } from './events.ts';
export { AUDIT_EXPORT_PATH, exportAuditEvents } from './export.ts';
export { verifyNotificationSignature, signNotification } from './notifications.ts';

export const AUDIT_INDEXES: IndexSpec[] = [
  ['auditEvents', { realm: 1, _id: -1 }],
  ['auditEvents', { realm: 1, userId: 1, _id: -1 }],
  ['auditEvents', { realm: 1, type: 1, _id: -1 }],
  // Retention: each event carries its own expiry (the tenant's retention when it was recorded).
  ['auditEvents', { expiresAt: 1 }, { expireAfterSeconds: 0 }],
  ['consents', { realm: 1, userId: 1, _id: -1 }],
  ['consents', { realm: 1, phone: 1, _id: -1 }],
  ['consents', { realm: 1, challengeId: 1 }],
  ...JOB_INDEXES,
];

/**
 * A later state of a code already recorded as `mfa.code.sent` (sent, delivered, failed, dropped),
 * for the outbox worker and the Telnyx receipts. `to` is masked here; pass the full number.
 */
export function recordDeliveryStatusEvent(
  deps: SystemEventDeps,
  input: {
    realm: Realm;
    userId: string | null;
    challengeId: string | null;
    messageId: string;
    to: string;
    sender: string | null;
    status: DeliveryStatus;
    reason: string | null;
  },
): Promise<AuditEventDoc> {
  return recordSystemEvent(deps, {
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
 * and span tenants on the shared number: record it in the realm(s) that sent to the pair (e.g.
 * the realm of the newest outbox message from `sender` to `phone`), with that message's user.
 */
export function recordOptOutEvent(
  deps: SystemEventDeps,
  input: { realm: Realm; userId: string | null; phone: string; sender: string; optedOut: boolean; keyword: string },
): Promise<AuditEventDoc> {
  const payload = { maskedPhone: maskPhone(input.phone), sender: input.sender, keyword: input.keyword };
  return input.optedOut
    ? recordSystemEvent(deps, { realm: input.realm, userId: input.userId, type: 'sms.opted_out', payload })
    : recordSystemEvent(deps, { realm: input.realm, userId: input.userId, type: 'sms.opted_in', payload });
}

export interface AuditWorkerDeps {
  store: Store;
  clock: Clock;
  keys: { secret: string };
  config: Config;
  log: Logger;
}

/** Starts this process's job worker (credential-change webhooks); stop it with the returned function. */
export function startAuditWorker(deps: AuditWorkerDeps, overrides: Partial<JobSettings> = {}): { stop(): Promise<void> } {
  const worker = new JobWorker(new JobQueue(deps.store), { [NOTIFICATION_JOB]: notificationHandler(deps) }, loadJobSettings(process.env, overrides), deps.log);
  registerJobWorker(deps.store, worker);
  worker.start();
  return {
    async stop() {
      registerJobWorker(deps.store, null);
      await worker.stop();
    },
  };
}
