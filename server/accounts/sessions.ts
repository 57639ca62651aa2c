import { decrypt, encrypt, hmac, randomToken } from '../crypto.ts';
import type { Context } from '../context.ts';
import { AppError } from '../errors.ts';
import type { SessionDoc, UserDoc } from '../store/documents.ts';
import { repositoriesOf } from '../store/index.ts';
import { issuerFor } from '../tenants/model.ts';
import { ACCESS_TOKEN_TTL_SECONDS } from './tokens.ts';

/** A refresh token lives 30 days; each use replaces it. */
export const REFRESH_TOKEN_TTL_MS = 30 * 86_400_000;

/**
 * A refresh token presented again within this many seconds of its rotation answers the same
 * successor (parallel refreshes of one tab, a retry after a lost answer), as Okta and Auth0 allow;
 * after it, a reuse is theft and revokes the family. `ALDERO_REFRESH_GRACE_SECONDS` overrides it.
 */
export const REFRESH_REUSE_GRACE_SECONDS = 10;
/** How long a grace answer waits for the winner to store the successor it named. */
const SUCCESSOR_WAIT_MS = 5_000;

/** The `amr` values of a code check: SMS, TOTP (`otp`, RFC 8176) and a recovery code (`rc`). */
const FRESH_MFA_METHODS = new Set(['sms', 'otp', 'rc']);

export interface Tokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

export function issuerOf(ctx: Context): string {
  return issuerFor(ctx.deps.config, ctx.req.tenant.label);
}

/** Starts a session (a refresh-token family) for a user who just proved `amr`. */
export async function startSession(ctx: Context, user: Pick<UserDoc, '_id'>, amr: string[]): Promise<Tokens> {
  const now = ctx.deps.clock.now();
  // Only a code checked now is a fresh MFA: a trusted-device cookie (`device`) remembers an
  // earlier one, and must not unlock what needs a fresh MFA (regenerating recovery codes).
  const mfa = amr.some((method) => FRESH_MFA_METHODS.has(method));
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

function newRefreshToken(): string {
  return `rt_${randomToken(32)}`;
}

async function createSessionRecord(ctx: Context, seed: SessionSeed, refreshToken = newRefreshToken()): Promise<Tokens> {
  const { store, clock, keys } = ctx.deps;
  const now = clock.now();
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
  return { accessToken: await accessTokenFor(ctx, seed), refreshToken, expiresIn: ACCESS_TOKEN_TTL_SECONDS };
}

function accessTokenFor(ctx: Context, seed: SessionSeed): Promise<string> {
  return ctx.deps.tokens.issue({
    issuer: issuerOf(ctx),
    tenantId: ctx.req.tenant.tenant._id,
    env: ctx.req.tenant.env,
    userId: seed.userId,
    amr: seed.amr,
    sessionId: seed.familyId,
    authTime: seed.authTime,
    mfaTime: seed.mfaTime,
  });
}

function graceSecondsOf(ctx: Context): number {
  return ctx.deps.config.refreshGraceSeconds ?? REFRESH_REUSE_GRACE_SECONDS;
}

/**
 * The answer to a refresh token rotated a moment ago (within the grace window): the successor
 * its rotation named, once the winner has stored it and while it is live; null otherwise.
 */
async function graceAnswer(ctx: Context, known: SessionDoc): Promise<Tokens | null> {
  const { clock, keys } = ctx.deps;
  const { sessions } = repositoriesOf(ctx.deps.store);
  if (!known.rotatedAt || !known.successorSealed) return null;
  if (clock.now().getTime() - known.rotatedAt.getTime() > graceSecondsOf(ctx) * 1000) return null;
  const successorToken = decrypt(keys.secret, 'refresh-successor', known.successorSealed);
  const successorHash = hmac(keys.secret, successorToken);
  const deadline = Date.now() + SUCCESSOR_WAIT_MS;
  for (;;) {
    // One read decides: live (answered), ended since (a logout: null), or not stored yet (the
    // winner is between its claim and its insert: wait). Two reads (live? then stored?) let the
    // winner's insert land between them, and its live successor was taken for an ended one.
    const successor = await sessions.findByTokenHash(known.realm, successorHash);
    if (successor && !successor.revokedAt && successor.expiresAt > clock.now()) {
      return { accessToken: await accessTokenFor(ctx, successor), refreshToken: successorToken, expiresIn: ACCESS_TOKEN_TTL_SECONDS };
    }
    if (successor || Date.now() > deadline) return null;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/**
 * Rotates a refresh token. The old token is marked used, naming its successor, by one atomic
 * update, so of concurrent refreshes only one creates a successor; the others, within the grace
 * window, answer the same successor. Presenting a used token after the window is treated as
 * theft and revokes the whole family.
 */
export async function rotateRefreshToken(ctx: Context, refreshToken: string): Promise<Tokens> {
  const { store, clock, keys } = ctx.deps;
  const { sessions, users } = repositoriesOf(store);
  const realm = ctx.req.tenant.realm;
  const now = clock.now();
  const tokenHash = hmac(keys.secret, refreshToken);
  const successorToken = newRefreshToken();
  const claimed = await sessions.claimForRotation(realm, tokenHash, now, encrypt(keys.secret, 'refresh-successor', successorToken));
  if (!claimed) {
    const known = await sessions.findByTokenHash(realm, tokenHash);
    if (known && known.rotatedAt && !known.revokedAt) {
      const answer = await graceAnswer(ctx, known);
      if (answer) return answer;
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
  }, successorToken);
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
