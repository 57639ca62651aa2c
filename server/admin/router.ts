import { z } from 'zod';
import { adminAccountProcedures } from '../accounts/router.ts';
import { configureNotificationWebhook, displayUrl, webhookOf } from '../audit/notifications.ts';
import { recordEvent, retentionDaysOf } from '../audit/record.ts';
import { auditAdminProcedures } from '../audit/router.ts';
import type { Context } from '../context.ts';
import { adminProcedure } from '../procedures.ts';
import type { Env, TenantDoc } from '../store/documents.ts';
import { router } from '../trpc.ts';

const quotas = z.object({
  phonePerHour: z.number().int().min(0).max(1_000_000),
  phonePerDay: z.number().int().min(0).max(1_000_000),
  userPerHour: z.number().int().min(0).max(1_000_000),
  ipPerHour: z.number().int().min(0).max(1_000_000),
  tenantPerDay: z.number().int().min(0).max(100_000_000),
  minIntervalSeconds: z.number().int().min(0).max(3600),
});

const origin = z.string().max(256).regex(/^https?:\/\/[^/\s]+$/, 'An origin is scheme://host[:port], without a path');

const tenantOutput = z.object({
  slug: z.string(),
  brand: z.string(),
  senderModel: z.enum(['shared', 'byo']),
  allowedOrigins: z.array(z.string()),
  allowedCountries: z.array(z.string()),
  quotas,
  webOtpHost: z.string().nullable(),
  /** Days audit events are kept (events recorded from now on). */
  auditRetentionDays: z.number().int(),
  /** The credential-change webhook of this environment (the host's: live or sandbox). */
  notificationWebhook: z.object({ url: z.string(), createdAt: z.string(), updatedAt: z.string() }).nullable(),
  /** The webhook's signing secret: only in the answer that created or rotated it. */
  notificationWebhookSecret: z.string().optional(),
});

function publicTenant(tenant: TenantDoc, env: Env): z.infer<typeof tenantOutput> {
  const { slug, brand, senderModel, allowedOrigins, allowedCountries, quotas: q, webOtpHost } = tenant;
  const hook = webhookOf(tenant, env);
  return {
    slug, brand, senderModel, allowedOrigins, allowedCountries, quotas: q, webOtpHost,
    auditRetentionDays: retentionDaysOf(tenant),
    notificationWebhook: hook ? { url: displayUrl(hook.url), createdAt: hook.createdAt.toISOString(), updatedAt: hook.updatedAt.toISOString() } : null,
  };
}

/** Retention and the webhook are audit settings, kept beside the tenant's others. */
async function updateAuditSettings(ctx: Context, input: { auditRetentionDays?: number; notificationWebhook?: { url: string; rotateSecret?: boolean } | null }) {
  const tenant = ctx.req.tenant.tenant;
  // The webhook first: its URL may be refused, and then nothing has changed.
  const { secret } = input.notificationWebhook === undefined ? { secret: null } : await configureNotificationWebhook(ctx, input.notificationWebhook);
  if (input.auditRetentionDays !== undefined) {
    await ctx.deps.store.tenants.updateOne({ _id: tenant._id }, { $set: { auditRetentionDays: input.auditRetentionDays } });
    ctx.deps.tenants.forget(tenant.slug);
  }
  return { secret };
}

export const adminRouter = router({
  ...adminAccountProcedures,
  ...auditAdminProcedures,
  tenant: router({
    get: adminProcedure
      .meta({ openapi: { method: 'GET', path: '/v1/admin/tenant', tags: ['admin'], summary: "The tenant's settings" } })
      .input(z.object({}).optional())
      .output(tenantOutput)
      .query(({ ctx }) => publicTenant(ctx.req.tenant.tenant, ctx.req.tenant.env)),

    update: adminProcedure
      .meta({ openapi: { method: 'PATCH', path: '/v1/admin/tenant', tags: ['admin'], summary: "Change the tenant's settings (brand, origins, countries, quotas, audit retention, this environment's notification webhook)" } })
      .input(z.object({
        brand: z.string().trim().min(1).max(64).optional(),
        allowedOrigins: z.array(origin).max(50).optional(),
        allowedCountries: z.array(z.string().regex(/^[A-Z]{2}$/, 'ISO 3166 alpha-2, upper case')).max(250).optional(),
        quotas: quotas.partial().optional(),
        webOtpHost: z.string().max(253).regex(/^[a-z0-9.-]+(:\d+)?$/).nullable().optional(),
        auditRetentionDays: z.number().int().min(1).max(3650).optional(),
        /** Set (a new one gets a secret, answered once), change the URL, rotate the secret, or remove with null. */
        notificationWebhook: z.object({ url: z.string().trim().max(2048), rotateSecret: z.boolean().optional() }).nullable().optional(),
      }))
      .output(tenantOutput)
      .mutation(async ({ ctx, input }) => {
        const { auditRetentionDays, notificationWebhook, ...settings } = input;
        const current = ctx.req.tenant.tenant;
        const { secret } = await updateAuditSettings(ctx, { auditRetentionDays, notificationWebhook });
        const updated = await ctx.deps.tenants.updateSettings(current, {
          ...settings,
          quotas: settings.quotas ? { ...current.quotas, ...settings.quotas } : undefined,
        });
        const fields = Object.keys(input).filter((field) => input[field as keyof typeof input] !== undefined);
        await recordEvent(ctx, 'admin.tenant_settings_changed', {
          fields,
          ...(notificationWebhook !== undefined
            ? { notificationWebhookUrl: notificationWebhook ? displayUrl(notificationWebhook.url) : null, notificationWebhookSecretIssued: secret !== null }
            : {}),
        }, { userId: null, actor: 'admin' });
        return { ...publicTenant(updated, ctx.req.tenant.env), ...(secret ? { notificationWebhookSecret: secret } : {}) };
      }),
  }),
});
