/**
 * The route template of a request, for the access log and the request metrics: a bounded set of
 * names (`POST /v1/auth/mfa/sms/setup`, `trpc mfa.verify`, `static`), never the raw path, which
 * may hold ids, tokens or a phone number.
 */
import { AUDIT_EXPORT_PATH } from '../audit/export.ts';
import { isApiDocsPath } from './openapi/docs.ts';
import { procedures } from './dispatch.ts';
import { ELEMENTS_ROUTE } from './elements.ts';
import { restRoutes } from './rest.ts';

const FIXED = new Set(['/healthz', '/readyz', '/metrics', '/demo-config.json', '/.well-known/jwks.json', '/v1/openapi.json', AUDIT_EXPORT_PATH]);
const API_PREFIXES = ['/v1/', '/trpc/', '/.well-known/'];

/** `^/v1/users/([^/]+)$` with params `[id]` → `/v1/users/{id}`. */
function templateOf(pattern: RegExp, params: readonly string[]): string {
  let index = 0;
  return pattern.source
    .replace(/^\^|\$$/g, '')
    .replace(/\(\[\^\/\]\+\)/g, () => `{${params[index++] ?? 'param'}}`)
    .replace(/\\(.)/g, '$1');
}

const REST = restRoutes().map((route) => ({ method: route.method, pattern: route.pattern, label: `${route.method} ${templateOf(route.pattern, route.params)}` }));

export function routeLabel(method: string, path: string): string {
  if (FIXED.has(path)) return path;
  if (path.startsWith('/trpc/')) {
    const names = path.slice('/trpc/'.length).split(',');
    if (names.length > 1) return 'trpc (batch)';
    return procedures.has(names[0]!) ? `trpc ${names[0]}` : 'trpc (unknown procedure)';
  }
  for (const route of REST) if (route.method === method && route.pattern.test(path)) return route.label;
  if (/^\/v1\/webhooks\/telnyx(?:\/[a-z0-9-]+)?$/.test(path)) return path === '/v1/webhooks/telnyx' ? path : '/v1/webhooks/telnyx/{slug}';
  if (ELEMENTS_ROUTE.test(path)) return '/v1/elements/{file}';
  if (isApiDocsPath(path)) return 'api docs';
  if (!API_PREFIXES.some((prefix) => path.startsWith(prefix))) return 'static';
  return 'unmatched';
}
