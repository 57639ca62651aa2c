import { createHmac } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import type { Config } from '../config.ts';
import type { Context } from '../context.ts';
import { decrypt, encrypt, randomToken, safeEqual } from '../crypto.ts';
import { AppError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { Env, NotificationWebhookSettings } from '../store/documents.ts';
import { repositoriesOf, type Store } from '../store/index.ts';
import type { AuditEventDoc } from './events.ts';
import { JobQueue, nudgeJobWorker, type JobDoc, type JobHandler, type JobOutcome } from '../queue/jobs.ts';

/**
 * Credential-change notifications (OWASP ASVS 5.0 §6.3.7): when a factor is added or removed,
 * recovery codes are regenerated or used, a device is trusted or the password changes, the
 * tenant's webhook is told, so the tenant can tell the user ("was this you?"). The request only
 * queues a job; the job outbox delivers it, signed, retried with backoff.
 *
 * Signature: `Aldero-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`,
 * computed at each attempt; `Aldero-Event-Id` is the same on every attempt (deduplicate on it).
 */

export const NOTIFICATION_JOB = 'credential_notification';
const SECRET_PURPOSE = 'notification-webhook-secret';
export const SIGNATURE_HEADER = 'aldero-signature';
/** A receiver should refuse a signature older than this (replay). */
export const SIGNATURE_TOLERANCE_SECONDS = 300;

export type NotificationType =
  | 'mfa.factor_added'
  | 'mfa.factor_removed'
  | 'mfa.recovery_codes_regenerated'
  | 'mfa.recovery_code_used'
  | 'mfa.factor_locked'
  | 'mfa.factor_unlocked'
  | 'device.trusted'
  | 'password.changed';

/** The notification an audit event calls for, if any: the one table of what counts as a credential change. */
export function notificationFor(event: AuditEventDoc): { type: NotificationType; data: Record<string, unknown> } | null {
  switch (event.type) {
    case 'mfa.sms.enrolled':
      return { type: 'mfa.factor_added', data: { factor: 'sms', maskedPhone: event.payload.maskedPhone } };
    case 'mfa.totp.enrolled':
      return { type: 'mfa.factor_added', data: { factor: 'totp' } };
    case 'mfa.sms.disabled':
      return { type: 'mfa.factor_removed', data: { factor: 'sms', maskedPhone: event.payload.maskedPhone } };
    case 'mfa.totp.disabled':
      return { type: 'mfa.factor_removed', data: { factor: 'totp' } };
    case 'mfa.recovery_codes.generated':
      // Codes issued with a first factor are part of `mfa.factor_added`.
      return event.payload.reason === 'regenerated' ? { type: 'mfa.recovery_codes_regenerated', data: { count: event.payload.count } } : null;
    case 'mfa.recovery_code.used':
      return { type: 'mfa.recovery_code_used', data: { remaining: event.payload.remaining } };
    case 'mfa.factor.locked':
      return { type: 'mfa.factor_locked', data: { consecutiveFailures: event.payload.consecutiveFailures } };
    case 'mfa.factor.unlocked':
      return { type: 'mfa.factor_unlocked', data: { by: event.payload.by } };
    case 'device.trusted':
      return { type: 'device.trusted', data: { deviceId: event.payload.deviceId, expiresAt: event.payload.expiresAt } };
    case 'user.password_changed':
      return { type: 'password.changed', data: {} };
    default:
      return null;
  }
}

export function webhookOf(tenant: { notificationWebhooks?: Partial<Record<Env, NotificationWebhookSettings>> }, env: Env): NotificationWebhookSettings | null {
  return tenant.notificationWebhooks?.[env] ?? null;
}

/** Queues the notification of a credential-change event, when the tenant environment has a webhook. */
export async function enqueueCredentialNotification(ctx: Context, event: AuditEventDoc): Promise<void> {
  const { tenant, env, realm } = ctx.req.tenant;
  if (!webhookOf(tenant, env) || !event.userId) return;
  const notification = notificationFor(event);
  if (!notification) return;
  const email = await repositoriesOf(ctx.deps.store).users.email(realm, event.userId);
  const id = `ntf_${event._id}`;
  const body = JSON.stringify({
    id,
    type: notification.type,
    createdAt: event.time.toISOString(),
    tenant: tenant.slug,
    environment: env,
    user: { id: event.userId, email },
    data: notification.data,
    context: { ip: event.ip, userAgent: event.userAgent, auditEventId: event._id },
  });
  await new JobQueue(ctx.deps.store).enqueue(NOTIFICATION_JOB, realm, { id, type: notification.type, body });
  nudgeJobWorker(ctx.deps.store);
}

export function signNotification(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/** The check a receiver makes (also in the README): right HMAC, and not older than the tolerance. */
export function verifyNotificationSignature(secret: string, header: string | undefined, body: string, nowSeconds = Math.floor(Date.now() / 1000)): boolean {
  if (!header) return false;
  const parts = new Map(header.split(',').map((part) => part.trim().split('=', 2) as [string, string]));
  const timestamp = Number(parts.get('t'));
  const signature = parts.get('v1');
  if (!Number.isInteger(timestamp) || !signature) return false;
  if (Math.abs(nowSeconds - timestamp) > SIGNATURE_TOLERANCE_SECONDS) return false;
  return safeEqual(signNotification(secret, timestamp, body), signature);
}

// Where a production webhook may not point: this host and private networks (SSRF).
const PRIVATE_NETWORKS = new BlockList();
for (const [network, prefix] of [['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16], ['172.16.0.0', 12], ['192.168.0.0', 16]] as const) {
  PRIVATE_NETWORKS.addSubnet(network, prefix, 'ipv4');
}
for (const [network, prefix] of [['::1', 128], ['::', 128], ['fc00::', 7], ['fe80::', 10]] as const) PRIVATE_NETWORKS.addSubnet(network, prefix, 'ipv6');

/**
 * A webhook URL a tenant may set: http(s), no credentials in it; in production https only and not
 * a loopback or private address written as such (names are not resolved here).
 */
export function parseWebhookUrl(value: string, production: boolean): URL {
  const refuse = (message: string): never => {
    throw new AppError('VALIDATION_ERROR', { issues: [{ path: 'notificationWebhook.url', message }] }, `notificationWebhook.url: ${message}`);
  };
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return refuse('Not a URL');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') refuse('Use an https:// URL');
  if (url.username || url.password) refuse('Credentials do not belong in the URL: verify the signature instead');
  if (production) {
    if (url.protocol !== 'https:') refuse('Use an https:// URL');
    const host = url.hostname.replace(/^\[|\]$/g, '');
    const family = isIP(host);
    if (host === 'localhost' || host.endsWith('.localhost') || (family !== 0 && PRIVATE_NETWORKS.check(host, family === 6 ? 'ipv6' : 'ipv4'))) {
      refuse('The URL must reach a public host');
    }
  }
  return url;
}

/** The URL as the audit trail and the admin API show it: no query string (it may hold a token). */
export function displayUrl(value: string): string {
  const url = new URL(value);
  return `${url.origin}${url.pathname}`;
}

/**
 * Sets, replaces or removes the webhook of this tenant environment. A new webhook (or
 * `rotateSecret`) gets a new signing secret, returned here once and kept sealed.
 */
export async function configureNotificationWebhook(
  ctx: Context,
  input: { url: string; rotateSecret?: boolean } | null,
): Promise<{ secret: string | null }> {
  const { tenant, env } = ctx.req.tenant;
  const now = ctx.deps.clock.now();
  if (input === null) {
    await repositoriesOf(ctx.deps.store).tenants.clearNotificationWebhook(tenant._id, env);
    ctx.deps.tenants.forget(tenant.slug);
    return { secret: null };
  }
  const url = parseWebhookUrl(input.url, ctx.deps.config.production).toString();
  const current = (await repositoriesOf(ctx.deps.store).tenants.findById(tenant._id))?.notificationWebhooks?.[env] ?? null;
  const secret = current && !input.rotateSecret ? null : `whsec_${randomToken(32)}`;
  const settings: NotificationWebhookSettings = {
    url,
    secretSealed: secret ? encrypt(ctx.deps.keys.secret, SECRET_PURPOSE, secret) : current!.secretSealed,
    createdAt: current?.createdAt ?? now,
    updatedAt: now,
  };
  await repositoriesOf(ctx.deps.store).tenants.setNotificationWebhook(tenant._id, env, settings);
  ctx.deps.tenants.forget(tenant.slug);
  return { secret };
}

export interface NotificationDeps {
  store: Store;
  keys: { secret: string };
  config: Config;
  log: Logger;
}

/** Delivers one notification job: the current URL and secret of its tenant environment, a fresh signature. */
export function notificationHandler(deps: NotificationDeps, timeoutMs = 10_000): JobHandler {
  return async (job: JobDoc): Promise<JobOutcome> => {
    const split = job.realm.lastIndexOf('/');
    const tenantId = job.realm.slice(0, split);
    const env = job.realm.slice(split + 1) as Env;
    const tenant = await repositoriesOf(deps.store).tenants.findById(tenantId);
    const hook = tenant ? webhookOf(tenant, env) : null;
    if (!hook) return { kind: 'dropped', error: 'webhook_removed' };
    let url: URL;
    try {
      url = parseWebhookUrl(hook.url, deps.config.production);
    } catch {
      return { kind: 'dropped', error: 'webhook_url_refused' };
    }
    const body = String(job.payload.body);
    const timestamp = Math.floor(Date.now() / 1000);
    const signature = signNotification(decrypt(deps.keys.secret, SECRET_PURPOSE, hook.secretSealed), timestamp, body);
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'Aldero-Webhooks/1',
          [SIGNATURE_HEADER]: `t=${timestamp},v1=${signature}`,
          'aldero-event-id': String(job.payload.id),
          'aldero-event-type': String(job.payload.type),
          'aldero-delivery-attempt': String(job.attempts),
        },
        body,
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      await response.body?.cancel().catch(() => {});
      if (response.status >= 200 && response.status < 300) return { kind: 'done' };
      const retryAfter = Number(response.headers.get('retry-after'));
      return { kind: 'retry', error: `http_${response.status}`, retryAfterMs: Number.isFinite(retryAfter) && retryAfter > 0 ? Math.min(retryAfter, 3600) * 1000 : null };
    } catch (error) {
      return { kind: 'retry', error: `network: ${(error as Error).name}` };
    }
  };
}
