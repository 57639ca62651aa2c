import { consumeLimits, type HeldSlots } from '../abuse/rate-limit.ts';
import type { RateLimitReason } from '../contract/errors.ts';
import { hashPassword, verifyPassword } from '../crypto.ts';
import type { Context } from '../context.ts';
import { AppError } from '../errors.ts';
import type { UserDoc } from '../store/documents.ts';
import { repositoriesOf } from '../store/index.ts';
import { DEVICE_COOKIE, deviceDepsOf, liveDeviceIdOf } from './devices.ts';
import { startSession, type Tokens } from './sessions.ts';
import { insertUser, normalizeEmail } from './users.ts';

/**
 * Failed password logins allowed per (account, client IP) in a window: an attacker who knows the
 * e-mail locks the account for their own address only, not for the owner at home.
 */
export const LOGIN_ATTEMPTS_PER_ACCOUNT_AND_IP = { limit: 10, windowSeconds: 15 * 60 };
/** Per IP the allowance is larger: many users can share one address (offices, carrier NAT). */
export const LOGIN_ATTEMPTS_PER_IP = { limit: 100, windowSeconds: 15 * 60 };
/** Per account, from every address together: a much higher ceiling against guessing from many addresses. */
export const LOGIN_ATTEMPTS_PER_ACCOUNT = { limit: 100, windowSeconds: 15 * 60 };
/** With the owner's valid trusted-device cookie, failures count per device instead of per account. */
export const LOGIN_ATTEMPTS_PER_DEVICE = { limit: 10, windowSeconds: 15 * 60 };
/** Sign-ups per client IP per hour, in one tenant environment (fake-account farming). */
export const SIGNUPS_PER_IP = { limit: 100, windowSeconds: 3600 };
/**
 * EMAIL_TAKEN answers per client IP: the answer users need, kept, but bounded so that nobody
 * learns quickly which e-mails are registered (a slot is taken before a taken e-mail is told).
 */
export const TAKEN_EMAIL_SIGNUPS_PER_IP = { limit: 10, windowSeconds: 15 * 60 };

// A real hash to check against when the account does not exist, so both answers take as long.
let decoyHash: Promise<string> | undefined;

/**
 * `POST /v1/auth/signup`. EMAIL_TAKEN is answered (users need to know), so sign-ups are limited
 * per client IP before any hash is computed: all of them per hour, and the taken-email answers
 * more tightly.
 */
export async function signup(ctx: Context, input: { email: string; password: string }): Promise<Tokens> {
  const { realm } = ctx.req.tenant;
  const { rateCounters, users } = repositoriesOf(ctx.deps.store);
  const refuse = (refusal: { reason: RateLimitReason; retryAfterSeconds: number }) =>
    new AppError('RATE_LIMITED', { reason: refusal.reason, retryAfterSeconds: refusal.retryAfterSeconds }, 'Too many sign-up attempts from this network. Try again later.');
  const signups = await consumeLimits(rateCounters, ctx.deps.clock, [{ key: `signup-ip:${realm}:${ctx.req.ip}`, ...SIGNUPS_PER_IP, reason: 'signup_attempts' }]);
  if (!signups.ok) throw refuse(signups);
  // An e-mail that is taken costs one of the few EMAIL_TAKEN answers this address gets, before it is told.
  const takenLimit = { key: `signup-taken-ip:${realm}:${ctx.req.ip}`, ...TAKEN_EMAIL_SIGNUPS_PER_IP, reason: 'signup_attempts' as const };
  if (await users.findByEmail(realm, normalizeEmail(input.email))) {
    const taken = await consumeLimits(rateCounters, ctx.deps.clock, [takenLimit]);
    if (!taken.ok) throw refuse(taken);
    throw new AppError('EMAIL_TAKEN');
  }
  let user: UserDoc;
  try {
    user = await insertUser(ctx, { email: input.email, passwordHash: await hashPassword(input.password), oauthProvider: null });
  } catch (error) {
    // Taken in the meantime (a concurrent sign-up): counted like any other taken answer.
    if (error instanceof AppError && error.code === 'EMAIL_TAKEN') {
      const taken = await consumeLimits(rateCounters, ctx.deps.clock, [takenLimit]);
      if (!taken.ok) throw refuse(taken);
    }
    throw error;
  }
  const tokens = await startSession(ctx, user, ['pwd']);
  await ctx.deps.audit.record(ctx.req, 'user.signed_up', { method: 'password' }, { userId: user._id });
  return tokens;
}

/**
 * The first factor: the user whose password this is. A slot of the failed-login limits (per
 * account, per IP) is taken before the password is checked and given back when it is right, so
 * the limits hold under any number of parallel attempts: `loginSlots`, which the caller gives
 * back (with the sign-in's send quotas, in their round trip, or on its own). What follows (a
 * second factor, a session) is the sign-in's, above this feature.
 */
export async function checkPassword(ctx: Context, input: { email: string; password: string }): Promise<{ user: UserDoc; loginSlots: HeldSlots }> {
  const email = normalizeEmail(input.email);
  const realm = ctx.req.tenant.realm;
  const { rateCounters, users } = repositoriesOf(ctx.deps.store);
  const ip = ctx.req.ip;
  const user = await users.findByEmail(realm, email);
  // The owner's own trusted device is not locked out by failures from elsewhere.
  const deviceId = user ? await liveDeviceIdOf(deviceDepsOf(ctx.deps), realm, user, ctx.req.cookies[DEVICE_COOKIE]) : null;
  const slot = await consumeLimits(rateCounters, ctx.deps.clock, [
    { key: `login-ip:${realm}:${ip}`, ...LOGIN_ATTEMPTS_PER_IP, reason: 'login_attempts' },
    ...(deviceId
      ? [{ key: `login-device:${realm}:${deviceId}`, ...LOGIN_ATTEMPTS_PER_DEVICE, reason: 'login_attempts' as const }]
      : [
          { key: `login:${realm}:${email}:${ip}`, ...LOGIN_ATTEMPTS_PER_ACCOUNT_AND_IP, reason: 'login_attempts' as const },
          { key: `login-account:${realm}:${email}`, ...LOGIN_ATTEMPTS_PER_ACCOUNT, reason: 'login_attempts' as const },
        ]),
  ]);
  if (!slot.ok) {
    throw new AppError('RATE_LIMITED', { reason: slot.reason, retryAfterSeconds: slot.retryAfterSeconds }, 'Too many failed sign-in attempts. Try again later.');
  }
  decoyHash ??= hashPassword('decoy-password-for-timing');
  const valid = await verifyPassword(input.password, user?.passwordHash ?? (await decoyHash));
  if (user) ctx.deps.audit.noteSubject(ctx.req, user._id);
  if (!user || !user.passwordHash || !valid) {
    ctx.deps.log.info('login failed', { realm, requestId: ctx.req.requestId });
    const reason = !user ? 'unknown_user' : !user.passwordHash ? 'no_password' : 'wrong_password';
    await ctx.deps.audit.record(ctx.req, 'login.failed', { email, reason }, { userId: user?._id ?? null });
    throw new AppError('INVALID_CREDENTIALS');
  }
  return { user, loginSlots: slot.held };
}
