import { AppError } from './errors.ts';
import { issuerOf } from './accounts/sessions.ts';
import { findUser } from './accounts/users.ts';
import { noteAuditSubject, recordRefusals } from './audit/record.ts';
import { publicProcedure } from './trpc.ts';
import { repositoriesOf } from './store/index.ts';

function bearer(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  return match ? match[1]! : null;
}

/** Every procedure of the API: rate-limit refusals are recorded in the audit trail on the way out. */
export const apiProcedure = publicProcedure.use(recordRefusals);

/**
 * A signed-in user of this tenant environment: a valid access token issued for exactly this
 * issuer (a token of tenant A is refused at B and at A's sandbox), whose session is not revoked.
 */
export const userProcedure = apiProcedure.use(async ({ ctx, next }) => {
  const token = bearer(ctx.req.headers.authorization);
  if (!token) throw new AppError('UNAUTHORIZED', {}, 'Send the access token as `Authorization: Bearer <token>`.');
  const claims = await ctx.deps.tokens.verify(token, issuerOf(ctx));
  if (!claims || claims.tid !== ctx.req.tenant.tenant._id || claims.env !== ctx.req.tenant.env) {
    throw new AppError('UNAUTHORIZED', {}, 'The access token is not valid for this tenant, or has expired.');
  }
  const [user, sessionLive] = await Promise.all([
    findUser(ctx, claims.sub),
    repositoriesOf(ctx.deps.store).sessions.isLive(ctx.req.tenant.realm, claims.sid, ctx.deps.clock.now()),
  ]);
  if (!user || !sessionLive) throw new AppError('UNAUTHORIZED', {}, 'This session has ended. Sign in again.');
  noteAuditSubject(ctx, user._id);
  return next({ ctx: { ...ctx, user, claims } });
});

/**
 * The tenant's back end, with one of its admin keys (401 without, or with another tenant's or a
 * revoked one; 403 when the key's scope is another environment or only the sandbox inbox).
 */
export const adminProcedure = apiProcedure.use(async ({ ctx, next }) => {
  await ctx.deps.tenants.authorizeAdmin(ctx.req.tenant, ctx.req.headers.authorization, 'admin');
  return next({ ctx });
});

/** Reading the sandbox inbox: any admin key of the environment, or a `sandbox-inbox` key. */
export const inboxProcedure = apiProcedure.use(async ({ ctx, next }) => {
  await ctx.deps.tenants.authorizeAdmin(ctx.req.tenant, ctx.req.headers.authorization, 'inbox');
  return next({ ctx });
});
