/**
 * Checks an HTTP answer against the OpenAPI document: is this status documented for this
 * operation, does the body match its schema (ajv, JSON Schema 2020-12 as OpenAPI 3.1 says), are
 * the documented headers there (`X-Request-Id`, `Allow` on 405, `Retry-After` whenever the body
 * says `retryAfterSeconds`), is a cookie set only where the document says so. The HTTP test helper
 * runs it on every answer, so an undocumented status or field fails the test that produced it.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { OpenApiDocument, OperationObject, ResponseObject } from '../../server/http/openapi/document.ts';

// ajv-formats is CommonJS: its default export arrives wrapped under node's ESM loader.
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule) as unknown as (ajv: Ajv2020) => void;

const DOCUMENT_ID = 'https://aldero.invalid/openapi.json';

export interface CheckedResponse {
  method: string;
  /** The request path, with or without a query string. */
  path: string;
  status: number;
  headers: Headers | Record<string, string | string[] | undefined>;
  /** The parsed JSON body (or the text when it was not JSON). */
  body: unknown;
}

export interface ValidatorOptions {
  /** Paths served beside the document's operations and not described by it (checked by their own tests). */
  unlisted?: RegExp[];
}

interface CompiledPath {
  template: string;
  pattern: RegExp;
  operations: Record<string, OperationObject>;
}

function headerOf(headers: CheckedResponse['headers'], name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const value = (headers as Record<string, string | string[] | undefined>)[name.toLowerCase()];
  return Array.isArray(value) ? value.join(', ') : value;
}

function setCookiesOf(headers: CheckedResponse['headers']): string[] {
  if (typeof (headers as Headers).getSetCookie === 'function') return (headers as Headers).getSetCookie();
  const value = (headers as Record<string, string | string[] | undefined>)['set-cookie'];
  return value === undefined ? [] : Array.isArray(value) ? value : [value];
}

/** `$ref: '#/…'` inside the document, made absolute so a schema compiled on its own still finds its components. */
function absoluteRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(absoluteRefs);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = key === '$ref' && typeof item === 'string' && item.startsWith('#/') ? DOCUMENT_ID + item : absoluteRefs(item);
  }
  return out;
}

export class OpenApiValidator {
  private readonly ajv: Ajv2020;
  private readonly paths: CompiledPath[];
  private readonly bodyValidators = new Map<string, ValidateFunction>();
  private readonly unlisted: RegExp[];

  constructor(private readonly document: OpenApiDocument, options: ValidatorOptions = {}) {
    // Not strict: the document carries OpenAPI's own keywords (discriminator, example) beside JSON Schema's.
    this.ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(this.ajv);
    this.ajv.addSchema({ $id: DOCUMENT_ID, components: absoluteRefs(document.components) });
    this.unlisted = options.unlisted ?? [];
    this.paths = Object.entries(document.paths).map(([template, operations]) => ({
      template,
      pattern: new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{\w+\}/g, '[^/]+')}$`),
      operations,
    }));
  }

  private resolve<T>(value: unknown): T {
    let current = value as { $ref?: string };
    while (current && typeof current.$ref === 'string') {
      const pointer = current.$ref.replace(/^#\//, '').split('/').map((part) => part.replace(/~1/g, '/').replace(/~0/g, '~'));
      current = pointer.reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], this.document) as { $ref?: string };
    }
    return current as T;
  }

  private bodyValidator(key: string, schema: unknown): ValidateFunction {
    let validate = this.bodyValidators.get(key);
    if (!validate) {
      validate = this.ajv.compile(absoluteRefs(schema) as object);
      this.bodyValidators.set(key, validate);
    }
    return validate;
  }

  /** What is wrong with this answer, by the document; empty when it conforms. */
  validate(response: CheckedResponse): string[] {
    const method = response.method.toUpperCase();
    // As the server reads it: WHATWG URL parsing resolves dot segments, `%2e%2e` included.
    const path = new URL(response.path, 'http://validator.invalid').pathname;
    const where = `${method} ${path} → ${response.status}`;
    if (!path.startsWith('/v1/') && !path.startsWith('/.well-known/')) return [];
    if (method === 'OPTIONS' || method === 'HEAD') return [];
    if (this.unlisted.some((pattern) => pattern.test(path))) return [];

    const matched = this.paths.find((candidate) => candidate.pattern.test(path));
    if (!matched) {
      const code = (response.body as { error?: unknown } | null)?.error;
      if (response.status === 404 && (code === 'NOT_FOUND' || code === 'TENANT_NOT_FOUND')) return [];
      return [`${where}: the path is not in the document`];
    }
    const operation = matched.operations[method.toLowerCase()];
    if (!operation) {
      const problems: string[] = [];
      const code = (response.body as { error?: unknown } | null)?.error;
      const refusedBeforeRouting = response.status === 404 && code === 'TENANT_NOT_FOUND';
      if (!refusedBeforeRouting && (response.status !== 405 || code !== 'METHOD_NOT_ALLOWED')) {
        problems.push(`${where}: ${method} is not documented on ${matched.template} (expected 405 METHOD_NOT_ALLOWED), body ${JSON.stringify(response.body).slice(0, 200)}`);
      }
      const allow = headerOf(response.headers, 'allow');
      if (response.status === 405 && !allow) problems.push(`${where}: 405 without an Allow header`);
      if (allow) {
        const expected = Object.keys(matched.operations).map((m) => m.toUpperCase()).sort().join(', ');
        const got = allow.split(',').map((m) => m.trim().toUpperCase()).filter((m) => m !== 'OPTIONS' && m !== 'HEAD').sort().join(', ');
        if (got !== expected) problems.push(`${where}: Allow says ${allow}, the document ${expected}`);
      }
      return problems;
    }
    return this.validateOperation(where, operation, response);
  }

  private validateOperation(where: string, operation: OperationObject, response: CheckedResponse): string[] {
    const documented = operation.responses[String(response.status)] ?? operation.responses.default;
    if (!documented) {
      return [`${where}: status ${response.status} is not documented for ${operation.operationId} (documented: ${Object.keys(operation.responses).join(', ')}); body ${JSON.stringify(response.body).slice(0, 300)}`];
    }
    const resolved = this.resolve<ResponseObject>(documented);
    const problems: string[] = [];

    const headers = resolved.headers ?? {};
    const documentedNames = new Set(Object.keys(headers).map((name) => name.toLowerCase()));
    for (const [name, header] of Object.entries(headers)) {
      const spec = this.resolve<{ required?: boolean; schema?: unknown }>(header);
      const value = name.toLowerCase() === 'set-cookie' ? (setCookiesOf(response.headers)[0] ?? undefined) : headerOf(response.headers, name);
      if (value === undefined) {
        if (spec.required) problems.push(`${where}: the ${name} header is missing`);
        continue;
      }
      if (spec.schema) {
        const validate = this.bodyValidator(`header:${name}`, spec.schema);
        if (!validate(value)) problems.push(`${where}: header ${name}: ${JSON.stringify(value)} ${this.ajv.errorsText(validate.errors)}`);
      }
    }
    const body = response.body as Record<string, unknown> | null;
    const retryAfter = headerOf(response.headers, 'retry-after');
    if (body && typeof body === 'object' && typeof body.retryAfterSeconds === 'number' && response.status >= 400) {
      if (!documentedNames.has('retry-after')) problems.push(`${where}: the body has retryAfterSeconds but the document has no Retry-After header here`);
      if (retryAfter !== String(body.retryAfterSeconds)) problems.push(`${where}: Retry-After is ${JSON.stringify(retryAfter)}, the body says retryAfterSeconds ${body.retryAfterSeconds}`);
    }
    if (retryAfter !== undefined && !documentedNames.has('retry-after')) problems.push(`${where}: Retry-After is sent but not documented`);
    if (setCookiesOf(response.headers).length > 0 && !documentedNames.has('set-cookie')) {
      problems.push(`${where}: a cookie is set (${setCookiesOf(response.headers)[0]!.split('=', 1)[0]}) but the document says no Set-Cookie here`);
    }

    const contentType = (headerOf(response.headers, 'content-type') ?? '').split(';', 1)[0]!.trim().toLowerCase();
    const mediaTypes = Object.keys(resolved.content ?? {});
    if (mediaTypes.length === 0) {
      if (response.body !== null && response.body !== '') problems.push(`${where}: a body is sent but none is documented`);
      return problems;
    }
    if (!mediaTypes.includes(contentType)) problems.push(`${where}: content-type ${contentType || '(none)'}, documented ${mediaTypes.join(' or ')}`);
    const media = resolved.content?.['application/json'];
    // Only JSON bodies are checked against a schema (JSON lines are a stream of documents).
    if (!media || contentType !== 'application/json') return problems;
    const validate = this.bodyValidator(`${operation.operationId}:${response.status}`, media.schema);
    if (!validate(response.body)) {
      problems.push(`${where}: the body does not match the document: ${this.ajv.errorsText(validate.errors, { separator: '; ' })}; body ${JSON.stringify(response.body).slice(0, 400)}`);
    }
    return problems;
  }
}

/** Telnyx's webhooks: posted by Telnyx, signed, described by the delivery tests rather than this document. */
const UNLISTED = [/^\/v1\/webhooks\/telnyx(?:\/[^/]+)?$/];

let shared: OpenApiValidator | undefined;

/**
 * Throws when an answer does not conform to the document: the hook of the HTTP test helpers, so
 * the test that got an undocumented status or field fails with what is wrong.
 */
export async function assertMatchesOpenApi(response: CheckedResponse): Promise<void> {
  if (!shared) {
    const { buildOpenApiDocument } = await import('../../server/http/openapi/document.ts');
    shared = new OpenApiValidator(buildOpenApiDocument({ config: { domain: 'localhost', port: 0 }, tenantLabel: null }), { unlisted: UNLISTED });
  }
  const problems = shared.validate(response);
  if (problems.length) throw new Error(`The answer does not match the OpenAPI document (fix the document or the server):\n- ${problems.join('\n- ')}`);
}
