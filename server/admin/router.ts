import { z } from 'zod';
import { adminAccountProcedures } from '../accounts/router.ts';
import { adminProcedure } from '../procedures.ts';
import type { TenantDoc } from '../store/documents.ts';
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
});

function publicTenant(tenant: TenantDoc): z.infer<typeof tenantOutput> {
  const { slug, brand, senderModel, allowedOrigins, allowedCountries, quotas: q, webOtpHost } = tenant;
  return { slug, brand, senderModel, allowedOrigins, allowedCountries, quotas: q, webOtpHost };
}

export const adminRouter = router({
  ...adminAccountProcedures,
  tenant: router({
    get: adminProcedure
      .meta({ openapi: { method: 'GET', path: '/v1/admin/tenant', tags: ['admin'], summary: "The tenant's settings" } })
      .input(z.object({}).optional())
      .output(tenantOutput)
      .query(({ ctx }) => publicTenant(ctx.req.tenant.tenant)),

    update: adminProcedure
      .meta({ openapi: { method: 'PATCH', path: '/v1/admin/tenant', tags: ['admin'], summary: "Change the tenant's settings (brand, origins, countries, quotas)" } })
      .input(z.object({
        brand: z.string().trim().min(1).max(64).optional(),
        allowedOrigins: z.array(origin).max(50).optional(),
        allowedCountries: z.array(z.string().regex(/^[A-Z]{2}$/, 'ISO 3166 alpha-2, upper case')).max(250).optional(),
        quotas: quotas.partial().optional(),
        webOtpHost: z.string().max(253).regex(/^[a-z0-9.-]+(:\d+)?$/).nullable().optional(),
      }))
      .output(tenantOutput)
      .mutation(async ({ ctx, input }) => {
        const current = ctx.req.tenant.tenant;
        const updated = await ctx.deps.tenants.updateSettings(current, {
          ...input,
          quotas: input.quotas ? { ...current.quotas, ...input.quotas } : undefined,
        });
        return publicTenant(updated);
      }),
  }),
});
