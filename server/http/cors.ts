import type { TenantContext } from '../tenants/model.ts';

const LOCAL_ORIGIN = /^http:\/\/(localhost|127\.0\.0\.1|\[::1\]|[a-z0-9-]+\.localhost)(:\d+)?$/i;

/**
 * Whether a browser page at `origin` may call this tenant environment. The tenant lists its
 * origins; a sandbox configured for local development (the demo tenant's, by default) also
 * accepts local origins (`http://localhost:*`, loopback, `http://*.localhost:*`), so a page served
 * on a laptop can use the components against it with no set-up. Other sandboxes do not: any
 * site's page can be served from a `*.localhost` name on the visitor's machine.
 */
export function originAllowed(tenant: TenantContext, origin: string): boolean {
  if (tenant.tenant.allowedOrigins.includes(origin)) return true;
  return tenant.env === 'sandbox' && tenant.tenant.localDevelopment === true && LOCAL_ORIGIN.test(origin);
}

/** Whether the Origin is the API's own (the demo, or a same-site reverse proxy): same scheme, host and port. */
export function sameOrigin(origin: string, host: string | undefined, secure: boolean): boolean {
  if (!host) return false;
  try {
    return new URL(origin).origin === new URL(`${secure ? 'https' : 'http'}://${host}`).origin;
  } catch {
    return false;
  }
}

export const CORS_ALLOWED_HEADERS = 'Content-Type, Authorization, X-Aldero-Tenant, X-Request-Id, trpc-accept';
export const CORS_EXPOSED_HEADERS = 'Retry-After, X-Request-Id';
