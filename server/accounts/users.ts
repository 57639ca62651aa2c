import { randomToken } from '../crypto.ts';
import type { Context } from '../context.ts';
import { AppError } from '../errors.ts';
import type { MfaMethod, UserDoc } from '../store/documents.ts';
import { repositoriesOf } from '../store/index.ts';

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** A new user of this request's tenant environment; EMAIL_TAKEN when the email is. */
export async function insertUser(ctx: Context, fields: { email: string; passwordHash: string | null; oauthProvider: string | null }): Promise<UserDoc> {
  const user: UserDoc = {
    _id: `usr_${randomToken(12)}`,
    realm: ctx.req.tenant.realm,
    email: normalizeEmail(fields.email),
    passwordHash: fields.passwordHash,
    oauthProvider: fields.oauthProvider,
    phone: null,
    phoneVerified: false,
    mfa: { sms: null, totp: null, pendingTotp: null },
    recoveryCodes: null,
    credentialsVersion: 1,
    createdAt: ctx.deps.clock.now(),
  };
  try {
    await repositoriesOf(ctx.deps.store).users.insert(user);
  } catch (error) {
    if ((error as { code?: number }).code === 11000) throw new AppError('EMAIL_TAKEN');
    throw error;
  }
  return user;
}

export async function findUser(ctx: Context, userId: string): Promise<UserDoc | null> {
  return repositoriesOf(ctx.deps.store).users.find(ctx.req.tenant.realm, userId);
}

/** The second factors a user can answer a challenge with, in the order they are offered. */
export function mfaMethodsOf(user: UserDoc): MfaMethod[] {
  const methods: MfaMethod[] = [];
  if (user.mfa.sms && user.phone) methods.push('sms');
  if (user.mfa.totp) methods.push('totp');
  if (methods.length > 0 && (user.recoveryCodes?.hashes.length ?? 0) > 0) methods.push('recovery_code');
  return methods;
}

/** The public view of a user (`GET /v1/auth/me`). */
export function publicUser(user: UserDoc) {
  return {
    id: user._id,
    email: user.email,
    phone: user.phone,
    phoneVerified: user.phoneVerified,
    mfa: { sms: user.mfa.sms !== null, totp: user.mfa.totp !== null },
    recoveryCodesRemaining: user.mfa.sms || user.mfa.totp ? (user.recoveryCodes?.hashes.length ?? 0) : 0,
    hasPassword: user.passwordHash !== null,
    oauthProvider: user.oauthProvider,
  };
}
