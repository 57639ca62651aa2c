import { z } from 'zod';
import { adminAccountProcedures } from '../accounts/router.ts';
import { configureNotificationWebhook, displayUrl, webhookOf } from '../audit/notifications.ts';
import { retentionDaysOf } from '../audit/record.ts';
import { auditAdminProcedures } from '../audit/router.ts';
import type { Context } from '../context.ts';
import { sealByoApiKey } from '../delivery/index.ts';
import { AppError } from '../errors.ts';
import { adminProcedure } from '../procedures.ts';
import { brandInput, vetBrand } from '../platform/brand.ts';
import { countryInput, originInput, quotasInput, senderModelInput } from '../platform/schemas.ts';
import type { Env, TenantDoc } from '../store/documents.ts';
import { router } from '../trpc.ts';

const tenantOutput = z.object({
  slug: z.string(),
  brand: z.string(),
  senderModel: z.enum(['shared', 'byo']),
  allowedOrigins: z.array(z.string()),
  allowedCountries: z.array(z.string()),
  quotas: quotasInput,
  webOtpHost: z.string().nullable(),
  /** Days audit events are kept (events recorded from now on). */
  auditRetentionDays: z.number().int(),
  /** The credential-change webhook of this environment (the host's: live or sandbox). */
  notificationWebhook: z.object({ url: z.string(), createdAt: z.string(), updatedAt: z.string() }).nullable(),
  /** The webhook's signing secret: only in the answer that created or rotated it. */
  notificationWebhookSecret: z.string().optional(),
  /** The tenant's own sender (BYO); its API key is never answered back. */
  byo: z.object({
    fromNumber: z.string(),
    messagingProfileId: z.string().nullable(),
    publicKey: z.string().nullable(),
    helpLine: z.string(),
    verified: z.boolean(),
    apiKeySet: z.boolean(),
  }).nullable(),
});

const byoInput = z.object({
  /** The tenant's toll-free or 10DLC number, E.164. */
  fromNumber: z.string().regex(/^\+[1-9]\d{1,14}$/, 'E.164, e.g. +18005550123'),
  messagingProfileId: z.string().trim().max(64).nullable().optional(),
  /** The tenant's Telnyx API key: stored sealed, never answered back. */
  apiKey: z.string().trim().min(8).max(256),
  /** The Telnyx account's webhook-signing public key (base64), for /v1/webhooks/telnyx/{slug}. */
  publicKey: z.string().trim().max(128).nullable().optional(),
  /** The STOP/HELP line that ends the tenant's SMS (carriers require one). */
  helpLine: z.string().trim().min(10).max(120).regex(/STOP/i, 'The line must tell how to opt out (STOP)'),
  /** Whether the number's toll-free verification / 10DLC registration is done (unverified numbers are capped daily). */
  verified: z.boolean().optional(),
});

function publicTenant(tenant: TenantDoc, env: Env): z.infer<typeof tenantOutput> {
  const { slug, brand, senderModel, allowedOrigins, allowedCountries, quotas: q, webOtpHost } = tenant;
  const hook = webhookOf(tenant, env);
  return {
    slug, brand, senderModel, allowedOrigins, allowedCountries, quotas: q, webOtpHost,
    auditRetentionDays: retentionDaysOf(tenant),
    notificationWebhook: hook ? { url: displayUrl(hook.url), createdAt: hook.createdAt.toISOString(), updatedAt: hook.updatedAt.toISOString() } : null,
    byo: tenant.byo
      ? {
          fromNumber: tenant.byo.fromNumber,
          messagingProfileId: tenant.byo.messagingProfileId,
          publicKey: tenant.byo.publicKey,
          helpLine: tenant.byo.helpLine,
          verified: tenant.byo.verified,
          apiKeySet: tenant.byo.apiKeyEncrypted !== '',
        }
      : null,
  };
}

/** Retention and the webhook are audit settings, kept beside the tenant's others. */
async function updateAuditSettings(ctx: Context, input: { auditRetentionDays?: number; notificationWebhook?: { url: string; rotateSecret?: boolean } | null }) {
  const tenant = ctx.req.tenant.tenant;
  // The webhook first: its URL may be refused, and then nothing has changed.
  const { secret } = input.notificationWebhook === undefined ? { secret: null } : await configureNotificationWebhook(ctx, input.notificationWebhook);
  if (input.auditRetentionDays !== undefined) {
    await ctx.deps.tenants.setAuditRetention(tenant, input.auditRetentionDays);
  }
  return { secret };
}

export const adminRouter = router({
  ...adminAccountProcedures,
  ...auditAdminProcedures,
  tenant: router({
    get: adminProcedure
      .meta({ openapi: { method: 'GET', path: '/v1/admin/tenant', tags: ['admin'], summary: "The tenant's settings" }, errors: [] })
      .input(z.object({}).optional())
      .output(tenantOutput)
      .query(({ ctx }) => publicTenant(ctx.req.tenant.tenant, ctx.req.tenant.env)),

    update: adminProcedure
      .meta({ openapi: { method: 'PATCH', path: '/v1/admin/tenant', tags: ['admin'], summary: "Change the tenant's settings (brand, origins, countries, quotas, audit retention, this environment's notification webhook)" }, errors: [] })
      .input(z.object({
        /** Vetted by the brand rules of the shared sender (2–30 characters, no URL, phone number, line break, ...). */
        brand: brandInput.optional(),
        allowedOrigins: z.array(originInput).max(50).optional(),
        allowedCountries: z.array(countryInput).max(250).optional(),
        quotas: quotasInput.partial().optional(),
        webOtpHost: z.string().max(253).regex(/^[a-z0-9.-]+(:\d+)?$/).nullable().optional(),
        auditRetentionDays: z.number().int().min(1).max(3650).optional(),
        /** Set (a new one gets a secret, answered once), change the URL, rotate the secret, or remove with null. */
        notificationWebhook: z.object({ url: z.string().trim().max(2048), rotateSecret: z.boolean().optional() }).nullable().optional(),
        /** `shared` (Aldero's number, the default) or `byo` (needs `byo`). */
        senderModel: senderModelInput.optional(),
        /** The tenant's own sender; null removes it (and falls back to the shared sender). */
        byo: byoInput.nullable().optional(),
      }))
      .output(tenantOutput)
      .mutation(async ({ ctx, input }) => {
        const { auditRetentionDays, notificationWebhook, byo, ...settings } = input;
        const current = ctx.req.tenant.tenant;
        const nextByo = byo === undefined ? current.byo : byo && {
          fromNumber: byo.fromNumber,
          messagingProfileId: byo.messagingProfileId ?? null,
          apiKeyEncrypted: sealByoApiKey(ctx.deps.keys.secret, byo.apiKey),
          publicKey: byo.publicKey ?? null,
          helpLine: byo.helpLine,
          verified: byo.verified ?? false,
        };
        const senderModel = byo === null ? 'shared' : settings.senderModel;
        if ((senderModel ?? current.senderModel) === 'byo' && !nextByo) {
          throw new AppError('VALIDATION_ERROR', { issues: [{ path: 'byo', message: 'Configure the BYO sender first' }] }, 'The BYO sender model needs `byo` (number, API key, help line).');
        }
        const { secret } = await updateAuditSettings(ctx, { auditRetentionDays, notificationWebhook });
        const updated = await ctx.deps.tenants.updateSettings(current, {
          ...settings,
          ...(settings.brand !== undefined ? { brand: vetBrand(settings.brand) } : {}),
          senderModel,
          ...(byo !== undefined ? { byo: nextByo } : {}),
          quotas: settings.quotas ? { ...current.quotas, ...settings.quotas } : undefined,
        });
        const fields = Object.keys(input).filter((field) => input[field as keyof typeof input] !== undefined);
        await ctx.deps.audit.record(ctx.req, 'admin.tenant_settings_changed', {
          fields,
          ...(notificationWebhook !== undefined
            ? { notificationWebhookUrl: notificationWebhook ? displayUrl(notificationWebhook.url) : null, notificationWebhookSecretIssued: secret !== null }
            : {}),
        }, { userId: null, actor: 'admin' });
        return { ...publicTenant(updated, ctx.req.tenant.env), ...(secret ? { notificationWebhookSecret: secret } : {}) };
      }),
  }),
});
