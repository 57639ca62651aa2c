import type { DeviceRevocationReason } from '../audit/events.ts';
import type { AuditOrigin, AuditSink } from '../audit/sink.ts';
import type { Clock } from '../clock.ts';
import type { RequestInfo } from '../context.ts';
import { TRUSTED_DEVICE_DAYS } from '../contract/rules.ts';
import { hmac, randomToken } from '../crypto.ts';
import type { AppDeps } from '../deps.ts';
import type { Realm, UserDoc } from '../store/documents.ts';
import { repositoriesOf } from '../store/index.ts';
import type { TrustedDeviceRepository } from '../store/trusted-devices.ts';

/**
 * Trusted devices: an opaque token in an HttpOnly cookie, stored as an HMAC, bound to one user of
 * one tenant environment and to the user's credentials version (a password change or "sign out
 * everywhere" bumps it, which retires every device at once). The functions return the cookies to
 * set; the procedure puts them on its response.
 */

/** The trusted-device cookie. */
export const DEVICE_COOKIE = 'mfa_device';
/** The cookie is scoped to the auth routes of both surfaces (REST and tRPC). */
const COOKIE_PATHS = ['/v1/auth', '/trpc'];
const TRUSTED_DEVICE_SECONDS = TRUSTED_DEVICE_DAYS * 86_400;

export interface DeviceDeps {
  trustedDevices: TrustedDeviceRepository;
  clock: Clock;
  secret: string;
  audit: AuditSink;
}

export function deviceDepsOf(deps: AppDeps): DeviceDeps {
  return { trustedDevices: repositoriesOf(deps.store).trustedDevices, clock: deps.clock, secret: deps.keys.secret, audit: deps.audit };
}

/** Where a cookie is set: its Secure flag follows the request. */
export type CookieScope = Pick<RequestInfo, 'hostname' | 'secure'>;

function deviceTokenHash(secret: string, token: string): string {
  return hmac(secret, `device:${token}`);
}

function cookieAttributes(scope: CookieScope, maxAge: number, path: string): string {
  // Browsers treat http://localhost as secure, but a Secure cookie set over plain HTTP on other
  // hosts is dropped; so Secure everywhere except a plain-HTTP local host.
  const local = scope.hostname === 'localhost' || scope.hostname.endsWith('.localhost') || scope.hostname === '127.0.0.1';
  const secure = scope.secure || !local ? '; Secure' : '';
  return `; Path=${path}; HttpOnly${secure}; SameSite=Lax; Max-Age=${maxAge}`;
}

/** Trusts the request's device for the user for 30 days; returns the cookies that carry its token. */
export async function trustDevice(deps: DeviceDeps, request: AuditOrigin & CookieScope, user: UserDoc): Promise<string[]> {
  const now = deps.clock.now();
  const token = `dev_${randomToken(32)}`;
  const deviceId = `dvc_${randomToken(12)}`;
  const expiresAt = new Date(now.getTime() + TRUSTED_DEVICE_SECONDS * 1000);
  await deps.trustedDevices.insert({
    _id: deviceId,
    realm: request.tenant.realm,
    userId: user._id,
    tokenHash: deviceTokenHash(deps.secret, token),
    credentialsVersion: user.credentialsVersion,
    userAgent: request.userAgent,
    ip: request.ip,
    createdAt: now,
    lastUsedAt: now,
    expiresAt,
    revokedAt: null,
  });
  await deps.audit.record(request, 'device.trusted', { deviceId, expiresAt: expiresAt.toISOString() }, { userId: user._id });
  return COOKIE_PATHS.map((path) => `${DEVICE_COOKIE}=${token}${cookieAttributes(request, TRUSTED_DEVICE_SECONDS, path)}`);
}

/** Whether `token` (the request's device cookie) is a live trusted device of this user; marks it used. */
export async function isTrustedDevice(deps: DeviceDeps, origin: AuditOrigin, user: UserDoc, token: string | undefined): Promise<boolean> {
  if (!token || token.length > 200) return false;
  const device = await deps.trustedDevices.touchLive(origin.tenant.realm, user, deviceTokenHash(deps.secret, token), deps.clock.now());
  if (!device) return false;
  await deps.audit.record(origin, 'device.used', { deviceId: device._id }, { userId: user._id });
  return true;
}

/**
 * The id of the live trusted device `token` names for this user, without marking it used (the
 * sign-in's failed-password limits are kept per device for its owner, before the password is checked).
 */
export async function liveDeviceIdOf(deps: DeviceDeps, realm: Realm, user: UserDoc, token: string | undefined): Promise<string | null> {
  if (!token || token.length > 200) return null;
  return (await deps.trustedDevices.findLive(realm, user, deviceTokenHash(deps.secret, token), deps.clock.now()))?._id ?? null;
}

/** The user's trusted devices, `current` marking the one whose token the request carries. */
export async function listDevices(deps: DeviceDeps, realm: Realm, user: UserDoc, currentToken: string | undefined) {
  const current = currentToken ? deviceTokenHash(deps.secret, currentToken) : null;
  const devices = await deps.trustedDevices.listLive(realm, user, deps.clock.now());
  return devices.map((device) => ({
    id: device._id,
    userAgent: device.userAgent,
    createdAt: device.createdAt.toISOString(),
    lastUsedAt: device.lastUsedAt.toISOString(),
    expiresAt: device.expiresAt.toISOString(),
    current: device.tokenHash === current,
  }));
}

export async function revokeDevice(deps: DeviceDeps, origin: AuditOrigin, userId: string, deviceId: string): Promise<boolean> {
  if (!(await deps.trustedDevices.revoke(origin.tenant.realm, userId, deviceId, deps.clock.now()))) return false;
  await deps.audit.record(origin, 'device.revoked', { deviceId, reason: 'user', count: 1 }, { userId });
  return true;
}

/** Revokes every trusted device of the user (a factor disabled, the password changed, signed out everywhere). */
export async function revokeAllDevices(deps: DeviceDeps, origin: AuditOrigin, userId: string, reason: Exclude<DeviceRevocationReason, 'user'>): Promise<void> {
  const count = await deps.trustedDevices.revokeAll(origin.tenant.realm, userId, deps.clock.now());
  if (count > 0) await deps.audit.record(origin, 'device.revoked', { deviceId: null, reason, count }, { userId });
}

/** The cookies that clear the device token on this browser. */
export function forgetDeviceCookies(scope: CookieScope): string[] {
  return COOKIE_PATHS.map((path) => `${DEVICE_COOKIE}=${cookieAttributes(scope, 0, path)}`);
}
