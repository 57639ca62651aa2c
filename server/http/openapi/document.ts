import { z } from 'zod';
import { AUDIT_EXPORT_PATH } from '../../audit/export.ts';
import { auditFilterInput } from '../../audit/query.ts';
import { ERROR_CODES, type AppErrorCode } from '../../contract/index.ts';
import { platformProcedure } from '../../platform/router.ts';
import { adminProcedure, inboxProcedure, userProcedure } from '../../procedures.ts';
import { issuerFor } from '../../tenants/model.ts';
import type { Meta } from '../../trpc.ts';
import { builtOn, procedures } from '../dispatch.ts';
import {
  CREDENTIAL_ERRORS,
  byStatus,
  errorBodySchema,
  errorSchemaName,
  ROUTE_ERRORS,
  TENANT_ROUTE_ERRORS,
} from './errors.ts';
import { errorExample, guideIntroduction, OPERATION_EXAMPLES } from './guide.ts';

/**
 * The OpenAPI 3.1 document of the REST surface, generated from what the server runs: each
 * procedure's `openapi` meta (method, path, summary), its zod input and output (the same
 * schemas that validate requests and shape answers), its credential (read from the middlewares
 * it is built on), its success status (`successStatus`) and the codes it can answer (`errors`,
 * with their statuses from the one error table), plus the refusals every route can answer.
 */

export type JsonSchema = Record<string, unknown>;
export type OpenApiDocument = Record<string, unknown> & { paths: Record<string, Record<string, OperationObject>> };
export interface OperationObject {
  operationId: string;
  /** The procedure behind a REST route (absent on the routes that are not procedures: JWKS, this document, the audit export). */
  'x-trpc-procedure'?: string;
  security?: Record<string, string[]>[];
  parameters?: Record<string, unknown>[];
  requestBody?: Record<string, unknown>;
  responses: Record<string, ResponseObject>;
  [key: string]: unknown;
}
export interface ResponseObject {
  description: string;
  headers?: Record<string, unknown>;
  content?: Record<string, { schema: JsonSchema; example?: unknown; examples?: Record<string, { value: unknown; summary?: string }> }>;
}

/** Who may call a procedure: read from the procedure builders it is made from. */
export type Credential = 'none' | 'accessToken' | 'adminKey' | 'platformKey';

/** One procedure as the document sees it. */

export interface DocumentedProcedure {
  path: string;
  type: string;
  meta: Meta;
  input: z.ZodType | undefined;
  output: z.ZodType | undefined;
  credential: Credential;
}

/** The procedure builders that add a credential check, by the scheme that documents it. */
const CREDENTIAL_BUILDERS: [Credential, unknown][] = [
  ['accessToken', userProcedure],
  ['adminKey', adminProcedure],
  // The sandbox inbox: any admin key of the environment, or one scoped `sandbox-inbox`.
  ['adminKey', inboxProcedure],
  ['platformKey', platformProcedure],
];

/** Every procedure with a REST route (`meta.openapi`), from the HTTP layer's one view of the router. */
export function documentedProcedures(): DocumentedProcedure[] {
  const out: DocumentedProcedure[] = [];
  for (const { path, type, meta, inputs, output } of procedures.values()) {
    if (!meta?.openapi) continue;
    const credential = CREDENTIAL_BUILDERS.find(([, builder]) => builtOn(path, builder))?.[0] ?? 'none';
    out.push({ path, type, meta, input: inputs[0] as z.ZodType | undefined, output: output as z.ZodType | undefined, credential });
  }
  return out;
}

/** Procedures whose success may set the `mfa_device` cookie (trusting a device, or forgetting it). */
const SETS_DEVICE_COOKIE = new Set(['auth.mfa.verify', 'auth.logout']);

/** Whether a route is served on tenant hosts (all but the platform API, which is the apex host's). */
function isTenantRoute(path: string): boolean {
  return !/^\/v1\/platform(?:\/|$)/.test(path);
}

/** Every code a procedure's route can answer: its own, its credential's, and every route's. */
export function errorsOf(procedure: DocumentedProcedure): AppErrorCode[] {
  const own = procedure.meta.errors ?? [];
  const tenantRoute = isTenantRoute(procedure.meta.openapi!.path);
  return [
    ...new Set<AppErrorCode>([
      ...ROUTE_ERRORS,
      ...(tenantRoute ? TENANT_ROUTE_ERRORS : []),
      ...CREDENTIAL_ERRORS[procedure.credential],
      ...own,
    ]),
  ];
}

function jsonSchemaOf(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, target: 'draft-2020-12', unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

function operationIdOf(procedurePath: string): string {
  return procedurePath.replace(/\.(\w)/g, (_match, letter: string) => letter.toUpperCase());
}

const SECURITY_SCHEMES = {
  accessToken: {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: "The user's access token (from signup, login, verify or refresh), `Authorization: Bearer <accessToken>`. Verify it yourself with `/.well-known/jwks.json`.",
  },
  adminKey: {
    type: 'http',
    scheme: 'bearer',
    description: "A tenant admin key, `Authorization: Bearer <key>`: from your back end only, never from a browser. A key is scoped to both environments, one of them, or (`sandbox-inbox`) to reading the sandbox inbox only.",
  },
  platformKey: {
    type: 'http',
    scheme: 'bearer',
    description: "The operator's platform key (`ALDERO_PLATFORM_KEY`), on the apex host, for `/v1/platform/*`.",
  },
} as const;

const HEADERS = {
  XRequestId: { description: 'The id of this request, in the server log too; quote it when reporting a problem.', required: true, schema: { type: 'string', minLength: 1 } },
  RetryAfter: {
    description: 'Seconds to wait before trying again; sent whenever the body has `retryAfterSeconds` (the same value). A refusal that waiting does not lift (the 4th send of a challenge, a 6th wrong code) has none.',
    schema: { type: 'string', pattern: '^[1-9][0-9]*$' },
  },
  Allow: { description: 'The methods this path answers.', required: true, schema: { type: 'string' } },
  SetDeviceCookie: {
    description: '`mfa_device=<opaque>; HttpOnly; Secure; SameSite=Lax; Max-Age=2592000` when the device is trusted (verify with `trustDevice: true`), or the same cookie expired when it is forgotten (sign out everywhere).',
    schema: { type: 'string' },
  },
};

const TENANT_PARAMETER = {
  name: 'X-Aldero-Tenant',
  in: 'header',
  required: false,
  description: 'The tenant environment (`acme`, `acme-sandbox`) where the host does not name it (`{slug}.aldero.io`, `{slug}-sandbox.aldero.io`).',
  schema: { type: 'string', pattern: '^[a-z0-9](?:[a-z0-9-]{0,30}[a-z0-9])?(?:-sandbox)?$' },
};

const ref = (kind: string, name: string) => ({ $ref: `#/components/${kind}/${name}` });

function errorResponse(status: number, codes: AppErrorCode[]): ResponseObject {
  const schema: JsonSchema =
    codes.length === 1
      ? ref('schemas', errorSchemaName(codes[0]!))
      : {
          oneOf: codes.map((code) => ref('schemas', errorSchemaName(code))),
          discriminator: { propertyName: 'error', mapping: Object.fromEntries(codes.map((code) => [code, `#/components/schemas/${errorSchemaName(code)}`])) },
        };
  const headers: Record<string, unknown> = { 'X-Request-Id': ref('headers', 'XRequestId') };
  if (status === 429 || status === 503 || codes.some((code) => code === 'MFA_RATE_LIMITED' || code === 'RATE_LIMITED')) headers['Retry-After'] = ref('headers', 'RetryAfter');
  if (codes.includes('METHOD_NOT_ALLOWED')) headers.Allow = { ...ref('headers', 'Allow') };
  return {
    description: codes.map((code) => `\`${code}\`: ${ERROR_CODES[code].message}`).join(' '),
    headers,
    content: {
      'application/json': {
        schema,
        examples: Object.fromEntries(codes.map((code) => [code, { summary: code, value: errorExample(code) }])),
      },
    },
  };
}

function operationOf(procedure: DocumentedProcedure, responseRefs: SharedResponses, apexUrl: string): { path: string; method: string; operation: OperationObject } {
  const openapi = procedure.meta.openapi!;
  const tenantRoute = isTenantRoute(openapi.path);
  const method = openapi.method.toLowerCase();
  const pathParams = [...openapi.path.matchAll(/\{(\w+)\}/g)].map((match) => match[1]!);
  const examples = OPERATION_EXAMPLES[procedure.path] ?? {};
  const inputSchema = procedure.input ? jsonSchemaOf(procedure.input, 'input') : { type: 'object', properties: {} };
  const inputRequired = procedure.input ? !procedure.input.safeParse(undefined).success : false;
  const properties = { ...((inputSchema.properties as Record<string, JsonSchema> | undefined) ?? {}) };
  const required = new Set((inputSchema.required as string[] | undefined) ?? []);

  const parameters: Record<string, unknown>[] = [];
  if (tenantRoute) parameters.push(ref('parameters', 'TenantHeader'));
  for (const name of pathParams) {
    parameters.push({ name, in: 'path', required: true, schema: properties[name] ?? { type: 'string' } });
    delete properties[name];
    required.delete(name);
  }
  let requestBody: Record<string, unknown> | undefined;
  if (method === 'get') {
    // A GET's input is its query string.
    for (const [name, schema] of Object.entries(properties)) {
      parameters.push({ name, in: 'query', required: required.has(name), schema: Object.keys(schema).length ? schema : { type: 'string' } });
    }
  } else if (Object.keys(properties).length > 0 || pathParams.length === 0) {
    const bodySchema: JsonSchema = { ...inputSchema, properties };
    if (required.size) bodySchema.required = [...required];
    else delete bodySchema.required;
    requestBody = {
      required: inputRequired && required.size > 0,
      content: { 'application/json': { schema: bodySchema, ...(examples.request !== undefined ? { example: examples.request } : {}) } },
    };
  }

  const successStatus = String(procedure.meta.successStatus ?? 200);
  const successHeaders: Record<string, unknown> = { 'X-Request-Id': ref('headers', 'XRequestId') };
  if (SETS_DEVICE_COOKIE.has(procedure.path)) successHeaders['Set-Cookie'] = ref('headers', 'SetDeviceCookie');
  const responses: Record<string, ResponseObject> = {
    [successStatus]: {
      description: successStatus === '201' ? 'Created.' : 'OK.',
      headers: successHeaders,
      content: {
        'application/json': {
          schema: procedure.output ? jsonSchemaOf(procedure.output, 'output') : {},
          ...(examples.response !== undefined ? { example: examples.response } : {}),
        },
      },
    },
  };
  for (const [status, codes] of byStatus(errorsOf(procedure))) responses[String(status)] = responseRefs.use(errorResponse(status, codes), codes);

  const operation: OperationObject = {
    operationId: operationIdOf(procedure.path),
    'x-trpc-procedure': procedure.path,
    ...(openapi.tags ? { tags: openapi.tags } : {}),
    ...(openapi.summary ? { summary: openapi.summary } : {}),
    ...(openapi.description ? { description: openapi.description } : {}),
    security: procedure.credential === 'none' ? [] : [{ [procedure.credential]: [] }],
    // The platform API lives on the apex host itself, not on a tenant host.
    ...(tenantRoute ? {} : { servers: [{ url: apexUrl, description: 'The apex host' }] }),
    ...(parameters.length ? { parameters } : {}),
    ...(requestBody ? { requestBody } : {}),
    responses,
  };
  return { path: openapi.path, method, operation };
}

/** Error answers shared by several operations, kept once under `components/responses`. */
class SharedResponses {
  readonly responses: Record<string, ResponseObject> = {};
  /** Every code answered somewhere: each gets its body schema under `components/schemas`. */
  readonly codes = new Set<AppErrorCode>();

  use(response: ResponseObject, codes: AppErrorCode[]): ResponseObject {
    for (const code of codes) this.codes.add(code);
    const name = codes.map((code) => errorSchemaName(code).replace(/Error$/, '')).join('Or');
    this.responses[name] ??= response;
    return ref('responses', name) as unknown as ResponseObject;
  }
}

/** An operation served beside the procedures, described by hand from the module that answers it. */
function plainOperation(input: {
  operationId: string;
  tags: string[];
  summary: string;
  description?: string;
  credential: Credential;
  tenantRoute: boolean;
  errors: AppErrorCode[];
  parameters?: Record<string, unknown>[];
  media: string;
  schema: JsonSchema;
  responseRefs: SharedResponses;
}): OperationObject {
  const codes = new Set<AppErrorCode>([
    'METHOD_NOT_ALLOWED',
    'INTERNAL_ERROR',
    'SERVICE_UNAVAILABLE',
    ...(input.tenantRoute ? TENANT_ROUTE_ERRORS : []),
    ...CREDENTIAL_ERRORS[input.credential],
    ...input.errors,
  ]);
  const responses: Record<string, ResponseObject> = {
    '200': { description: 'OK.', headers: { 'X-Request-Id': ref('headers', 'XRequestId') }, content: { [input.media]: { schema: input.schema } } },
  };
  for (const [status, group] of byStatus(codes)) responses[String(status)] = input.responseRefs.use(errorResponse(status, group), group);
  return {
    operationId: input.operationId,
    tags: input.tags,
    summary: input.summary,
    ...(input.description ? { description: input.description } : {}),
    security: input.credential === 'none' ? [] : [{ [input.credential]: [] }],
    parameters: [...(input.tenantRoute ? [ref('parameters', 'TenantHeader')] : []), ...(input.parameters ?? [])],
    responses,
  };
}

function queryParameters(schema: z.ZodType): Record<string, unknown>[] {
  const json = jsonSchemaOf(schema, 'input');
  const required = new Set((json.required as string[] | undefined) ?? []);
  return Object.entries((json.properties as Record<string, JsonSchema> | undefined) ?? {}).map(([name, property]) => ({
    name,
    in: 'query',
    required: required.has(name),
    schema: Object.keys(property).length ? property : { type: 'string' },
  }));
}

/** The routes that are not procedures: JWKS, this document, the audit export as JSON lines. */
function plainOperations(responseRefs: SharedResponses): { path: string; method: string; operation: OperationObject }[] {
  return [
    {
      path: '/.well-known/jwks.json',
      method: 'get',
      operation: plainOperation({
        operationId: 'jwks',
        tags: ['auth'],
        summary: 'The public keys of the access tokens (JWK set), to verify them without calling us',
        credential: 'none',
        tenantRoute: true,
        errors: [],
        media: 'application/json',
        schema: { type: 'object', required: ['keys'], properties: { keys: { type: 'array', items: { type: 'object', required: ['kty'], properties: { kty: { type: 'string' }, kid: { type: 'string' }, alg: { type: 'string' }, use: { type: 'string' } } } } } },
        responseRefs,
      }),
    },
    {
      path: '/v1/openapi.json',
      method: 'get',
      operation: plainOperation({
        operationId: 'openApiDocument',
        tags: ['reference'],
        summary: 'This document (on every host: the apex host names the tenant host as a template)',
        credential: 'none',
        tenantRoute: false,
        errors: ['TENANT_NOT_FOUND'],
        media: 'application/json',
        schema: { type: 'object', required: ['openapi', 'info', 'paths'], properties: { openapi: { type: 'string', pattern: '^3\\.1\\.' }, info: { type: 'object' }, paths: { type: 'object' } } },
        responseRefs,
      }),
    },
    {
      path: AUDIT_EXPORT_PATH,
      method: 'get',
      operation: plainOperation({
        operationId: 'adminAuditExport',
        tags: ['admin'],
        summary: 'Audit events of a time range as JSON lines, oldest first',
        description: 'One event per line, each shaped as the events of `GET /v1/admin/audit`; streamed, so a year of events never sits in memory.',
        credential: 'adminKey',
        tenantRoute: true,
        errors: ['VALIDATION_ERROR'],
        parameters: queryParameters(auditFilterInput),
        media: 'application/x-ndjson',
        schema: { type: 'string' },
        responseRefs,
      }),
    },
  ];
}

export interface DocumentOptions {
  config: { domain: string; port: number; publicUrl?: string | undefined };
  /** The tenant environment of the host it is served on (`acme-sandbox`), or null on the apex host. */
  tenantLabel: string | null;
}

/** The whole document, for one host. */
export function buildOpenApiDocument(options: DocumentOptions): OpenApiDocument {
  const paths: Record<string, Record<string, OperationObject>> = {};
  const sharedResponses = new SharedResponses();
  const apexUrl = issuerFor(options.config, '{tenant}').replace('{tenant}.', '');
  for (const procedure of documentedProcedures()) {
    const { path, method, operation } = operationOf(procedure, sharedResponses, apexUrl);
    (paths[path] ??= {})[method] = operation;
  }
  for (const { path, method, operation } of plainOperations(sharedResponses)) (paths[path] ??= {})[method] = operation;
  const usedSchemes = new Set(Object.values(paths).flatMap((operations) => Object.values(operations).flatMap((operation) => (operation.security ?? []).flatMap(Object.keys))));
  const template = issuerFor(options.config, '{tenant}');
  const servers = [
    ...(options.tenantLabel ? [{ url: issuerFor(options.config, options.tenantLabel), description: 'This tenant environment' }] : []),
    {
      url: template,
      description: 'A tenant environment: `{slug}` (live) or `{slug}-sandbox`',
      variables: { tenant: { default: options.tenantLabel ?? 'acme-sandbox', description: 'The tenant label: `acme` or `acme-sandbox`' } },
    },
  ];
  const schemas = Object.fromEntries(
    [...sharedResponses.codes].sort().map((code) => [errorSchemaName(code), jsonSchemaOf(errorBodySchema(code), 'output')]),
  );
  return {
    openapi: '3.1.0',
    info: {
      title: 'Aldero SMS MFA',
      version: '1.0.0',
      summary: 'SMS multi-factor authentication for your users: enroll a phone, answer the login challenge.',
      description: guideIntroduction(),
    },
    servers,
    tags: [
      { name: 'auth', description: 'Sign-up, sign-in and sessions' },
      { name: 'mfa', description: 'SMS and TOTP factors, the login challenge, recovery codes' },
      { name: 'devices', description: 'Trusted devices' },
      { name: 'admin', description: "Your back end, with the tenant admin key" },
      { name: 'sandbox', description: 'The sandbox inbox' },
      { name: 'tenant', description: "The tenant's public face (brand, methods, disclosure), for the elements" },
      { name: 'platform', description: 'The operator: tenants and their admin keys, on the apex host with the platform key' },
      { name: 'reference', description: 'This description of the API' },
    ],
    paths,
    components: {
      securitySchemes: Object.fromEntries(Object.entries(SECURITY_SCHEMES).filter(([name]) => usedSchemes.has(name))),
      responses: sharedResponses.responses,
      headers: HEADERS,
      parameters: { TenantHeader: TENANT_PARAMETER },
      schemas,
    },
  };
}

const documents = new Map<string, OpenApiDocument>();

/** The document for one host, built once per tenant label (and once for the apex host). */
export function openApiDocumentFor(config: DocumentOptions['config'], tenantLabel: string | null): OpenApiDocument {
  // By the server URL it names: several servers (ports, domains) may run in one process.
  const key = issuerFor(config, tenantLabel ?? '{tenant}');
  let document = documents.get(key);
  if (!document) {
    document = buildOpenApiDocument({ config, tenantLabel });
    documents.set(key, document);
  }
  return document;
}
