import type { Collection } from 'mongodb';
import type { Clock } from '../clock.ts';
import type { Context, RequestInfo } from '../context.ts';
import type { Realm, TenantDoc } from '../store/documents.ts';
import type { Store } from '../store/index.ts';
import { middleware, toAppError } from '../trpc.ts';
import { timeOrderedId } from './ids.ts';
import type { AuditActor, AuditEventDoc, AuditEventType, AuditPayloads } from './events.ts';
import { enqueueCredentialNotification } from './notifications.ts';

/**
 * Writing the audit trail (`auditEvents`). Append-only: this module inserts and nothing in the
 * server updates or deletes an event; the TTL index removes it when the tenant's retention ends.
 * Every write is awaited in the request that made the change it records.
 */

/** How long events are kept when the tenant has not said otherwise. */
export const DEFAULT_AUDIT_RETENTION_DAYS = 400;
const DAY_MS = 86_400_000;

export function auditEvents(store: Store): Collection<AuditEventDoc> {
  return store.collection<AuditEventDoc>('auditEvents');
}

export function retentionDaysOf(tenant: Pick<TenantDoc, 'auditRetentionDays'> | null | undefined): number {
  return tenant?.auditRetentionDays ?? DEFAULT_AUDIT_RETENTION_DAYS;
}

interface EventOrigin {
  realm: Realm;
  actor: AuditActor;
  userId: string | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  retentionDays: number;
}

async function insertEvent<T extends AuditEventType>(
  deps: { store: Store; clock: Clock },
  origin: EventOrigin,
  type: T,
  payload: AuditPayloads[T],
): Promise<AuditEventDoc> {
  const time = deps.clock.now();
  const { retentionDays, ...who } = origin;
  const event = {
    _id: timeOrderedId(time),
    ...who,
    time,
    type,
    payload,
    expiresAt: new Date(time.getTime() + retentionDays * DAY_MS),
  } as AuditEventDoc;
  await auditEvents(deps.store).insertOne(event);
  return event;
}

export interface EventSubject {
  /** The user the event is about; null when unknown (a failed login for an unknown email). */
  userId: string | null;
  /** Default `end_user`; admin procedures say `admin`. */
  actor?: AuditActor;
}

/**
 * Records an event of this request (its tenant environment, IP, user agent and request id), then
 * queues the tenant's credential-change notification when the event is one (never waiting for
 * the webhook itself).
 */
export async function recordEvent<T extends AuditEventType>(ctx: Context, type: T, payload: AuditPayloads[T], subject: EventSubject): Promise<AuditEventDoc> {
  const event = await insertEvent(ctx.deps, {
    realm: ctx.req.tenant.realm,
    actor: subject.actor ?? 'end_user',
    userId: subject.userId,
    ip: ctx.req.ip,
    userAgent: ctx.req.userAgent,
    requestId: ctx.req.requestId,
    retentionDays: retentionDaysOf(ctx.req.tenant.tenant),
  }, type, payload);
  await enqueueCredentialNotification(ctx, event);
  return event;
}

export interface SystemEventDeps {
  store: Store;
  clock: Clock;
}

/**
 * Records an event that no request of the tenant caused (a Telnyx webhook, the outbox worker):
 * no IP, user agent or request id; the actor is `system`. For the delivery feature.
 */
export async function recordSystemEvent<T extends AuditEventType>(
  deps: SystemEventDeps,
  input: { realm: Realm; userId: string | null; type: T; payload: AuditPayloads[T]; requestId?: string | null },
): Promise<AuditEventDoc> {
  const tenantId = input.realm.slice(0, input.realm.lastIndexOf('/'));
  const tenant = await deps.store.tenants.findOne({ _id: tenantId }, { projection: { auditRetentionDays: 1 } });
  return insertEvent(deps, {
    realm: input.realm,
    actor: 'system',
    userId: input.userId,
    ip: null,
    userAgent: null,
    requestId: input.requestId ?? null,
    retentionDays: retentionDaysOf(tenant),
  }, input.type, input.payload);
}

/**
 * Who a request turned out to be about, for events recorded where the user is not at hand (a
 * refusal thrown deep inside). Keyed by the request, so it lives exactly as long as it does.
 */
const subjects = new WeakMap<RequestInfo, string>();

export function noteAuditSubject(ctx: Context, userId: string): void {
  subjects.set(ctx.req, userId);
}

/**
 * Records every rate-limit refusal (`MFA_RATE_LIMITED`, `RATE_LIMITED`) with its reason, in one
 * place for every procedure: the limits are enforced in many places, the audit of them is here.
 * A failure to record is logged and never replaces the refusal the client gets.
 */
export const recordRefusals = middleware(async ({ ctx, path, next }) => {
  const result = await next();
  if (!result.ok) {
    const error = toAppError(result.error);
    if (error.code === 'MFA_RATE_LIMITED' || error.code === 'RATE_LIMITED') {
      const reason = typeof error.context.reason === 'string' ? error.context.reason : 'unspecified';
      await recordEvent(
        ctx,
        'rate_limit.refused',
        { reason, errorCode: error.code, procedure: path, retryAfterSeconds: error.retryAfterSeconds ?? null },
        { userId: subjects.get(ctx.req) ?? null },
      ).catch((failure: unknown) => ctx.deps.log.error('audit: refusal not recorded', { requestId: ctx.req.requestId, error: String(failure) }));
    }
  }
  return result;
});
