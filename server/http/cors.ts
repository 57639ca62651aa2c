import type { TenantContext } from '../tenants/model.ts';

const LOCAL_ORIGIN = /^http:\/\/(localhost|127\.0\.0\.1|\[::1\]|[a-z0-9-]+\.localhost)(:\d+)?$/i;

/**
 * Whether a browser page at `origin` may call this tenant environment. The tenant lists its
 * origins; every sandbox also accepts local development origins (`http://localhost:*`), so a page
 * served on a laptop can use the components against the sandbox with no set-up.
 */
export function originAllowed(tenant: TenantContext, origin: string): boolean {
  if (tenant.tenant.allowedOrigins.includes(origin)) return true;
  return tenant.env === 'sandbox' && LOCAL_ORIGIN.test(origin);
}

/** Whether the Origin is the API's own (the demo, or a same-site reverse proxy). */
export function sameOrigin(origin: string, host: string | undefined): boolean {
  if (!host) return false;
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

export const CORS_ALLOWED_HEADERS = 'Content-Type, Authorization, X-Aldero-Tenant, X-Request-Id, trpc-accept';
export const CORS_EXPOSED_HEADERS = 'Retry-After, X-Request-Id';
