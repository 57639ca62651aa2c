import type { Collection } from 'mongodb';
import type { Clock } from '../clock.ts';
import type { Context } from '../context.ts';
import type { Realm, TenantDoc } from '../store/documents.ts';
import { repositoriesOf, type Store } from '../store/index.ts';
import { middleware, toAppError } from '../trpc.ts';
import { AuditEventRepository } from './audit-repository.ts';
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

/** The raw collection, for its indexes and the tests; the server reads and writes through `auditEventRepository`. */
export function auditEvents(store: Store): Collection<AuditEventDoc> {
  return store.collection<AuditEventDoc>('auditEvents');
}

export function auditEventRepository(store: Store): AuditEventRepository {
  return new AuditEventRepository(auditEvents(store));
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

function eventOf<T extends AuditEventType>(time: Date, origin: StoredOrigin, type: T, payload: AuditPayloads[T]): AuditEventDoc {
  const { retentionDays, ...who } = origin;
  return {
    _id: timeOrderedId(time),
    ...who,
    time,
    type,
    payload,
    expiresAt: new Date(time.getTime() + retentionDays * DAY_MS),
  } as AuditEventDoc;
}

/**
 * The events a request holds until its answer leaves (`hold` … `flush`), keyed by the request:
 * it lives exactly as long as the request. `holders` counts the holds not yet flushed (a tRPC
 * batch runs several procedures of one request).
 */
interface HeldEvents {
  events: { event: AuditEventDoc; origin: AuditOrigin }[];
  holders: number;
}

/**
 * The audit sink of a process. The events of a request that holds them (every procedure does,
 * through `recordRefusals`) are written together, in one insert, when it flushes them — before
 * its answer leaves, awaited, so every event is durable before the client learns of the change
 * it records; any other event is one insert, awaited. A request's credential-change event then
 * queues the tenant's notification (never waiting for the webhook itself).
 */
export function createAuditSink(deps: { store: Store; clock: Clock }): AuditSink {
  const held = new WeakMap<AuditOrigin, HeldEvents>();

  async function write(events: { event: AuditEventDoc; origin: AuditOrigin | null }[]): Promise<void> {
    if (events.length === 0) return;
    const docs = events.map(({ event }) => event);
    await auditEventRepository(deps.store).insert(docs);
    for (const { event, origin } of events) {
      // The notification queue reads the store and the tenant environment only.
      if (origin) await enqueueCredentialNotification({ deps: { store: deps.store }, req: origin } as unknown as Context, event);
    }
  }

  return {
    async record(origin, type, payload, subject) {
      const event = eventOf(deps.clock.now(), {
        realm: origin.tenant.realm,
        actor: subject.actor ?? 'end_user',
        userId: subject.userId,
        ip: origin.ip,
        userAgent: origin.userAgent,
        requestId: origin.requestId,
        retentionDays: retentionDaysOf(origin.tenant.tenant),
      }, type, payload);
      const batch = held.get(origin);
      if (batch) batch.events.push({ event, origin });
      else await write([{ event, origin }]);
    },

    async recordSystem(input) {
      const tenantId = input.realm.slice(0, input.realm.lastIndexOf('/'));
      const tenant = await repositoriesOf(deps.store).tenants.findAuditRetention(tenantId);
      await write([{
        event: eventOf(deps.clock.now(), {
          realm: input.realm,
          actor: input.actor ?? 'system',
          userId: input.userId,
          ip: null,
          userAgent: null,
          requestId: input.requestId ?? null,
          retentionDays: retentionDaysOf(tenant),
        }, input.type, input.payload),
        origin: null,
      }]);
    },

    hold(origin) {
      const batch = held.get(origin);
      if (batch) batch.holders++;
      else held.set(origin, { events: [], holders: 1 });
    },

    async flush(origin) {
      const batch = held.get(origin);
      if (!batch) return;
      if (--batch.holders === 0) held.delete(origin);
      await write(batch.events.splice(0));
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
 * Every procedure's audit: the request's events are held while the procedure runs and written in
 * one insert before its answer leaves (awaited: a failed write fails the request, as when each
 * event was written on its own). Every rate-limit refusal (`MFA_RATE_LIMITED`, `RATE_LIMITED`) is
 * recorded here with its reason, in one place for every procedure: the limits are enforced in
 * many places, the audit of them is here. A failure to record a refusal is logged and never
 * replaces the refusal the client gets.
 */
export const recordRefusals = middleware(async ({ ctx, path, next }) => {
  const audit = ctx.deps.audit;
  audit.hold(ctx.req);
  let result: Awaited<ReturnType<typeof next>>;
  try {
    result = await next();
  } catch (error) {
    await audit.flush(ctx.req);
    throw error;
  }
  let refusal = false;
  if (!result.ok) {
    const error = toAppError(result.error);
    if (error.code === 'MFA_RATE_LIMITED' || error.code === 'RATE_LIMITED') {
      refusal = true;
      const reason = typeof error.context.reason === 'string' ? error.context.reason : 'unspecified';
      await audit.record(
        ctx.req,
        'rate_limit.refused',
        { reason, errorCode: error.code, procedure: path, retryAfterSeconds: error.retryAfterSeconds ?? null },
        { userId: subjects.get(ctx.req) ?? null },
      );
    }
  }
  try {
    await audit.flush(ctx.req);
  } catch (failure) {
    if (!refusal) throw failure;
    ctx.deps.log.error('audit: refusal not recorded', { requestId: ctx.req.requestId, error: String(failure) });
  }
  return result;
});
