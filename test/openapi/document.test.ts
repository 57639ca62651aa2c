/**
 * The OpenAPI document says what the server does: every REST route, its success status, the
 * codes it can answer with their statuses, its credential, bodies as bodies (never a secret in the
 * query string), the guide's examples valid against their own schemas.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { E164_PATTERN, ERROR_CODES } from '../../server/contract/index.ts';
import { buildOpenApiDocument, documentedProcedures, errorsOf, type OperationObject } from '../../server/http/openapi/document.ts';
import { OPERATION_EXAMPLES } from '../../server/http/openapi/guide.ts';
import { OpenApiValidator } from '../helpers/openapi-validator.ts';

const document = buildOpenApiDocument({ config: { domain: 'aldero.io', port: 443 }, tenantLabel: null });
const operations = Object.entries(document.paths).flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => ({ path, method, op })));
const byProcedure = new Map(operations.map((entry) => [entry.op['x-trpc-procedure'], entry]));

function operation(procedure: string): OperationObject {
  const entry = byProcedure.get(procedure);
  assert.ok(entry, `no operation for ${procedure}`);
  return entry.op;
}

function resolve(value: unknown): Record<string, any> {
  let current = value as Record<string, any>;
  while (current?.$ref) current = current.$ref.slice(2).split('/').reduce((node: any, key: string) => node[key], document);
  return current;
}

describe('the OpenAPI document', () => {
  test('lists every procedure that has a REST route, once', () => {
    const procedures = documentedProcedures();
    assert.equal(operations.filter(({ op }) => op['x-trpc-procedure']).length, procedures.length);
    for (const procedure of procedures) assert.ok(byProcedure.has(procedure.path), procedure.path);
  });

  test('success statuses come from the procedures: 201 for signup and the admin creations, 200 elsewhere', () => {
    for (const procedure of documentedProcedures()) {
      const expected = String(procedure.meta.successStatus ?? 200);
      const successes = Object.keys(operation(procedure.path).responses).filter((status) => status.startsWith('2'));
      assert.deepEqual(successes, [expected], procedure.path);
    }
    assert.ok(operation('auth.signup').responses['201']);
    assert.ok(operation('admin.users.create').responses['201']);
    assert.ok(operation('admin.sessions.create').responses['201']);
  });

  test('every code a route can answer is documented under the status of the error table, with its own body schema', () => {
    for (const procedure of documentedProcedures()) {
      const op = operation(procedure.path);
      for (const code of errorsOf(procedure)) {
        const response = resolve(op.responses[String(ERROR_CODES[code].status)]);
        assert.ok(response, `${procedure.path}: no ${ERROR_CODES[code].status} for ${code}`);
        const schema = response.content['application/json'].schema;
        const refs: string[] = schema.oneOf ? schema.oneOf.map((s: { $ref: string }) => s.$ref) : [schema.$ref];
        const enums = refs.map((r) => resolve({ $ref: r }).properties.error.enum).flat();
        assert.ok(enums.includes(code), `${procedure.path}: ${code} not in the ${ERROR_CODES[code].status} answer`);
      }
    }
  });

  test("the guide's statuses: 403 mfa_required at login, 410 and 429 on the challenge routes, Retry-After on 429s, Allow on 405s", () => {
    assert.ok(JSON.stringify(resolve(operation('auth.login').responses['403'])).includes('mfa_required'));
    for (const procedure of ['auth.mfa.challenge', 'auth.mfa.status', 'auth.mfa.verify']) {
      assert.ok(operation(procedure).responses['410'], `${procedure} 410`);
      assert.ok(operation(procedure).responses['429'], `${procedure} 429`);
    }
    for (const procedure of ['auth.login', 'auth.mfa.sms.setup', 'auth.mfa.totp.confirm']) assert.ok(operation(procedure).responses['429'], procedure);
    for (const { op } of operations) {
      for (const [status, response] of Object.entries(op.responses)) {
        const headers = resolve(response).headers ?? {};
        assert.ok(headers['X-Request-Id'], `${op.operationId} ${status}: X-Request-Id`);
        if (status === '429') assert.ok(headers['Retry-After'], `${op.operationId} 429: Retry-After`);
        if (status === '405') assert.ok(headers.Allow, `${op.operationId} 405: Allow`);
      }
    }
    assert.ok(resolve(operation('auth.mfa.verify').responses['200']).headers['Set-Cookie']);
    assert.ok(!resolve(operation('auth.me').responses['200']).headers['Set-Cookie']);
  });

  test('a recovery code goes in the body of DELETE /v1/auth/mfa/sms, never in the query string', () => {
    const op = operation('auth.mfa.sms.disable');
    assert.ok(!(op.parameters ?? []).some((p) => (p as { in?: string }).in === 'query'));
    const body = op.requestBody as { required: boolean; content: Record<string, { schema: { properties: Record<string, unknown>; required: string[] } }> };
    assert.equal(body.required, true);
    assert.deepEqual(body.content['application/json']!.schema.required, ['code']);
    for (const { op: other } of operations) {
      for (const parameter of other.parameters ?? []) {
        assert.ok(!['code', 'password', 'refreshToken', 'mfa_token'].includes((parameter as { name?: string }).name ?? ''), `${other.operationId} takes a secret in ${(parameter as { in?: string }).in}`);
      }
    }
  });

  test('security per route: the access token on user routes, the admin key on admin and sandbox routes, none on sign-in and the challenge', () => {
    assert.deepEqual(operation('auth.mfa.sms.setup').security, [{ accessToken: [] }]);
    assert.deepEqual(operation('admin.tenant.get').security, [{ adminKey: [] }]);
    assert.deepEqual(operation('sandbox.messages').security, [{ adminKey: [] }]);
    for (const procedure of ['auth.signup', 'auth.login', 'auth.refresh', 'auth.mfa.challenge', 'auth.mfa.verify']) assert.deepEqual(operation(procedure).security, [], procedure);
    assert.ok(!operation('auth.login').responses['401'] || JSON.stringify(resolve(operation('auth.login').responses['401'])).includes('INVALID_CREDENTIALS'));
  });

  test('the phone of the SMS setup carries the E.164 pattern', () => {
    const body = operation('auth.mfa.sms.setup').requestBody as { content: Record<string, { schema: { properties: Record<string, { pattern?: string }> } }> };
    assert.equal(body.content['application/json']!.schema.properties.phone!.pattern, E164_PATTERN.source);
  });

  test("the guide's examples match their own schemas", () => {
    const ajv = new Ajv2020({ strict: false, validateFormats: false });
    ajv.addSchema({ $id: 'doc', components: document.components });
    const compile = (schema: unknown) => ajv.compile(JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"doc#/components/')));
    for (const [procedure, examples] of Object.entries(OPERATION_EXAMPLES)) {
      const op = operation(procedure);
      if (examples.request !== undefined) {
        const validate = compile((op.requestBody as any).content['application/json'].schema);
        assert.ok(validate(examples.request), `${procedure} request example: ${ajv.errorsText(validate.errors)}`);
      }
      if (examples.response !== undefined) {
        const success = Object.keys(op.responses).find((status) => status.startsWith('2'))!;
        const validate = compile(resolve(op.responses[success]).content['application/json'].schema);
        assert.ok(validate(examples.response), `${procedure} response example: ${ajv.errorsText(validate.errors)}`);
      }
    }
    for (const [name, response] of Object.entries(document.components as { responses: Record<string, any> }).flatMap(([, v]) => Object.entries(v)).filter(([, v]) => (v as any)?.content)) {
      const media = (response as any).content['application/json'];
      const validate = compile(media.schema);
      for (const [code, example] of Object.entries(media.examples as Record<string, { value: unknown }>)) {
        assert.ok(validate(example.value), `${name} example ${code}: ${ajv.errorsText(validate.errors)}`);
      }
    }
  });

  test('the introduction is the guide: the flow, the demo link, the numbers of the contract', () => {
    const description = (document.info as { description: string }).description;
    for (const text of ['Try it live: [/api/docs/demo](/api/docs/demo)', '/v1/auth/mfa/sms/setup', 'mfa_required', '3 SMS per challenge', '5 wrong codes', '30 days', 'Reply STOP to opt out']) {
      assert.ok(description.includes(text), text);
    }
  });

  test('the routes that are not procedures are described too: JWKS, this document, the audit export as JSON lines', () => {
    assert.ok(document.paths['/.well-known/jwks.json']?.get);
    assert.ok(document.paths['/v1/openapi.json']?.get);
    const exported = document.paths['/v1/admin/audit/export']?.get;
    assert.deepEqual(exported?.security, [{ adminKey: [] }]);
    assert.ok(resolve(exported!.responses['200']).content['application/x-ndjson']);
  });

  test('the validator reads this document (a conforming answer has no problems)', () => {
    const validator = new OpenApiValidator(document);
    const problems = validator.validate({
      method: 'POST',
      path: '/v1/auth/mfa/verify',
      status: 200,
      headers: { 'content-type': 'application/json; charset=utf-8', 'x-request-id': 'req_1', 'set-cookie': 'mfa_device=x; HttpOnly' },
      body: OPERATION_EXAMPLES['auth.mfa.verify']!.response,
    });
    assert.deepEqual(problems, []);
  });
});
