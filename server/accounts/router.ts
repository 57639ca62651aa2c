import { z } from 'zod';
import { codeAttemptDepsOf, unlockCodeChecks } from '../abuse/code-attempts.ts';
import { AppError } from '../errors.ts';
import { hashPassword, verifyPassword } from '../crypto.ts';
import { adminProcedure, apiProcedure, userProcedure } from '../procedures.ts';
import { eraseUserProcedure } from '../platform/router.ts';
import { email, okOutput, password, tokensOutput } from '../schemas.ts';
import { repositoriesOf } from '../store/index.ts';
import { router } from '../trpc.ts';
import { deviceDepsOf, forgetDeviceCookies, listDevices, revokeAllDevices, revokeDevice, DEVICE_COOKIE } from './devices.ts';
import { signup } from './service.ts';
import { endAllSessions, endSession, rotateRefreshToken, startSession } from './sessions.ts';
import { findUser, insertUser, publicUser } from './users.ts';

const meOutput = z.object({
  id: z.string(),
  email: z.string(),
  phone: z.string().nullable(),
  phoneVerified: z.boolean(),
  mfa: z.object({ sms: z.boolean(), totp: z.boolean() }),
  recoveryCodesRemaining: z.number().int(),
  hasPassword: z.boolean(),
  oauthProvider: z.string().nullable(),
});

/** The account procedures, merged into `auth` by the root router (the password login is the sign-in's, in `mfa/`). */
export const accountProcedures = {
  signup: apiProcedure
    .meta({ openapi: { method: 'POST', path: '/v1/auth/signup', tags: ['auth'], summary: 'Create an account with email and password' }, errors: ['EMAIL_TAKEN', 'RATE_LIMITED'], successStatus: 201 })
    .input(z.object({ email, password }))
    .output(tokensOutput)
    .mutation(({ ctx, input }) => signup(ctx, input)),

  refresh: apiProcedure
    .meta({ openapi: { method: 'POST', path: '/v1/auth/refresh', tags: ['auth'], summary: 'Rotate a refresh token' }, errors: ['INVALID_REFRESH_TOKEN'] })
    .input(z.object({ refreshToken: z.string().min(1).max(512) }))
    .output(tokensOutput)
    .mutation(({ ctx, input }) => rotateRefreshToken(ctx, input.refreshToken)),

  logout: userProcedure
    .meta({ openapi: { method: 'POST', path: '/v1/auth/logout', tags: ['auth'], summary: 'End this session, or every session ("sign out everywhere")' }, errors: [] })
    .input(z.object({ refreshToken: z.string().max(512).optional(), everywhere: z.boolean().optional() }).optional())
    .output(okOutput)
    .mutation(async ({ ctx, input }) => {
      if (input?.everywhere) {
        await endAllSessions(ctx, ctx.user._id);
        await revokeAllDevices(deviceDepsOf(ctx.deps), ctx.req, ctx.user._id, 'signed_out_everywhere');
        ctx.res.cookies.push(...forgetDeviceCookies(ctx.req));
      } else {
        await endSession(ctx, ctx.user._id, ctx.claims.sid, input?.refreshToken);
      }
      return { ok: true as const };
    }),

  me: userProcedure
    .meta({ openapi: { method: 'GET', path: '/v1/auth/me', tags: ['auth'], summary: 'The signed-in user' }, errors: [] })
    .input(z.object({}).optional())
    .output(meOutput)
    .query(({ ctx }) => publicUser(ctx.user)),

  changePassword: userProcedure
    .meta({ openapi: { method: 'POST', path: '/v1/auth/password', tags: ['auth'], summary: 'Change the password; ends other sessions and trusted devices' }, errors: ['INVALID_CREDENTIALS'] })
    .input(z.object({ currentPassword: z.string().max(256), newPassword: password }))
    .output(okOutput)
    .mutation(async ({ ctx, input }) => {
      if (!ctx.user.passwordHash || !(await verifyPassword(input.currentPassword, ctx.user.passwordHash))) {
        throw new AppError('INVALID_CREDENTIALS', {}, 'The current password is incorrect.');
      }
      await repositoriesOf(ctx.deps.store).users.changePassword(ctx.req.tenant.realm, ctx.user._id, await hashPassword(input.newPassword));
      await revokeAllDevices(deviceDepsOf(ctx.deps), ctx.req, ctx.user._id, 'password_changed');
      await endAllSessions(ctx, ctx.user._id, ctx.claims.sid);
      await ctx.deps.audit.record(ctx.req, 'user.password_changed', {}, { userId: ctx.user._id });
      return { ok: true as const };
    }),
};

/** The admin procedures for users and sessions, merged into `admin` by its router. */
export const adminAccountProcedures = {
  users: router({
    create: adminProcedure
      .meta({ openapi: { method: 'POST', path: '/v1/admin/users', tags: ['admin'], summary: 'Create an OAuth-only user (no password)' }, errors: ['EMAIL_TAKEN'], successStatus: 201 })
      .input(z.object({ email, oauthProvider: z.string().trim().min(1).max(64) }))
      .output(z.object({ id: z.string(), email: z.string() }))
      .mutation(async ({ ctx, input }) => {
        const user = await insertUser(ctx, { email: input.email, passwordHash: null, oauthProvider: input.oauthProvider });
        await ctx.deps.audit.record(ctx.req, 'admin.user_created', { email: user.email, oauthProvider: user.oauthProvider }, { userId: user._id, actor: 'admin' });
        return { id: user._id, email: user.email };
      }),
    delete: eraseUserProcedure,
  }),
  mfa: router({
    unlock: adminProcedure
      .meta({ openapi: { method: 'POST', path: '/v1/admin/users/{id}/mfa/unlock', tags: ['admin'], summary: 'Unlock the codes of a user locked after 100 wrong codes in a row' }, errors: ['NOT_FOUND'] })
      .input(z.object({ id: z.string().min(1).max(64) }))
      .output(z.object({ ok: z.literal(true), wasLocked: z.boolean() }))
      .mutation(async ({ ctx, input }) => {
        const user = await findUser(ctx, input.id);
        if (!user) throw new AppError('NOT_FOUND', {}, 'No such user in this tenant environment.');
        return { ok: true as const, wasLocked: await unlockCodeChecks(codeAttemptDepsOf(ctx.deps), ctx.req, user._id) };
      }),
  }),
  sessions: router({
    create: adminProcedure
      .meta({ openapi: { method: 'POST', path: '/v1/admin/sessions', tags: ['admin'], summary: "Mint a session for a user your own IdP login authenticated" }, errors: ['NOT_FOUND'], successStatus: 201 })
      .input(z.object({ userId: z.string().min(1).max(64) }))
      .output(tokensOutput)
      .mutation(async ({ ctx, input }) => {
        const user = await findUser(ctx, input.userId);
        if (!user) throw new AppError('NOT_FOUND', {}, 'No such user in this tenant environment.');
        const tokens = await startSession(ctx, user, ['fed']);
        await ctx.deps.audit.record(ctx.req, 'admin.session_minted', { amr: ['fed'] }, { userId: user._id, actor: 'admin' });
        return tokens;
      }),
  }),
};

export const devicesRouter = router({
  list: userProcedure
    .meta({ openapi: { method: 'GET', path: '/v1/auth/devices', tags: ['devices'], summary: 'Trusted devices of the user' }, errors: [] })
    .input(z.object({}).optional())
    .output(z.object({ devices: z.array(z.object({ id: z.string(), userAgent: z.string().nullable(), createdAt: z.string(), lastUsedAt: z.string(), expiresAt: z.string(), current: z.boolean() })) }))
    .query(async ({ ctx }) => ({ devices: await listDevices(deviceDepsOf(ctx.deps), ctx.req.tenant.realm, ctx.user, ctx.req.cookies[DEVICE_COOKIE]) })),

  revoke: userProcedure
    .meta({ openapi: { method: 'DELETE', path: '/v1/auth/devices/{id}', tags: ['devices'], summary: 'Stop trusting a device' }, errors: ['NOT_FOUND'] })
    .input(z.object({ id: z.string().min(1).max(64) }))
    .output(okOutput)
    .mutation(async ({ ctx, input }) => {
      if (!(await revokeDevice(deviceDepsOf(ctx.deps), ctx.req, ctx.user._id, input.id))) throw new AppError('NOT_FOUND', {}, 'No such trusted device.');
      return { ok: true as const };
    }),
});
