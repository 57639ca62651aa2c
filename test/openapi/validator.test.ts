/**
 * The response validator of the test suite catches what the document does not say: a
 * deliberately undocumented status, an undocumented field, a 429 whose Retry-After is missing,
 * a 405 without Allow, a cookie where none is documented, an error code a route does not list.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildOpenApiDocument } from '../../server/http/openapi/document.ts';
import { OpenApiValidator, type CheckedResponse } from '../helpers/openapi-validator.ts';

const validator = new OpenApiValidator(buildOpenApiDocument({ config: { domain: 'localhost', port: 3000 }, tenantLabel: 'acme-sandbox' }));
const json = { 'content-type': 'application/json; charset=utf-8', 'x-request-id': 'req_test' };
const tokens = { accessToken: 'a.b.c', refreshToken: 'rt', expiresIn: 900 };

function problems(response: Partial<CheckedResponse> & Pick<CheckedResponse, 'method' | 'path' | 'status' | 'body'>): string[] {
  return validator.validate({ headers: json, ...response });
}

describe('the OpenAPI response validator', () => {
  test('a conforming answer has no problems', () => {
    assert.deepEqual(problems({ method: 'POST', path: '/v1/auth/signup', status: 201, body: tokens }), []);
    assert.deepEqual(problems({ method: 'POST', path: '/v1/auth/mfa/verify', status: 410, body: { error: 'MFA_CHALLENGE_EXPIRED', message: 'Start over.' } }), []);
    assert.deepEqual(
      problems({ method: 'POST', path: '/v1/auth/login', status: 429, headers: { ...json, 'retry-after': '60' }, body: { error: 'RATE_LIMITED', message: 'Wait.', reason: 'login_attempts', retryAfterSeconds: 60 } }),
      [],
    );
    assert.deepEqual(problems({ method: 'DELETE', path: '/v1/auth/devices/dvc_1', status: 404, body: { error: 'NOT_FOUND', message: 'No such trusted device.' } }), []);
  });

  test('a deliberately undocumented status fails', () => {
    // Signup answers 201; a 200 (or a 418) is not what the document says.
    const found = problems({ method: 'POST', path: '/v1/auth/signup', status: 200, body: tokens });
    assert.equal(found.length, 1);
    assert.match(found[0]!, /status 200 is not documented for authSignup/);
    assert.match(problems({ method: 'GET', path: '/v1/auth/me', status: 418, body: { error: 'TEAPOT', message: 'no' } })[0]!, /status 418 is not documented/);
  });

  test('an undocumented field, a missing one, or a code the route does not list fails', () => {
    assert.match(problems({ method: 'POST', path: '/v1/auth/signup', status: 201, body: { ...tokens, debug: 'x' } })[0]!, /does not match.*additional properties/);
    assert.match(problems({ method: 'POST', path: '/v1/auth/signup', status: 201, body: { accessToken: 'a' } })[0]!, /does not match.*refreshToken/);
    // The old document's error shape: {message, code, issues}.
    assert.match(problems({ method: 'POST', path: '/v1/auth/signup', status: 400, body: { message: 'bad', code: 'BAD_REQUEST', issues: [] } })[0]!, /does not match/);
    // The verify route never answers EMAIL_TAKEN (409 is not even one of its statuses).
    assert.match(problems({ method: 'POST', path: '/v1/auth/mfa/verify', status: 409, body: { error: 'EMAIL_TAKEN', message: 'x' } })[0]!, /status 409 is not documented/);
    // A 403 of the login is mfa_required or ORIGIN_NOT_ALLOWED, with their own fields.
    assert.match(problems({ method: 'POST', path: '/v1/auth/login', status: 403, body: { error: 'mfa_required', message: 'x' } })[0]!, /does not match/);
    assert.match(problems({ method: 'POST', path: '/v1/auth/login', status: 403, body: { error: 'FORBIDDEN', message: 'x' } })[0]!, /does not match/);
  });

  test('headers: X-Request-Id everywhere, Retry-After beside retryAfterSeconds, Allow on 405, Set-Cookie only where documented', () => {
    assert.match(problems({ method: 'POST', path: '/v1/auth/signup', status: 201, headers: { 'content-type': 'application/json' }, body: tokens })[0]!, /X-Request-Id header is missing/);
    const limited = { error: 'MFA_RATE_LIMITED', message: 'Wait.', reason: 'phone_hourly', retryAfterSeconds: 120 };
    assert.match(problems({ method: 'POST', path: '/v1/auth/mfa/sms/setup', status: 429, body: limited }).join('\n'), /Retry-After is undefined/);
    assert.deepEqual(problems({ method: 'POST', path: '/v1/auth/mfa/sms/setup', status: 429, headers: { ...json, 'retry-after': '120' }, body: limited }), []);
    const methodNotAllowed = { error: 'METHOD_NOT_ALLOWED', message: 'No.' };
    assert.match(problems({ method: 'PUT', path: '/v1/auth/mfa/verify', status: 405, body: methodNotAllowed }).join('\n'), /405 without an Allow header/);
    assert.deepEqual(problems({ method: 'PUT', path: '/v1/auth/mfa/verify', status: 405, headers: { ...json, allow: 'POST' }, body: methodNotAllowed }), []);
    assert.match(problems({ method: 'GET', path: '/v1/auth/mfa/sms', status: 405, headers: { ...json, allow: 'GET' }, body: methodNotAllowed }).join('\n'), /Allow says GET, the document DELETE/);
    assert.match(problems({ method: 'GET', path: '/v1/auth/me', status: 200, headers: { ...json, 'set-cookie': 'mfa_device=x' }, body: {} }).join('\n'), /cookie is set \(mfa_device\)/);
  });

  test('paths: the API outside the document fails; the demo, health and tRPC are not its business', () => {
    assert.match(problems({ method: 'GET', path: '/v1/secret-route', status: 200, body: {} })[0]!, /not in the document/);
    assert.deepEqual(problems({ method: 'GET', path: '/v1/nope', status: 404, body: { error: 'NOT_FOUND', message: 'No route.' } }), []);
    assert.deepEqual(problems({ method: 'GET', path: '/healthz', status: 200, body: { ok: true } }), []);
    // The path as the server reads it: `%2e%2e` is a dot segment, so this is /v1/auth/me.
    assert.deepEqual(problems({ method: 'GET', path: '/v1/auth/devices/%2e%2e/me?x=1', status: 200, body: { id: 'u', email: 'e', phone: null, phoneVerified: false, mfa: { sms: false, totp: false }, recoveryCodesRemaining: 0, hasPassword: true, oauthProvider: null } }).filter((p) => !/does not match/.test(p)), []);
    assert.deepEqual(problems({ method: 'POST', path: '/trpc/auth.login', status: 200, body: { result: {} } }), []);
  });
});
