import { z } from 'zod';
import { FRESH_MFA_WINDOW_SECONDS } from '../contract/rules.ts';
import { AppError } from '../errors.ts';
import { apiProcedure, userProcedure } from '../procedures.ts';
import { code, codeSentOutput, messageOutput, mfaMethod, phone, recoveryCodesOutput, tokensOutput } from '../schemas.ts';
import { router } from '../trpc.ts';
import { challengeStatus, login, requestCode, verifyLogin } from './login.ts';
import { issueRecoveryCodes, recoveryCodeDepsOf } from './recovery-codes.ts';
import { confirmSms, disableSms, enrollmentStatus, setupSms } from './sms.ts';
import { beginTotpSetup, confirmTotp, disableTotp } from './totp.ts';

const mfaToken = z.string().min(1).max(256);
const tags = ['mfa'];

const smsRouter = router({
  setup: userProcedure
    .meta({ openapi: { method: 'POST', path: '/v1/auth/mfa/sms/setup', tags, summary: 'Start SMS enrollment: send a code to the phone' }, errors: ['MFA_PASSWORD_REQUIRED', 'MFA_ALREADY_ENABLED', 'MFA_RATE_LIMITED', 'MFA_DELIVERY_FAILED'] })
    .input(z.object({
      phone,
      /** The version of the opt-in disclosure the user saw (the enroll element sends it); an unknown one is refused. */
      disclosureVersion: z.string().max(64).optional(),
      /** The language it was shown in (`en`, `es`, `fr`, `de`; others are shown in English). */
      disclosureLanguage: z.string().max(35).optional(),
      /** The enroll element checked, before sending, that the disclosure was visible beside the phone field; noted in the consent record. */
      disclosureChecked: z.boolean().optional(),
    }))
    .output(codeSentOutput.extend({ message: z.string(), phone: z.string() }))
    .mutation(({ ctx, input }) => setupSms(ctx, ctx.user, input)),

  confirm: userProcedure
    .meta({ openapi: { method: 'POST', path: '/v1/auth/mfa/sms/confirm', tags, summary: 'Confirm the texted code; returns the recovery codes once' }, errors: ['MFA_SETUP_REQUIRED', 'MFA_ALREADY_ENABLED', 'MFA_INVALID_CODE', 'MFA_CHALLENGE_EXPIRED', 'MFA_RATE_LIMITED'] })
    .input(z.object({ code }))
    .output(recoveryCodesOutput)
    .mutation(({ ctx, input }) => confirmSms(ctx, ctx.user, input.code)),

  disable: userProcedure
    .meta({ openapi: { method: 'DELETE', path: '/v1/auth/mfa/sms', tags, summary: 'Remove the SMS factor with a TOTP or recovery code' }, errors: ['MFA_NOT_ENABLED', 'MFA_INVALID_CODE', 'MFA_RATE_LIMITED'] })
    .input(z.object({ code }))
    .output(messageOutput)
    .mutation(({ ctx, input }) => disableSms(ctx, ctx.user, input.code)),

  status: userProcedure
    .meta({ openapi: { method: 'POST', path: '/v1/auth/mfa/sms/status', tags, summary: 'The enrollment in progress: where the code went, how its SMS is doing, what is left' }, errors: ['MFA_ALREADY_ENABLED', 'MFA_SETUP_REQUIRED', 'MFA_CHALLENGE_EXPIRED', 'MFA_RATE_LIMITED'] })
    .input(z.object({}).optional())
    .output(codeSentOutput.extend({ phone: z.string(), codeSent: z.boolean() }))
    .mutation(({ ctx }) => enrollmentStatus(ctx, ctx.user)),
});

const totpRouter = router({
  setup: userProcedure
    .meta({ openapi: { method: 'POST', path: '/v1/auth/mfa/totp/setup', tags, summary: 'Start TOTP enrollment: a secret and its otpauth:// URI' }, errors: ['MFA_ALREADY_ENABLED'] })
    .input(z.object({}).optional())
    .output(z.object({ secret: z.string(), otpauthUri: z.string() }))
    .mutation(({ ctx }) => beginTotpSetup(ctx, ctx.user)),

  confirm: userProcedure
    .meta({ openapi: { method: 'POST', path: '/v1/auth/mfa/totp/confirm', tags, summary: 'Confirm the first TOTP code; returns recovery codes if the user had none' }, errors: ['MFA_ALREADY_ENABLED', 'MFA_SETUP_REQUIRED', 'MFA_INVALID_CODE', 'MFA_RATE_LIMITED'] })
    .input(z.object({ code }))
    .output(z.object({ recoveryCodes: z.array(z.string()).optional() }))
    .mutation(({ ctx, input }) => confirmTotp(ctx, ctx.user, input.code)),

  disable: userProcedure
    .meta({ openapi: { method: 'DELETE', path: '/v1/auth/mfa/totp', tags, summary: 'Remove the TOTP factor with a TOTP or recovery code' }, errors: ['MFA_NOT_ENABLED', 'MFA_INVALID_CODE', 'MFA_RATE_LIMITED'] })
    .input(z.object({ code }))
    .output(messageOutput)
    .mutation(({ ctx, input }) => disableTotp(ctx, ctx.user, input.code)),
});

export const mfaRouter = router({
  sms: smsRouter,
  totp: totpRouter,

  challenge: apiProcedure
    .meta({ openapi: { method: 'POST', path: '/v1/auth/mfa/challenge', tags, summary: 'Send (or re-send) the login code by SMS' }, errors: ['MFA_CHALLENGE_EXPIRED', 'MFA_RATE_LIMITED', 'MFA_DELIVERY_FAILED'] })
    .input(z.object({ mfa_token: mfaToken, challenge_type: z.literal('oob'), oob_channel: z.literal('sms') }))
    .output(codeSentOutput.extend({ challenge_type: z.literal('oob'), oob_channel: z.literal('sms') }))
    .mutation(({ ctx, input }) => requestCode(ctx, input.mfa_token)),

  status: apiProcedure
    .meta({ openapi: { method: 'POST', path: '/v1/auth/mfa/status', tags, summary: 'Where the code went and what is left of the challenge' }, errors: ['MFA_CHALLENGE_EXPIRED', 'MFA_RATE_LIMITED'] })
    .input(z.object({ mfa_token: mfaToken }))
    .output(codeSentOutput.extend({ available_methods: z.array(mfaMethod), maskedPhone: z.string().nullable(), codeSent: z.boolean(), trustDeviceAvailable: z.boolean() }))
    .mutation(({ ctx, input }) => challengeStatus(ctx, input.mfa_token)),

  verify: apiProcedure
    .meta({ openapi: { method: 'POST', path: '/v1/auth/mfa/verify', tags, summary: 'Answer the challenge; `trustDevice` sets the 30-day mfa_device cookie' }, errors: ['MFA_INVALID_CODE', 'MFA_CHALLENGE_EXPIRED', 'MFA_RATE_LIMITED'] })
    .input(z.object({ mfa_token: mfaToken, method: mfaMethod, code, trustDevice: z.boolean().optional() }))
    .output(tokensOutput.extend({ trustedDevice: z.boolean() }))
    .mutation(({ ctx, input }) => verifyLogin(ctx, { mfaToken: input.mfa_token, method: input.method, code: input.code, trustDevice: input.trustDevice ?? false })),

  recoveryCodes: router({
    regenerate: userProcedure
      .meta({ openapi: { method: 'POST', path: '/v1/auth/mfa/recovery-codes', tags, summary: 'Replace the recovery codes (needs an MFA in the last 10 minutes)' }, errors: ['MFA_NOT_ENABLED', 'MFA_FRESH_AUTH_REQUIRED'] })
      .input(z.object({}).optional())
      .output(recoveryCodesOutput)
      .mutation(async ({ ctx }) => {
        if (!ctx.user.mfa.sms && !ctx.user.mfa.totp) throw new AppError('MFA_NOT_ENABLED', {}, 'Enable a second factor first.');
        const now = Math.floor(ctx.deps.clock.now().getTime() / 1000);
        if (!ctx.claims.mfa_time || now - ctx.claims.mfa_time > FRESH_MFA_WINDOW_SECONDS) {
          throw new AppError('MFA_FRESH_AUTH_REQUIRED', { maxAgeSeconds: FRESH_MFA_WINDOW_SECONDS });
        }
        return { recoveryCodes: await issueRecoveryCodes(recoveryCodeDepsOf(ctx.deps), ctx.req, ctx.user._id, 'regenerated') };
      }),
  }),
});

/** `auth.login` (`POST /v1/auth/login`): the password, then the second factor; merged into `auth` by the root router. */
export const loginProcedure = apiProcedure
  .meta({
    openapi: {
      method: 'POST', path: '/v1/auth/login', tags: ['auth'],
      summary: 'Sign in with email and password',
      description: 'Answers 403 `mfa_required` with an `mfa_token` when the user has a second factor and no trusted device.',
    }, errors: ['INVALID_CREDENTIALS', 'mfa_required', 'RATE_LIMITED'],
  })
  .input(z.object({ email: z.string().trim().max(254), password: z.string().max(256) }))
  .output(tokensOutput)
  .mutation(({ ctx, input }) => login(ctx, input));
