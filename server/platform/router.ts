import { z } from 'zod';
import { findUser } from '../accounts/users.ts';
import { DISCLOSURE_VERSION, disclosureText } from '../contract/disclosure.ts';
import { MFA_METHODS } from '../contract/methods.ts';
import type { Context } from '../context.ts';
import { AppError } from '../errors.ts';
import { adminProcedure } from '../procedures.ts';
import { isApexRequest, issuerFor } from '../tenants/model.ts';
import { bearerToken } from '../tenants/service.ts';
import { publicProcedure, router } from '../trpc.ts';
import { brandInput } from './brand.ts';
import { eraseUser, totalOf } from './erasure.ts';
import { ADMIN_KEY_SCOPES, type AdminKeyDoc } from '../tenants/keys.ts';
import { countryInput, originInput, quotasInput, senderModelInput } from './schemas.ts';
import { statusOf, type PlatformTenant } from './service.ts';
import { slugInput } from './slug.ts';

/**
 * The platform API (`/v1/platform/...` on the apex host, `platform.*` over tRPC) and the two
 * tenant-host procedures that come with it: the tenant's public face (`GET /v1/tenant`) and a
 * user's erasure by the tenant admin (`DELETE /v1/admin/users/{id}`).
 */


/** The operator, with the platform key, on the apex host. Anywhere else the platform API does not exist. */
export const platformProcedure = publicProcedure.use(async ({ ctx, next }) => {
  if (!isApexRequest(ctx.req.headers.host, ctx.req.headers['x-aldero-tenant'], ctx.deps.config.domain)) {
    throw new AppError('NOT_FOUND', {}, `The platform API is served at ${ctx.deps.config.domain} itself.`);
  }
  const key = bearerToken(ctx.req.headers.authorization);
  if (!key || !(await ctx.deps.platform.key.verify(key))) {
    throw new AppError('UNAUTHORIZED', {}, 'Send the platform key (ALDERO_PLATFORM_KEY) as `Authorization: Bearer <key>`.');
  }
  return next({ ctx: { ...ctx, platform: ctx.deps.platform } });
});

const quotasOutput = quotasInput;

const tenantOutput = z.object({
  id: z.string(),
  slug: z.string(),
  brand: z.string(),
  status: z.enum(['active', 'suspended', 'deleting']),
  senderModel: z.enum(['shared', 'byo']),
  allowedOrigins: z.array(z.string()),
  allowedCountries: z.array(z.string()),
  quotas: quotasOutput,
  /** Where the tenant's environments are served (also the issuers of their tokens). */
  urls: z.object({ live: z.string(), sandbox: z.string() }),
  suspendedAt: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

const keyOutput = z.object({
  id: z.string(),
  scope: z.enum(ADMIN_KEY_SCOPES),
  /** The key's first characters (not secret), to tell keys apart. */
  prefix: z.string(),
  label: z.string().nullable(),
  createdAt: z.string(),
  lastUsedAt: z.string().nullable(),
  revokedAt: z.string().nullable(),
});

function tenantView(ctx: Context, tenant: PlatformTenant): z.infer<typeof tenantOutput> {
  return {
    id: tenant._id,
    slug: tenant.slug,
    brand: tenant.brand,
    status: statusOf(tenant),
    senderModel: tenant.senderModel,
    allowedOrigins: tenant.allowedOrigins,
    allowedCountries: tenant.allowedCountries,
    quotas: tenant.quotas,
    urls: { live: issuerFor(ctx.deps.config, tenant.slug), sandbox: issuerFor(ctx.deps.config, `${tenant.slug}-sandbox`) },
    suspendedAt: tenant.suspendedAt?.toISOString() ?? null,
    createdAt: tenant.createdAt.toISOString(),
    updatedAt: tenant.updatedAt.toISOString(),
  };
}

function keyView(key: AdminKeyDoc): z.infer<typeof keyOutput> {
  return {
    id: key._id,
    scope: key.scope,
    prefix: key.prefix,
    label: key.label,
    createdAt: key.createdAt.toISOString(),
    lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
    revokedAt: key.revokedAt?.toISOString() ?? null,
  };
}

const slugParam = z.object({ slug: z.string().min(1).max(64) });
const settings = {
  senderModel: senderModelInput.optional(),
  /** Origins of the tenant's own pages allowed to call its API from a browser (CORS). */
  allowedOrigins: z.array(originInput).max(50).optional(),
  /** Destination countries (ISO 3166 alpha-2); empty: every country. */
  allowedCountries: z.array(countryInput).max(250).optional(),
  quotas: quotasInput.partial().optional(),
};
const erasureOutput = z.object({ erased: z.record(z.string(), z.number().int()), total: z.number().int() });
const tenantAnswer = z.object({ tenant: tenantOutput });
const TAGS = ['platform'];

const keysRouter = router({
  create: platformProcedure
    .meta({ openapi: { method: 'POST', path: '/v1/platform/tenants/{slug}/keys', tags: TAGS, summary: 'Create an admin key for the tenant (shown once)' }, errors: ['NOT_FOUND'], successStatus: 201 })
    .input(slugParam.extend({
      /** `all` (both environments, the default), `live`, `sandbox`, or `sandbox-inbox` (reads the sandbox inbox only). */
      scope: z.enum(ADMIN_KEY_SCOPES).optional(),
      label: z.string().trim().min(1).max(64).optional(),
    }))
    .output(z.object({ key: keyOutput, adminKey: z.string() }))
    .mutation(async ({ ctx, input }) => {
      const { key, secret } = await ctx.platform.service.createKey(input.slug, { scope: input.scope, label: input.label ?? null });
      return { key: keyView(key), adminKey: secret };
    }),

  list: platformProcedure
    .meta({ openapi: { method: 'GET', path: '/v1/platform/tenants/{slug}/keys', tags: TAGS, summary: "The tenant's admin keys (never the keys themselves)" }, errors: ['NOT_FOUND'] })
    .input(slugParam.extend({ includeRevoked: z.union([z.boolean(), z.enum(['true', 'false'])]).optional() }))
    .output(z.object({ keys: z.array(keyOutput) }))
    .query(async ({ ctx, input }) => {
      const includeRevoked = input.includeRevoked === true || input.includeRevoked === 'true';
      return { keys: (await ctx.platform.service.listKeys(input.slug, { includeRevoked })).map(keyView) };
    }),

  revoke: platformProcedure
    .meta({ openapi: { method: 'DELETE', path: '/v1/platform/tenants/{slug}/keys/{keyId}', tags: TAGS, summary: 'Revoke an admin key (refused at once by every process)' }, errors: ['NOT_FOUND'] })
    .input(slugParam.extend({ keyId: z.string().min(1).max(64) }))
    .output(z.object({ key: keyOutput }))
    .mutation(async ({ ctx, input }) => ({ key: keyView(await ctx.platform.service.revokeKey(input.slug, input.keyId)) })),
});

export const platformRouter = router({
  tenants: router({
    create: platformProcedure
      .meta({ openapi: { method: 'POST', path: '/v1/platform/tenants', tags: TAGS, summary: 'Create a tenant and its first admin key (shown once)' }, errors: ['TENANT_SLUG_TAKEN'], successStatus: 201 })
      .input(z.object({ slug: slugInput, brand: brandInput, ...settings }))
      .output(z.object({ tenant: tenantOutput, adminKey: z.string() }))
      .mutation(async ({ ctx, input }) => {
        const { tenant, adminKey } = await ctx.platform.service.create(input);
        return { tenant: tenantView(ctx, tenant), adminKey };
      }),

    list: platformProcedure
      .meta({ openapi: { method: 'GET', path: '/v1/platform/tenants', tags: TAGS, summary: 'Tenants by slug, a page at a time' }, errors: [] })
      .input(z.object({ limit: z.coerce.number().int().min(1).max(200).optional(), cursor: z.string().max(64).optional() }).optional())
      .output(z.object({ tenants: z.array(tenantOutput), nextCursor: z.string().nullable() }))
      .query(async ({ ctx, input }) => {
        const page = await ctx.platform.service.list({ limit: input?.limit, cursor: input?.cursor ?? null });
        return { tenants: page.tenants.map((tenant) => tenantView(ctx, tenant)), nextCursor: page.nextCursor };
      }),

    get: platformProcedure
      .meta({ openapi: { method: 'GET', path: '/v1/platform/tenants/{slug}', tags: TAGS, summary: 'One tenant' }, errors: ['NOT_FOUND'] })
      .input(slugParam)
      .output(tenantAnswer)
      .query(async ({ ctx, input }) => ({ tenant: tenantView(ctx, await ctx.platform.service.get(input.slug)) })),

    update: platformProcedure
      .meta({ openapi: { method: 'PATCH', path: '/v1/platform/tenants/{slug}', tags: TAGS, summary: "Change a tenant's brand, sender model, origins, countries or quotas" }, errors: ['NOT_FOUND'] })
      .input(slugParam.extend({ brand: brandInput.optional(), ...settings }))
      .output(tenantAnswer)
      .mutation(async ({ ctx, input }) => {
        const { slug, ...patch } = input;
        return { tenant: tenantView(ctx, await ctx.platform.service.update(slug, patch)) };
      }),

    delete: platformProcedure
      .meta({ openapi: { method: 'DELETE', path: '/v1/platform/tenants/{slug}', tags: TAGS, summary: 'Delete a tenant, erasing every document of both its environments' }, errors: ['NOT_FOUND'] })
      .input(slugParam)
      .output(erasureOutput.extend({ slug: z.string() }))
      .mutation(({ ctx, input }) => ctx.platform.service.delete(input.slug)),

    suspend: platformProcedure
      .meta({ openapi: { method: 'POST', path: '/v1/platform/tenants/{slug}/suspend', tags: TAGS, summary: 'Suspend a tenant: its routes answer 403 TENANT_SUSPENDED, no SMS leaves' }, errors: ['NOT_FOUND'] })
      .input(slugParam)
      .output(tenantAnswer)
      .mutation(async ({ ctx, input }) => ({ tenant: tenantView(ctx, await ctx.platform.service.suspend(input.slug)) })),

    resume: platformProcedure
      .meta({ openapi: { method: 'POST', path: '/v1/platform/tenants/{slug}/resume', tags: TAGS, summary: 'Resume a suspended tenant' }, errors: ['NOT_FOUND'] })
      .input(slugParam)
      .output(tenantAnswer)
      .mutation(async ({ ctx, input }) => ({ tenant: tenantView(ctx, await ctx.platform.service.resume(input.slug)) })),

    keys: keysRouter,
  }),
});

/** `GET /v1/tenant`: what an element needs to render the disclosure with the brand the SMS will carry. No auth, any origin. */
export const tenantFaceRouter = router({
  get: publicProcedure
    .meta({ openapi: { method: 'GET', path: '/v1/tenant', tags: ['tenant'], summary: "The tenant's public face: brand, environment, methods, disclosure" }, errors: [] })
    .input(z.object({}).optional())
    .output(z.object({
      slug: z.string(),
      brand: z.string(),
      environment: z.enum(['live', 'sandbox']),
      methods: z.array(z.enum(MFA_METHODS)),
      disclosure: z.object({ version: z.string(), text: z.string() }),
    }))
    .query(({ ctx }) => {
      const { tenant, env } = ctx.req.tenant;
      return {
        slug: tenant.slug,
        brand: tenant.brand,
        environment: env,
        methods: [...MFA_METHODS],
        disclosure: { version: DISCLOSURE_VERSION, text: disclosureText(tenant.brand) },
      };
    }),
});

/** `DELETE /v1/admin/users/{id}`: the tenant admin erases one user of this environment completely. */
export const eraseUserProcedure = adminProcedure
  .meta({ openapi: { method: 'DELETE', path: '/v1/admin/users/{id}', tags: ['admin'], summary: 'Erase a user: account, sessions, challenges, devices, messages, consents, audit events' }, errors: ['NOT_FOUND'] })
  .input(z.object({ id: z.string().min(1).max(64) }))
  .output(erasureOutput.extend({ id: z.string() }))
  .mutation(async ({ ctx, input }) => {
    const user = await findUser(ctx, input.id);
    if (!user) throw new AppError('NOT_FOUND', {}, 'No such user in this tenant environment.');
    const erased = await eraseUser(ctx.deps.store, ctx.req.tenant.realm, user);
    return { id: user._id, erased, total: totalOf(erased) };
  });
