import { z } from 'zod';
import type { Realm } from '../store/documents.ts';
import type { TypedCollection, TypedFilter } from '../store/typed.ts';
import { AUDIT_EVENT_TYPES, type AuditEventDoc, type AuditEventType } from './events.ts';
import { isTimeOrderedId } from './ids.ts';

/** Reading the trail: filters shared by the list and the export, and cursor pagination. */

const isoTime = z.coerce.date({ error: 'An ISO 8601 time, e.g. 2026-11-01T00:00:00Z' });

/** `type` as one type or several separated by commas (`login.failed,rate_limit.refused`). */
const types = z
  .string()
  .max(2000)
  .transform((value) => value.split(',').map((part) => part.trim()).filter(Boolean))
  .pipe(z.array(z.enum(AUDIT_EVENT_TYPES)).min(1).max(AUDIT_EVENT_TYPES.length));

export const auditFilterInput = z.object({
  userId: z.string().min(1).max(64).optional(),
  type: types.optional(),
  /** Inclusive. */
  since: isoTime.optional(),
  /** Exclusive. */
  until: isoTime.optional(),
});

const cursorInput = z.string().refine(isTimeOrderedId, 'Use the nextCursor of the previous page');

export const pageInput = z.object({
  cursor: cursorInput.optional(),
  limit: z.coerce.number().int().min(1).max(200).optional(),
});

export type AuditFilterInput = z.infer<typeof auditFilterInput>;

export function auditFilter(realm: Realm, input: AuditFilterInput): TypedFilter<AuditEventDoc> {
  const filter: Record<string, unknown> = { realm };
  if (input.userId) filter.userId = input.userId;
  if (input.type) filter.type = input.type.length === 1 ? input.type[0] : { $in: input.type as AuditEventType[] };
  if (input.since || input.until) {
    filter.time = { ...(input.since ? { $gte: input.since } : {}), ...(input.until ? { $lt: input.until } : {}) };
  }
  return filter as TypedFilter<AuditEventDoc>;
}

/**
 * One page, newest first, after `cursor` (the last id of the previous page). Ids are time-ordered
 * and unique, so a page boundary never moves: an event recorded while a client pages lands
 * before its first page, never inside a later one, and nothing is seen twice or skipped.
 */
export async function pageNewestFirst<T extends { _id: string }>(
  collection: TypedCollection<T>,
  filter: TypedFilter<T>,
  page: { cursor?: string; limit?: number },
): Promise<{ items: T[]; nextCursor: string | null }> {
  const limit = page.limit ?? 50;
  const scoped = (page.cursor ? { $and: [filter, { _id: { $lt: page.cursor } }] } : filter) as TypedFilter<T>;
  const items = (await collection.find(scoped).sort({ _id: -1 }).limit(limit + 1).toArray()) as T[];
  const more = items.length > limit;
  if (more) items.pop();
  return { items, nextCursor: more ? items[items.length - 1]!._id : null };
}
