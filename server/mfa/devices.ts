import type { DeviceRevocationReason } from '../audit/events.ts';
import { recordEvent } from '../audit/record.ts';
import { hmac, randomToken } from '../crypto.ts';
import type { Context } from '../context.ts';
import type { UserDoc } from '../store/documents.ts';
import { DEVICE_COOKIE, TRUSTED_DEVICE_TTL_SECONDS } from './rules.ts';

/**
 * Trusted devices: an opaque token in an HttpOnly cookie, stored as an HMAC, bound to one user of
 * one tenant environment and to the user's credentials version (a password change or "sign out
 * everywhere" bumps it, which retires every device at once).
 */

/** The cookie is scoped to the auth routes of both surfaces (REST and tRPC). */
const COOKIE_PATHS = ['/v1/auth', '/trpc'];

function deviceTokenHash(ctx: Context, token: string): string {
  return hmac(ctx.deps.keys.secret, `device:${token}`);
}

function cookieAttributes(ctx: Context, maxAge: number, path: string): string {
  // Browsers treat http://localhost as secure, but a Secure cookie set over plain HTTP on other
  // hosts is dropped; so Secure everywhere except a plain-HTTP local host.
  const local = ctx.req.hostname === 'localhost' || ctx.req.hostname.endsWith('.localhost') || ctx.req.hostname === '127.0.0.1';
  const secure = ctx.req.secure || !local ? '; Secure' : '';
  return `; Path=${path}; HttpOnly${secure}; SameSite=Lax; Max-Age=${maxAge}`;
}

export async function trustDevice(ctx: Context, user: UserDoc): Promise<void> {
  const { store, clock } = ctx.deps;
  const now = clock.now();
  const token = `dev_${randomToken(32)}`;
  const deviceId = `dvc_${randomToken(12)}`;
  const expiresAt = new Date(now.getTime() + TRUSTED_DEVICE_TTL_SECONDS * 1000);
  await store.trustedDevices.insertOne({
    _id: deviceId,
    realm: ctx.req.tenant.realm,
    userId: user._id,
    tokenHash: deviceTokenHash(ctx, token),
    credentialsVersion: user.credentialsVersion,
    userAgent: ctx.req.userAgent,
    ip: ctx.req.ip,
    createdAt: now,
    lastUsedAt: now,
    expiresAt,
    revokedAt: null,
  });
  for (const path of COOKIE_PATHS) {
    ctx.res.cookies.push(`${DEVICE_COOKIE}=${token}${cookieAttributes(ctx, TRUSTED_DEVICE_TTL_SECONDS, path)}`);
  }
  await recordEvent(ctx, 'device.trusted', { deviceId, expiresAt: expiresAt.toISOString() }, { userId: user._id });
}

/** Whether the request carries a live trusted-device cookie of this user; marks it used. */
export async function isTrustedDevice(ctx: Context, user: UserDoc): Promise<boolean> {
  const token = ctx.req.cookies[DEVICE_COOKIE];
  if (!token || token.length > 200) return false;
  const now = ctx.deps.clock.now();
  const device = await ctx.deps.store.trustedDevices.findOneAndUpdate(
    {
      tokenHash: deviceTokenHash(ctx, token),
      realm: ctx.req.tenant.realm,
      userId: user._id,
      credentialsVersion: user.credentialsVersion,
      revokedAt: null,
      expiresAt: { $gt: now },
    },
    { $set: { lastUsedAt: now } },
  );
  if (!device) return false;
  await recordEvent(ctx, 'device.used', { deviceId: device._id }, { userId: user._id });
  return true;
}

export function currentDeviceHash(ctx: Context): string | null {
  const token = ctx.req.cookies[DEVICE_COOKIE];
  return token ? deviceTokenHash(ctx, token) : null;
}

export async function listDevices(ctx: Context, user: UserDoc) {
  const now = ctx.deps.clock.now();
  const current = currentDeviceHash(ctx);
  const devices = await ctx.deps.store.trustedDevices
    .find({ realm: ctx.req.tenant.realm, userId: user._id, revokedAt: null, expiresAt: { $gt: now }, credentialsVersion: user.credentialsVersion })
    .sort({ createdAt: -1 })
    .limit(100)
    .toArray();
  return devices.map((device) => ({
    id: device._id,
    userAgent: device.userAgent,
    createdAt: device.createdAt.toISOString(),
    lastUsedAt: device.lastUsedAt.toISOString(),
    expiresAt: device.expiresAt.toISOString(),
    current: device.tokenHash === current,
  }));
}

export async function revokeDevice(ctx: Context, userId: string, deviceId: string): Promise<boolean> {
  const result = await ctx.deps.store.trustedDevices.updateOne(
    { _id: deviceId, realm: ctx.req.tenant.realm, userId, revokedAt: null },
    { $set: { revokedAt: ctx.deps.clock.now() } },
  );
  if (result.modifiedCount !== 1) return false;
  await recordEvent(ctx, 'device.revoked', { deviceId, reason: 'user', count: 1 }, { userId });
  return true;
}

/** Revokes every trusted device of the user (a factor disabled, the password changed, signed out everywhere). */
export async function revokeAllDevices(ctx: Context, userId: string, reason: Exclude<DeviceRevocationReason, 'user'>): Promise<void> {
  const result = await ctx.deps.store.trustedDevices.updateMany(
    { realm: ctx.req.tenant.realm, userId, revokedAt: null },
    { $set: { revokedAt: ctx.deps.clock.now() } },
  );
  if (result.modifiedCount > 0) await recordEvent(ctx, 'device.revoked', { deviceId: null, reason, count: result.modifiedCount }, { userId });
}

/** Clears the cookie on this browser. */
export function forgetDeviceCookie(ctx: Context): void {
  for (const path of COOKIE_PATHS) ctx.res.cookies.push(`${DEVICE_COOKIE}=${cookieAttributes(ctx, 0, path)}`);
}
