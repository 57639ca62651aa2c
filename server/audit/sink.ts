import type { RequestInfo } from '../context.ts';
import type { Realm } from '../store/documents.ts';
import type { AuditActor, AuditEventType, AuditPayloads } from './events.ts';

/**
 * The audit trail as the features see it: a sink they are handed (`deps.audit`), never a module
 * they import. Every call is awaited by the request (or the worker) that made the change it
 * records. Events of a request name their origin, so an implementation may hold a request's
 * events and write them in one insert before the answer leaves (see `recordRefusals`).
 */
export interface AuditSink {
  /** An event of a request: its tenant environment, IP, user agent and request id. */
  record<T extends AuditEventType>(origin: AuditOrigin, type: T, payload: AuditPayloads[T], subject: EventSubject): Promise<void>;
  /** An event no request of the tenant caused (a Telnyx webhook, the outbox worker): actor `system`. */
  recordSystem<T extends AuditEventType>(event: SystemEvent<T>): Promise<void>;
  /** Who the request turned out to be about, for a refusal recorded on its way out. */
  noteSubject(origin: AuditOrigin, userId: string): void;
}

/** What an event of a request records about it. */
export type AuditOrigin = Pick<RequestInfo, 'requestId' | 'ip' | 'userAgent' | 'tenant'>;

export interface EventSubject {
  /** The user the event is about; null when unknown (a failed login for an unknown email). */
  userId: string | null;
  /** Default `end_user`; admin procedures say `admin`. */
  actor?: AuditActor;
}

export interface SystemEvent<T extends AuditEventType> {
  realm: Realm;
  userId: string | null;
  type: T;
  payload: AuditPayloads[T];
  requestId?: string | null;
}
