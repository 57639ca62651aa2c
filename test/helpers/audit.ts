/** Helpers for the audit suites: read the trail as a tenant admin would. */
import { call } from './http.ts';
import type { AuditEventType } from '../../server/audit/events.ts';

export interface ListedEvent {
  id: string;
  time: string;
  type: AuditEventType;
  actor: 'end_user' | 'admin' | 'system';
  userId: string | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  payload: Record<string, any>;
}

/** Every event matching `query` (all pages), newest first, through `GET /v1/admin/audit`. */
export async function listEvents(baseUrl: string, adminKey: string, query: Record<string, string> = {}, tenant = 'acme-sandbox'): Promise<ListedEvent[]> {
  const events: ListedEvent[] = [];
  let cursor: string | null = null;
  do {
    const params = new URLSearchParams({ ...query, limit: '200', ...(cursor ? { cursor } : {}) });
    const page = await call<{ events: ListedEvent[]; nextCursor: string | null }>(baseUrl, 'GET', `/v1/admin/audit?${params}`, { token: adminKey, tenant });
    if (page.status !== 200) throw new Error(`audit list answered ${page.status}: ${JSON.stringify(page.body)}`);
    events.push(...page.body.events);
    cursor = page.body.nextCursor;
  } while (cursor);
  return events;
}

/** The events of one user, oldest first (the order they happened in). */
export async function eventsOf(baseUrl: string, adminKey: string, userId: string, tenant = 'acme-sandbox'): Promise<ListedEvent[]> {
  return (await listEvents(baseUrl, adminKey, { userId }, tenant)).reverse();
}

/** The one event of `type` in `events` (fails when there is none or several). */
export function only(events: ListedEvent[], type: AuditEventType, where: (event: ListedEvent) => boolean = () => true): ListedEvent {
  const found = events.filter((event) => event.type === type && where(event));
  if (found.length !== 1) throw new Error(`expected one ${type}, found ${found.length}: ${JSON.stringify(events.map((e) => [e.type, e.payload]))}`);
  return found[0]!;
}
