/**
 * The audit trail: append-only events of every security-relevant action, consent records of SMS
 * enrollments, the tenant's admin access to both, and credential-change notifications through a
 * signed, retried webhook. Features write through the `AuditSink` in their deps (`sink.ts`);
 * nothing here imports a feature.
 */
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import type { IndexSpec, Store } from '../store/index.ts';
import { JOB_INDEXES, JobQueue, JobWorker, loadJobSettings, registerJobWorker, type JobSettings } from '../queue/jobs.ts';
import { NOTIFICATION_JOB, notificationHandler } from './notifications.ts';

export { createAuditSink } from './record.ts';
export type { AuditOrigin, AuditSink } from './sink.ts';

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
