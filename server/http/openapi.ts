import { generateOpenApiDocument, type OpenAPIObject } from 'trpc-to-openapi';
import type { AppDeps } from '../deps.ts';
import { appRouter } from '../router.ts';
import { issuerFor, type TenantContext } from '../tenants/model.ts';

const documents = new Map<string, OpenAPIObject>();

/** The REST surface as OpenAPI 3.1, generated from the procedures; one document per tenant host. */
export function openApiDocument(deps: AppDeps, tenant: TenantContext): OpenAPIObject {
  const baseUrl = issuerFor(deps.config, tenant.label);
  let document = documents.get(baseUrl);
  if (!document) {
    document = generateOpenApiDocument(appRouter, {
      title: 'Aldero SMS MFA',
      description:
        'Errors answer `{ "error": CODE, "message": "...", ...context }` with the status of the code (see the guide). ' +
        'Admin and sandbox routes take the tenant admin key as a Bearer token; user routes take the access token.',
      version: '1.0.0',
      baseUrl,
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    });
    documents.set(baseUrl, document);
  }
  return document;
}
