import type { RequestInfo } from '../context.ts';
import type { Realm } from '../store/documents.ts';
import type { AuditActor, AuditEventType, AuditPayloads } from './events.ts';

export type { AuditPayloads };

/**
 * The audit trail as the features see it: a sink they are handed (`deps.audit`), never a module
 * they import. Every call is awaited by the request (or the worker) that made the change it
 * records. Events of a request name their origin, so the request's events are held while it
 * runs and written in one insert before its answer leaves (`hold`, `flush`: see `recordRefusals`).
 */
export interface AuditSink {
  /** An event of a request: its tenant environment, IP, user agent and request id. */
  record<T extends AuditEventType>(origin: AuditOrigin, type: T, payload: AuditPayloads[T], subject: EventSubject): Promise<void>;
  /** An event no request of the tenant caused (a Telnyx webhook, the outbox worker, the platform API): actor `system` or `platform`. */
  recordSystem<T extends AuditEventType>(event: SystemEvent<T>): Promise<void>;
  /** Who the request turned out to be about, for a refusal recorded on its way out. */
  noteSubject(origin: AuditOrigin, userId: string): void;
  /** Holds the request's events from now on (`record` then resolves at once) until `flush`. */
  hold(origin: AuditOrigin): void;
  /** Writes the events held for the request, in one insert, and stops holding (awaited before its answer leaves). */
  flush(origin: AuditOrigin): Promise<void>;
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
  /** Default `system`; the platform API says `platform`. */
  actor?: Extract<AuditActor, 'system' | 'platform'>;
  userId: string | null;
  type: T;
  payload: AuditPayloads[T];
  requestId?: string | null;
}
