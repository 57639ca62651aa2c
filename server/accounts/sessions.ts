import { hmac, randomToken } from '../crypto.ts';
import type { Context } from '../context.ts';
import { AppError } from '../errors.ts';
import type { UserDoc } from '../store/documents.ts';
import { repositoriesOf } from '../store/index.ts';
import { issuerFor } from '../tenants/model.ts';
import { ACCESS_TOKEN_TTL_SECONDS } from './tokens.ts';

/** A refresh token lives 30 days; each use replaces it. */
export const REFRESH_TOKEN_TTL_MS = 30 * 86_400_000;

export interface Tokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

export function issuerOf(ctx: Context): string {
  return issuerFor(ctx.deps.config, ctx.req.tenant.label);
}

/** Starts a session (a refresh-token family) for a user who just proved `amr`. */
export async function startSession(ctx: Context, user: UserDoc, amr: string[]): Promise<Tokens> {
  const now = ctx.deps.clock.now();
  const mfa = amr.some((method) => method !== 'pwd' && method !== 'fed' && method !== 'admin');
  return createSessionRecord(ctx, {
    userId: user._id,
    familyId: `fam_${randomToken(12)}`,
    amr,
    authTime: now,
    mfaTime: mfa ? now : null,
  });
}

interface SessionSeed {
  userId: string;
  familyId: string;
  amr: string[];
  authTime: Date;
  mfaTime: Date | null;
}

async function createSessionRecord(ctx: Context, seed: SessionSeed): Promise<Tokens> {
  const { store, clock, keys, tokens } = ctx.deps;
  const now = clock.now();
  const refreshToken = `rt_${randomToken(32)}`;
  await repositoriesOf(store).sessions.insert({
    _id: `ses_${randomToken(12)}`,
    realm: ctx.req.tenant.realm,
    userId: seed.userId,
    familyId: seed.familyId,
    tokenHash: hmac(keys.secret, refreshToken),
    amr: seed.amr,
    authTime: seed.authTime,
    mfaTime: seed.mfaTime,
    createdAt: now,
    expiresAt: new Date(now.getTime() + REFRESH_TOKEN_TTL_MS),
    rotatedAt: null,
    revokedAt: null,
    ip: ctx.req.ip,
    userAgent: ctx.req.userAgent,
  });
  const accessToken = await tokens.issue({
    issuer: issuerOf(ctx),
    tenantId: ctx.req.tenant.tenant._id,
    env: ctx.req.tenant.env,
    userId: seed.userId,
    amr: seed.amr,
    sessionId: seed.familyId,
    authTime: seed.authTime,
    mfaTime: seed.mfaTime,
  });
  return { accessToken, refreshToken, expiresIn: ACCESS_TOKEN_TTL_SECONDS };
}

/**
 * Rotates a refresh token. The old token is marked used by one atomic update, so of two
 * concurrent refreshes only one succeeds; presenting a used token again is treated as theft
 * and revokes the whole family.
 */
export async function rotateRefreshToken(ctx: Context, refreshToken: string): Promise<Tokens> {
  const { store, clock, keys } = ctx.deps;
  const { sessions, users } = repositoriesOf(store);
  const realm = ctx.req.tenant.realm;
  const now = clock.now();
  const tokenHash = hmac(keys.secret, refreshToken);
  const claimed = await sessions.claimForRotation(realm, tokenHash, now);
  if (!claimed) {
    const known = await sessions.findByTokenHash(realm, tokenHash);
    if (known && known.rotatedAt && !known.revokedAt) {
      await sessions.revokeFamily(known.familyId, now);
      ctx.deps.log.info('refresh token reuse: family revoked', { familyId: known.familyId, requestId: ctx.req.requestId });
    }
    throw new AppError('INVALID_REFRESH_TOKEN');
  }
  const user = await users.find(realm, claimed.userId);
  if (!user) throw new AppError('INVALID_REFRESH_TOKEN');
  return createSessionRecord(ctx, {
    userId: claimed.userId,
    familyId: claimed.familyId,
    amr: claimed.amr,
    authTime: claimed.authTime,
    mfaTime: claimed.mfaTime ?? null,
  });
}

/** Ends one session (by its refresh token or its family id). */
export async function endSession(ctx: Context, userId: string, familyId: string, refreshToken?: string): Promise<void> {
  const { store, clock, keys } = ctx.deps;
  const { sessions } = repositoriesOf(store);
  const by = refreshToken ? { tokenHash: hmac(keys.secret, refreshToken) } : { familyId };
  const session = await sessions.findOfUser(ctx.req.tenant.realm, userId, by);
  if (session) await sessions.revokeFamily(session.familyId, clock.now());
}

/** Ends every session of the user, but the family `except` when given (the one changing the password). */
export async function endAllSessions(ctx: Context, userId: string, except?: string): Promise<void> {
  await repositoriesOf(ctx.deps.store).sessions.revokeAllOfUser(ctx.req.tenant.realm, userId, ctx.deps.clock.now(), except);
}
