import { consumeLimits } from '../abuse/rate-limit.ts';
import { hashPassword, verifyPassword } from '../crypto.ts';
import type { Context } from '../context.ts';
import { AppError } from '../errors.ts';
import type { UserDoc } from '../store/documents.ts';
import { repositoriesOf } from '../store/index.ts';
import { startSession, type Tokens } from './sessions.ts';
import { insertUser, normalizeEmail } from './users.ts';

/** Failed password logins allowed per account in a window. */
export const LOGIN_ATTEMPTS_PER_ACCOUNT = { limit: 10, windowSeconds: 15 * 60 };
/** Per IP the allowance is larger: many users can share one address (offices, carrier NAT). */
export const LOGIN_ATTEMPTS_PER_IP = { limit: 100, windowSeconds: 15 * 60 };

// A real hash to check against when the account does not exist, so both answers take as long.
let decoyHash: Promise<string> | undefined;

export async function signup(ctx: Context, input: { email: string; password: string }): Promise<Tokens> {
  const user = await insertUser(ctx, { email: input.email, passwordHash: await hashPassword(input.password), oauthProvider: null });
  const tokens = await startSession(ctx, user, ['pwd']);
  await ctx.deps.audit.record(ctx.req, 'user.signed_up', { method: 'password' }, { userId: user._id });
  return tokens;
}

/**
 * The first factor: the user whose password this is. A slot of the failed-login limits (per
 * account, per IP) is taken before the password is checked and given back when it is right, so
 * the limits hold under any number of parallel attempts. What follows (a second factor, a
 * session) is the sign-in's, above this feature.
 */
export async function checkPassword(ctx: Context, input: { email: string; password: string }): Promise<UserDoc> {
  const email = normalizeEmail(input.email);
  const realm = ctx.req.tenant.realm;
  const { rateCounters, users } = repositoriesOf(ctx.deps.store);
  const slot = await consumeLimits(rateCounters, ctx.deps.clock, [
    { key: `login:${realm}:${email}`, ...LOGIN_ATTEMPTS_PER_ACCOUNT, reason: 'login_attempts' },
    { key: `login-ip:${realm}:${ctx.req.ip}`, ...LOGIN_ATTEMPTS_PER_IP, reason: 'login_attempts' },
  ]);
  if (!slot.ok) {
    throw new AppError('RATE_LIMITED', { reason: slot.reason, retryAfterSeconds: slot.retryAfterSeconds }, 'Too many failed sign-in attempts. Try again later.');
  }
  const user = await users.findByEmail(realm, email);
  decoyHash ??= hashPassword('decoy-password-for-timing');
  const valid = await verifyPassword(input.password, user?.passwordHash ?? (await decoyHash));
  if (user) ctx.deps.audit.noteSubject(ctx.req, user._id);
  if (!user || !user.passwordHash || !valid) {
    ctx.deps.log.info('login failed', { realm, requestId: ctx.req.requestId });
    const reason = !user ? 'unknown_user' : !user.passwordHash ? 'no_password' : 'wrong_password';
    await ctx.deps.audit.record(ctx.req, 'login.failed', { email, reason }, { userId: user?._id ?? null });
    throw new AppError('INVALID_CREDENTIALS');
  }
  await slot.release();
  return user;
}
