import type { Collection } from 'mongodb';
import type { Clock } from '../clock.ts';
import type { Context } from '../context.ts';
import type { Realm, TenantDoc } from '../store/documents.ts';
import type { Store } from '../store/index.ts';
import { middleware, toAppError } from '../trpc.ts';
import { timeOrderedId } from './ids.ts';
import type { AuditActor, AuditEventDoc, AuditEventType, AuditPayloads } from './events.ts';
import { enqueueCredentialNotification } from './notifications.ts';
import type { AuditOrigin, AuditSink } from './sink.ts';

/**
 * Writing the audit trail (`auditEvents`). Append-only: this module inserts and nothing in the
 * server updates or deletes an event; the TTL index removes it when the tenant's retention ends.
 * The features write through the `AuditSink` they are handed (`deps.audit`, made here).
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

/** Who and where an event is stored under, with how long it is kept. */
interface StoredOrigin {
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
  origin: StoredOrigin,
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

/**
 * The audit sink of a process: each event one insert, awaited; a request's credential-change
 * event then queues the tenant's notification (never waiting for the webhook itself).
 */
export function createAuditSink(deps: { store: Store; clock: Clock }): AuditSink {
  return {
    async record(origin, type, payload, subject) {
      const event = await insertEvent(deps, {
        realm: origin.tenant.realm,
        actor: subject.actor ?? 'end_user',
        userId: subject.userId,
        ip: origin.ip,
        userAgent: origin.userAgent,
        requestId: origin.requestId,
        retentionDays: retentionDaysOf(origin.tenant.tenant),
      }, type, payload);
      // The notification queue reads the store and the tenant environment only.
      await enqueueCredentialNotification({ deps: { store: deps.store }, req: origin } as unknown as Context, event);
    },

    async recordSystem(input) {
      const tenantId = input.realm.slice(0, input.realm.lastIndexOf('/'));
      const tenant = await deps.store.tenants.findOne({ _id: tenantId }, { projection: { auditRetentionDays: 1 } });
      await insertEvent(deps, {
        realm: input.realm,
        actor: 'system',
        userId: input.userId,
        ip: null,
        userAgent: null,
        requestId: input.requestId ?? null,
        retentionDays: retentionDaysOf(tenant),
      }, input.type, input.payload);
    },

    noteSubject(origin, userId) {
      subjects.set(origin, userId);
    },
  };
}

/**
 * Who a request turned out to be about, for events recorded where the user is not at hand (a
 * refusal thrown deep inside). Keyed by the request, so it lives exactly as long as it does.
 */
const subjects = new WeakMap<AuditOrigin, string>();

/** `deps.audit.noteSubject` for the procedures' middlewares. */
export function noteAuditSubject(ctx: Context, userId: string): void {
  ctx.deps.audit.noteSubject(ctx.req, userId);
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
      await ctx.deps.audit.record(
        ctx.req,
        'rate_limit.refused',
        { reason, errorCode: error.code, procedure: path, retryAfterSeconds: error.retryAfterSeconds ?? null },
        { userId: subjects.get(ctx.req) ?? null },
      ).catch((failure: unknown) => ctx.deps.log.error('audit: refusal not recorded', { requestId: ctx.req.requestId, error: String(failure) }));
    }
  }
  return result;
});
