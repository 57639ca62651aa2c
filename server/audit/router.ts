import { z } from 'zod';
import { adminProcedure } from '../procedures.ts';
import { router } from '../trpc.ts';
import { consentRepository, publicConsent } from './consents.ts';
import { AUDIT_EVENT_TYPES, publicAuditEvent } from './events.ts';
import { auditFilterInput, pageInput } from './query.ts';
import { auditEventRepository } from './record.ts';

const tags = ['admin'];

const eventOutput = z.object({
  id: z.string(),
  time: z.string(),
  type: z.enum(AUDIT_EVENT_TYPES),
  actor: z.enum(['end_user', 'admin', 'system', 'platform']),
  userId: z.string().nullable(),
  ip: z.string().nullable(),
  userAgent: z.string().nullable(),
  requestId: z.string().nullable(),
  payload: z.record(z.string(), z.unknown()),
});

const consentOutput = z.object({
  id: z.string(),
  createdAt: z.string(),
  userId: z.string(),
  challengeId: z.string(),
  channel: z.literal('sms'),
  purpose: z.literal('mfa_verification_codes'),
  phone: z.string(),
  brand: z.string(),
  senderModel: z.enum(['shared', 'byo']),
  senderNumber: z.string().nullable(),
  source: z.enum(['component', 'api']),
  disclosureVersion: z.string().nullable(),
  disclosureLanguage: z.string().nullable(),
  disclosureText: z.string().nullable(),
  disclosureSha256: z.string().nullable(),
  disclosureVisibilityChecked: z.boolean(),
  ip: z.string(),
  userAgent: z.string().nullable(),
  requestId: z.string(),
});

/** The tenant's view of its audit trail and consent records (admin key; this environment only); merged into `admin`. */
export const auditAdminProcedures = {
  audit: router({
    list: adminProcedure
      .meta({
        openapi: {
          method: 'GET', path: '/v1/admin/audit', tags,
          summary: 'Audit events, newest first; filter by userId, type (comma-separated), since/until; page with cursor',
          description: 'For a time range as JSON lines, `GET /v1/admin/audit/export?since=&until=` (application/x-ndjson, oldest first).',
        }, errors: [],
      })
      .input(auditFilterInput.extend(pageInput.shape).optional())
      .output(z.object({ events: z.array(eventOutput), nextCursor: z.string().nullable() }))
      .query(async ({ ctx, input = {} }) => {
        const page = await auditEventRepository(ctx.deps.store).pageNewestFirst(ctx.req.tenant.realm, input, input);
        return { events: page.items.map(publicAuditEvent), nextCursor: page.nextCursor };
      }),
  }),
  consents: router({
    list: adminProcedure
      .meta({ openapi: { method: 'GET', path: '/v1/admin/consents', tags, summary: 'SMS consent records, newest first; filter by userId or phone' }, errors: [] })
      .input(z.object({ userId: z.string().min(1).max(64).optional(), phone: z.string().trim().max(32).optional() }).extend(pageInput.shape).optional())
      .output(z.object({ consents: z.array(consentOutput), nextCursor: z.string().nullable() }))
      .query(async ({ ctx, input = {} }) => {
        const page = await consentRepository(ctx.deps.store).pageNewestFirst(ctx.req.tenant.realm, input, input);
        return { consents: page.items.map(publicConsent), nextCursor: page.nextCursor };
      }),
  }),
};
