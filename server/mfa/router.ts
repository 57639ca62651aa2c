import { z } from 'zod';
import { recordEvent } from '../audit/record.ts';
import { AppError } from '../errors.ts';
import { apiProcedure, userProcedure } from '../procedures.ts';
import { code, codeSentOutput, messageOutput, mfaMethod, okOutput, recoveryCodesOutput, tokensOutput } from '../schemas.ts';
import { router } from '../trpc.ts';
import { listDevices, revokeAllDevices, revokeDevice } from './devices.ts';
import { challengeStatus, requestCode, verifyLogin } from './login.ts';
import { issueRecoveryCodes } from './recovery-codes.ts';
import { FRESH_MFA_WINDOW_SECONDS } from './rules.ts';
import { confirmSms, disableSms, setupSms } from './sms.ts';
import { beginTotpSetup, matchTotpStep } from './totp.ts';
import { verifyUserCode } from './user-codes.ts';

const mfaToken = z.string().min(1).max(256);
const tags = ['mfa'];

const smsRouter = router({
  setup: userProcedure
    .meta({ openapi: { method: 'POST', path: '/v1/auth/mfa/sms/setup', tags, summary: 'Start SMS enrollment: send a code to the phone' } })
    .input(z.object({
      phone: z.string().trim().max(32),
      /** The version of the opt-in disclosure the user saw (the enroll element sends it); an unknown one is refused. */
      disclosureVersion: z.string().max(64).optional(),
      /** The language it was shown in (`en`, `es`, `fr`, `de`; others are shown in English). */
      disclosureLanguage: z.string().max(35).optional(),
    }))
    .output(codeSentOutput.extend({ message: z.string(), phone: z.string() }))
    .mutation(({ ctx, input }) => setupSms(ctx, ctx.user, input)),

  confirm: userProcedure
    .meta({ openapi: { method: 'POST', path: '/v1/auth/mfa/sms/confirm', tags, summary: 'Confirm the texted code; returns the recovery codes once' } })
    .input(z.object({ code }))
    .output(recoveryCodesOutput)
    .mutation(({ ctx, input }) => confirmSms(ctx, ctx.user, input.code)),

  disable: userProcedure
    .meta({ openapi: { method: 'DELETE', path: '/v1/auth/mfa/sms', tags, summary: 'Remove the SMS factor with a TOTP or recovery code' } })
    .input(z.object({ code }))
    .output(messageOutput)
    .mutation(({ ctx, input }) => disableSms(ctx, ctx.user, input.code)),
});

const totpRouter = router({
  setup: userProcedure
    .meta({ openapi: { method: 'POST', path: '/v1/auth/mfa/totp/setup', tags, summary: 'Start TOTP enrollment: a secret and its otpauth:// URI' } })
    .input(z.object({}).optional())
    .output(z.object({ secret: z.string(), otpauthUri: z.string() }))
    .mutation(({ ctx }) => {
      if (ctx.user.mfa.totp) throw new AppError('MFA_ALREADY_ENABLED', {}, 'An authenticator app is already enrolled.');
      return beginTotpSetup(ctx, ctx.user);
    }),

  confirm: userProcedure
    .meta({ openapi: { method: 'POST', path: '/v1/auth/mfa/totp/confirm', tags, summary: 'Confirm the first TOTP code; returns recovery codes if the user had none' } })
    .input(z.object({ code }))
    .output(z.object({ recoveryCodes: z.array(z.string()).optional() }))
    .mutation(async ({ ctx, input }) => {
      const pending = ctx.user.mfa.pendingTotp;
      if (ctx.user.mfa.totp) throw new AppError('MFA_ALREADY_ENABLED', {}, 'An authenticator app is already enrolled.');
      if (!pending) throw new AppError('MFA_SETUP_REQUIRED');
      const step = matchTotpStep(ctx, ctx.user, pending.secretEncrypted, input.code);
      if (step === null) {
        // Wrong codes here count against the same per-user limit as every other code check.
        await verifyUserCode(ctx, ctx.user, input.code, [], 'enroll_totp');
      }
      const enabled = await ctx.deps.store.users.updateOne(
        { _id: ctx.user._id, realm: ctx.req.tenant.realm, 'mfa.totp': null },
        { $set: { 'mfa.totp': { secretEncrypted: pending.secretEncrypted, enabledAt: ctx.deps.clock.now(), lastUsedStep: step ?? 0 }, 'mfa.pendingTotp': null } },
      );
      if (enabled.modifiedCount !== 1) throw new AppError('MFA_ALREADY_ENABLED');
      await recordEvent(ctx, 'mfa.totp.enrolled', {}, { userId: ctx.user._id });
      const hasCodes = (ctx.user.recoveryCodes?.hashes.length ?? 0) > 0;
      return hasCodes ? {} : { recoveryCodes: await issueRecoveryCodes(ctx, ctx.user._id, 'enrollment') };
    }),

  disable: userProcedure
    .meta({ openapi: { method: 'DELETE', path: '/v1/auth/mfa/totp', tags, summary: 'Remove the TOTP factor with a TOTP or recovery code' } })
    .input(z.object({ code }))
    .output(messageOutput)
    .mutation(async ({ ctx, input }) => {
      if (!ctx.user.mfa.totp) throw new AppError('MFA_NOT_ENABLED', {}, 'No authenticator app is enrolled.');
      const verifiedWith = await verifyUserCode(ctx, ctx.user, input.code, ['totp', 'recovery_code'], 'disable_totp');
      await ctx.deps.store.users.updateOne(
        { _id: ctx.user._id, realm: ctx.req.tenant.realm },
        { $set: { 'mfa.totp': null, ...(ctx.user.mfa.sms ? {} : { recoveryCodes: null }) } },
      );
      await recordEvent(ctx, 'mfa.totp.disabled', { verifiedWith }, { userId: ctx.user._id });
      await revokeAllDevices(ctx, ctx.user._id, 'factor_disabled');
      return { message: 'Authenticator app removed.' };
    }),
});

export const mfaRouter = router({
  sms: smsRouter,
  totp: totpRouter,

  challenge: apiProcedure
    .meta({ openapi: { method: 'POST', path: '/v1/auth/mfa/challenge', tags, protect: false, summary: 'Send (or re-send) the login code by SMS' } })
    .input(z.object({ mfa_token: mfaToken, challenge_type: z.literal('oob'), oob_channel: z.literal('sms') }))
    .output(codeSentOutput.extend({ challenge_type: z.literal('oob'), oob_channel: z.literal('sms') }))
    .mutation(({ ctx, input }) => requestCode(ctx, input.mfa_token)),

  status: apiProcedure
    .meta({ openapi: { method: 'POST', path: '/v1/auth/mfa/status', tags, protect: false, summary: 'Where the code went and what is left of the challenge' } })
    .input(z.object({ mfa_token: mfaToken }))
    .output(codeSentOutput.extend({ available_methods: z.array(mfaMethod), maskedPhone: z.string().nullable(), codeSent: z.boolean() }))
    .mutation(({ ctx, input }) => challengeStatus(ctx, input.mfa_token)),

  verify: apiProcedure
    .meta({ openapi: { method: 'POST', path: '/v1/auth/mfa/verify', tags, protect: false, summary: 'Answer the challenge; `trustDevice` sets the 30-day mfa_device cookie' } })
    .input(z.object({ mfa_token: mfaToken, method: mfaMethod, code, trustDevice: z.boolean().optional() }))
    .output(tokensOutput.extend({ trustedDevice: z.boolean() }))
    .mutation(({ ctx, input }) => verifyLogin(ctx, { mfaToken: input.mfa_token, method: input.method, code: input.code, trustDevice: input.trustDevice ?? false })),

  recoveryCodes: router({
    regenerate: userProcedure
      .meta({ openapi: { method: 'POST', path: '/v1/auth/mfa/recovery-codes', tags, summary: 'Replace the recovery codes (needs an MFA in the last 10 minutes)' } })
      .input(z.object({}).optional())
      .output(recoveryCodesOutput)
      .mutation(async ({ ctx }) => {
        if (!ctx.user.mfa.sms && !ctx.user.mfa.totp) throw new AppError('MFA_NOT_ENABLED', {}, 'Enable a second factor first.');
        const now = Math.floor(ctx.deps.clock.now().getTime() / 1000);
        if (!ctx.claims.mfa_time || now - ctx.claims.mfa_time > FRESH_MFA_WINDOW_SECONDS) {
          throw new AppError('MFA_FRESH_AUTH_REQUIRED', { maxAgeSeconds: FRESH_MFA_WINDOW_SECONDS });
        }
        return { recoveryCodes: await issueRecoveryCodes(ctx, ctx.user._id, 'regenerated') };
      }),
  }),
});

export const devicesRouter = router({
  list: userProcedure
    .meta({ openapi: { method: 'GET', path: '/v1/auth/devices', tags: ['devices'], summary: 'Trusted devices of the user' } })
    .input(z.object({}).optional())
    .output(z.object({ devices: z.array(z.object({ id: z.string(), userAgent: z.string().nullable(), createdAt: z.string(), lastUsedAt: z.string(), expiresAt: z.string(), current: z.boolean() })) }))
    .query(async ({ ctx }) => ({ devices: await listDevices(ctx, ctx.user) })),

  revoke: userProcedure
    .meta({ openapi: { method: 'DELETE', path: '/v1/auth/devices/{id}', tags: ['devices'], summary: 'Stop trusting a device' } })
    .input(z.object({ id: z.string().min(1).max(64) }))
    .output(okOutput)
    .mutation(async ({ ctx, input }) => {
      if (!(await revokeDevice(ctx, ctx.user._id, input.id))) throw new AppError('NOT_FOUND', {}, 'No such trusted device.');
      return { ok: true as const };
    }),
});

