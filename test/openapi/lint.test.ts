/**
 * `redocly lint` in the test suite: the document as every host serves it passes Redocly's
 * recommended rules with no error (examples valid, operation ids unique, security defined, a 4xx
 * on every operation).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createConfig, lintFromString } from '@redocly/openapi-core';
import { buildOpenApiDocument } from '../../server/http/openapi/document.ts';

const RULES = {
  'no-invalid-media-type-examples': 'error',
  'no-invalid-schema-examples': 'error',
  'operation-4xx-response': 'error',
  'operation-operationId-unique': 'error',
  'operation-operationId-url-safe': 'error',
  'security-defined': 'error',
  'no-unused-components': 'error',
  'path-parameters-defined': 'error',
  // The development document names localhost servers on purpose.
  'no-server-example.com': 'off',
  'info-license': 'off',
} as const;

for (const [label, tenantLabel, domain] of [['apex host', null, 'aldero.io'], ['tenant host', 'acme-sandbox', 'localhost']] as const) {
  test(`redocly lint (recommended): no errors in the document of the ${label}`, async () => {
    const document = buildOpenApiDocument({ config: { domain, port: 3000 }, tenantLabel });
    const config = await createConfig({ extends: ['recommended'], rules: RULES });
    const problems = await lintFromString({ source: JSON.stringify(document), absoluteRef: `/openapi-${label.replace(' ', '-')}.json`, config });
    const described = problems.map((p) => `${p.severity} ${p.ruleId}: ${p.message} at ${p.location[0]?.pointer ?? '?'}`);
    assert.deepEqual(described, []);
  });
}
