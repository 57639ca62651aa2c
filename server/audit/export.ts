import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { Context } from '../context.ts';
import { validationError } from '../trpc.ts';
import { publicAuditEvent } from './events.ts';
import { auditFilterInput } from './query.ts';
import { auditEventRepository } from './record.ts';

export const AUDIT_EXPORT_PATH = '/v1/admin/audit/export';

/**
 * `GET /v1/admin/audit/export?since=&until=[&userId=&type=]`: the environment's events as JSON
 * lines (`application/x-ndjson`), oldest first, streamed from a cursor with backpressure, so a
 * year of events never sits in memory. Same filters and event shape as `GET /v1/admin/audit`.
 * A raw route (not a procedure): the body is not one JSON document.
 */
export async function exportAuditEvents(ctx: Context, url: URL, res: ServerResponse): Promise<void> {
  await ctx.deps.tenants.authorizeAdmin(ctx.req.tenant, ctx.req.headers.authorization);
  const parsed = auditFilterInput.safeParse(Object.fromEntries(url.searchParams));
  if (!parsed.success) throw validationError(parsed.error);
  const cursor = auditEventRepository(ctx.deps.store).oldestFirst(ctx.req.tenant.realm, parsed.data);
  try {
    res.writeHead(200, {
      'content-type': 'application/x-ndjson; charset=utf-8',
      'content-disposition': `attachment; filename="aldero-audit-${ctx.req.tenant.label}.ndjson"`,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
    for await (const event of cursor) {
      if (res.destroyed) break;
      if (!res.write(`${JSON.stringify(publicAuditEvent(event))}\n`)) await once(res, 'drain');
    }
    res.end();
  } finally {
    await cursor.close();
  }
}
