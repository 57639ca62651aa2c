import type { AppDeps } from '../../deps.ts';
import { openApiDocumentFor } from './document.ts';
import { tenantLabelFromRequest } from '../../tenants/model.ts';
import { sendJson } from '../respond.ts';
import type { Exchange } from '../route.ts';

/**
 * `GET /v1/openapi.json` on every host (./document.ts builds it): on a tenant host
 * (or with X-Aldero-Tenant) the document names that environment as its server, and an unknown
 * tenant is a 404 TENANT_NOT_FOUND as on any tenant route; on the apex host it names the tenant
 * host as a template. Public, cacheable, readable from any origin (API tools load it).
 */
export async function serveOpenApiDocument(deps: AppDeps, { res, headers }: Exchange): Promise<void> {
  const label = tenantLabelFromRequest(headers.host, headers['x-aldero-tenant'], deps.config.domain);
  if (label) await deps.tenants.resolve(label);
  sendJson(res, 200, openApiDocumentFor(deps.config, label ? label.toLowerCase() : null), {
    'cache-control': 'public, max-age=300',
    'access-control-allow-origin': '*',
  });
}
