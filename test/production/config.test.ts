/**
 * Configuration validated at start (issue 14): every bad value refused with one line naming the
 * variable and what it accepts; production refused without what a production process needs;
 * unknown ALDERO_* names warned about; the README's environment table equal to the schema's list.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, test } from 'node:test';
import { exportJWK, generateKeyPair } from 'jose';
import { ConfigError, ENVIRONMENT, environmentTable, loadConfig, unknownVariables } from '../../server/config.ts';

const root = new URL('../..', import.meta.url).pathname;

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError, `a ConfigError, got ${String(error)}`);
    return error.problems;
  }
  return [];
}

export async function productionEnv(): Promise<Record<string, string>> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  return {
    NODE_ENV: 'production',
    MONGODB_URI: 'mongodb://db.internal:27017/?replicaSet=rs0',
    ALDERO_SECRET: 's'.repeat(40),
    ALDERO_JWT_PRIVATE_JWK: JSON.stringify({ ...(await exportJWK(privateKey)), kid: 'k1', alg: 'ES256' }),
    ALDERO_PLATFORM_KEY: 'p'.repeat(40),
    ALDERO_SMS: 'sandbox',
  };
}

describe('configuration: each bad value is refused with its variable and what it accepts', () => {
  const cases: [env: Record<string, string>, line: string][] = [
    [{ ALDERO_MAX_BODY_BYTES: '16k' }, 'ALDERO_MAX_BODY_BYTES=16k: expected a whole number of bytes, 1024-10485760 (e.g. 16384)'],
    [{ PORT: '70000' }, 'PORT=70000: expected a port number, 0-65535'],
    [{ PORT: 'http' }, 'PORT=http: expected a port number, 0-65535'],
    [{ ALDERO_TRUST_PROXY: 'maybe' }, 'ALDERO_TRUST_PROXY=maybe: expected a number of hops, `on` (1) / `off`, or a list of proxy addresses/CIDRs'],
    [{ ALDERO_DEMO_TENANT: 'maybe' }, 'ALDERO_DEMO_TENANT=maybe: expected a boolean'],
    [{ ALDERO_LOG_LEVEL: 'verbose' }, 'ALDERO_LOG_LEVEL=verbose: expected `silent`, `fatal`, `error`, `warn`, `info`, `debug`, `trace`'],
    [{ ALDERO_SMS: 'twilio' }, 'ALDERO_SMS=twilio: expected `sandbox`, `telnyx` or `telnyx-emulator`'],
    [{ NODE_ENV: 'prod' }, 'NODE_ENV=prod: expected `production`, `development` or `test`'],
    [{ ALDERO_PUBLIC_URL: 'aldero.io' }, 'ALDERO_PUBLIC_URL=aldero.io: expected an `http://` or `https://` URL'],
    [{ TELNYX_BASE_URL: 'ftp://x' }, 'TELNYX_BASE_URL=ftp://x: expected an `http://` or `https://` URL'],
    [{ MONGODB_URI: 'postgres://db' }, 'MONGODB_URI (value not shown): expected a `mongodb://` or `mongodb+srv://` connection string'],
    [{ ALDERO_SECRET: 'short' }, 'ALDERO_SECRET (value not shown): expected a random string of 32 characters or more'],
    [{ ALDERO_PLATFORM_KEY: 'short' }, 'ALDERO_PLATFORM_KEY (value not shown): expected a random string of 32 characters or more'],
    [{ ALDERO_JWT_PRIVATE_JWK: '{"kty":"RSA","n":"x"}' }, 'ALDERO_JWT_PRIVATE_JWK (value not shown): expected an ES256 private JWK as JSON: `{"kty":"EC","crv":"P-256","x":…,"y":…,"d":…,"kid":…}`'],
    [{ ALDERO_JWT_PRIVATE_JWK: 'not json' }, 'ALDERO_JWT_PRIVATE_JWK (value not shown): expected an ES256 private JWK as JSON: `{"kty":"EC","crv":"P-256","x":…,"y":…,"d":…,"kid":…}`'],
    [{ ALDERO_SHARED_FROM_NUMBER: '8445550100' }, 'ALDERO_SHARED_FROM_NUMBER=8445550100: expected an E.164 number (`+18445550100`)'],
    [{ ALDERO_SHUTDOWN_TIMEOUT_MS: '10s' }, 'ALDERO_SHUTDOWN_TIMEOUT_MS=10s: expected a whole number of milliseconds, 0-600000'],
    [{ ALDERO_METRICS_PORT: '-1' }, 'ALDERO_METRICS_PORT=-1: expected a port number, 0-65535'],
    [{ ALDERO_SMS_POLL_MS: '0' }, 'ALDERO_SMS_POLL_MS=0: expected a positive number'],
    [{ ALDERO_SMS_WORKER: 'sometimes' }, 'ALDERO_SMS_WORKER=sometimes: expected a boolean'],
    [{ ALDERO_JOBS_CONCURRENCY: 'four' }, 'ALDERO_JOBS_CONCURRENCY=four: expected a positive number'],
  ];
  for (const [env, line] of cases) {
    test(Object.entries(env).map(([k, v]) => `${k}=${v}`).join(' '), () => {
      assert.deepEqual(problemsOf({ NODE_ENV: 'test', ...env }), [line]);
    });
  }

  test('every problem at once, one line each, in the table order', () => {
    assert.deepEqual(problemsOf({ NODE_ENV: 'test', ALDERO_MAX_BODY_BYTES: '16k', PORT: 'x', ALDERO_LOG_LEVEL: 'loud' }), [
      'PORT=x: expected a port number, 0-65535',
      'ALDERO_MAX_BODY_BYTES=16k: expected a whole number of bytes, 1024-10485760 (e.g. 16384)',
      'ALDERO_LOG_LEVEL=loud: expected `silent`, `fatal`, `error`, `warn`, `info`, `debug`, `trace`',
    ]);
  });

  test('a secret value is never echoed in a problem', () => {
    const problems = problemsOf({ NODE_ENV: 'test', ALDERO_SECRET: 'hunter2-short', TELNYX_API_KEY: 'k' });
    assert.equal(problems.length, 2);
    assert.ok(!problems.join('\n').includes('hunter2'));
  });

  test('empty values count as unset; good values parse to their types', () => {
    const config = loadConfig({ NODE_ENV: 'test', PORT: '', ALDERO_MAX_BODY_BYTES: '32768', ALDERO_TRUST_PROXY: 'on', ALDERO_METRICS_PORT: '9464', ALDERO_SHUTDOWN_TIMEOUT_MS: '2500' });
    assert.equal(config.port, 3000);
    assert.equal(config.maxBodyBytes, 32768);
    assert.equal(config.trustProxy, true);
    assert.equal(config.metricsPort, 9464);
    assert.equal(config.shutdownTimeoutMs, 2500);
    assert.equal(config.logLevel, 'error');
    assert.equal(config.seedDemoTenant, true);
    assert.deepEqual(config.database, { serverSelectionTimeoutMs: 10_000, operationTimeoutMs: 0 });
  });
});

describe('configuration: production refuses to start without what it needs', () => {
  test('a complete production environment is accepted: no demo tenant, no generated keys', async () => {
    const config = loadConfig(await productionEnv());
    assert.equal(config.production, true);
    assert.equal(config.seedDemoTenant, false);
    assert.equal(config.smsMode, 'sandbox');
    assert.ok(config.secret && config.jwtPrivateJwk && config.platformKey);
    assert.deepEqual(config.database, { serverSelectionTimeoutMs: 1500, operationTimeoutMs: 1000 });
  });

  test('nothing set: one line for each missing piece', () => {
    assert.deepEqual(problemsOf({ NODE_ENV: 'production' }), [
      'MONGODB_URI: required in production: a MongoDB replica set or Atlas connection string (ALDERO_EMBEDDED_DB=1 runs the in-memory engine on purpose)',
      'ALDERO_SECRET: required in production: a random string of 32 characters or more (keys are not generated into the database in production)',
      'ALDERO_JWT_PRIVATE_JWK: required in production: an ES256 private JWK as JSON',
      'ALDERO_PLATFORM_KEY: required in production: a random string of 32 characters or more',
      'ALDERO_SMS: required in production: `telnyx` with TELNYX_API_KEY, TELNYX_PUBLIC_KEY and ALDERO_SHARED_FROM_NUMBER, or `sandbox` on purpose',
    ]);
  });

  test('without MONGODB_URI, refused; ALDERO_EMBEDDED_DB=1 says the embedded engine is meant', async () => {
    const { MONGODB_URI: _uri, ...env } = await productionEnv();
    assert.deepEqual(problemsOf(env), [
      'MONGODB_URI: required in production: a MongoDB replica set or Atlas connection string (ALDERO_EMBEDDED_DB=1 runs the in-memory engine on purpose)',
    ]);
    assert.equal(loadConfig({ ...env, ALDERO_EMBEDDED_DB: '1' }).embeddedDb, true);
  });

  test('ALDERO_ADMIN_KEY: 32 characters or more in production, 16 are enough elsewhere', async () => {
    const env = await productionEnv();
    const short = 'ak_' + 'x'.repeat(20);
    assert.deepEqual(problemsOf({ ...env, ALDERO_DEMO_TENANT: '1', ALDERO_ADMIN_KEY: short }), ['ALDERO_ADMIN_KEY: in production a random string of 32 characters or more']);
    assert.deepEqual(problemsOf({ ...env, ALDERO_DEMO_TENANT: '1', ALDERO_ADMIN_KEY: short + 'y'.repeat(9) }), []);
    assert.deepEqual(problemsOf({ ALDERO_ADMIN_KEY: short }), []);
  });

  test('SMS: telnyx needs its key, webhook key and number; the emulator is development only', async () => {
    const { ALDERO_SMS: _sms, ...env } = await productionEnv();
    assert.deepEqual(problemsOf({ ...env, ALDERO_SMS: 'telnyx' }), [
      'TELNYX_API_KEY: required in production: ALDERO_SMS=telnyx sends through Telnyx',
      "TELNYX_PUBLIC_KEY: required in production: ALDERO_SMS=telnyx verifies Telnyx's webhooks with it",
      'ALDERO_SHARED_FROM_NUMBER: required in production: ALDERO_SMS=telnyx sends from this number',
    ]);
    assert.deepEqual(problemsOf({ ...env, ALDERO_SMS: 'telnyx-emulator' }), ['ALDERO_SMS=telnyx-emulator: development only; production uses `telnyx` or `sandbox`']);
    const live = loadConfig({ ...env, TELNYX_API_KEY: 'KEY0123456789', TELNYX_PUBLIC_KEY: 'A'.repeat(44), ALDERO_SHARED_FROM_NUMBER: '+18445550123' });
    assert.equal(live.smsMode, 'telnyx');
  });
});

describe('configuration: the list of variables', () => {
  test('unknown ALDERO_* names are reported (a typo), known ones and other names are not', () => {
    assert.deepEqual(unknownVariables({ ALDERO_MAX_BODY: '1', ALDERO_SMS: 'sandbox', ALDERO_SMS_POLL_MS: '5', HOME: '/root' }), ['ALDERO_MAX_BODY']);
  });

  test('every ALDERO_*, MONGODB_* and TELNYX_* name the server reads is in the list', () => {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const path = join(dir, entry.name);
        if (entry.isDirectory()) walk(path);
        else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) files.push(path);
      }
    };
    walk(join(root, 'server'));
    const listed = new Set(ENVIRONMENT.map((v) => v.name));
    const missing = new Set<string>();
    for (const file of files) {
      // The engine's own process and the command-line clients (cli.ts) are not the server.
      if (relative(root, file).startsWith('server/embedded-mongo/') || file.endsWith('/cli.ts')) continue;
      for (const [name] of readFileSync(file, 'utf8').matchAll(/\b(?:ALDERO|MONGODB|TELNYX)_[A-Z0-9_]*[A-Z0-9]\b/g)) {
        if (!listed.has(name)) missing.add(`${name} (${relative(root, file)})`);
      }
    }
    assert.deepEqual([...missing], []);
  });

  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const marked = /<!-- environment-table:start[^>]*-->\n([\s\S]*?)\n<!-- environment-table:end -->/.exec(readme);
  test('the README environment table is the one generated from the schema (npm run env-table)', { skip: marked ? false : 'README has no environment-table markers yet (production section not merged)' }, () => {
    assert.equal(marked![1], environmentTable());
  });
});

describe('configuration: a refused start exits 1 with one line per problem', () => {
  function start(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      cwd: root,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk) => (stderr += chunk));
    return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stderr })));
  }

  test('ALDERO_MAX_BODY_BYTES=16k', async () => {
    const { code, stderr } = await start({ NODE_ENV: 'test', ALDERO_MAX_BODY_BYTES: '16k', PORT: '0' });
    assert.equal(code, 1);
    assert.equal(stderr, 'Configuration refused:\n  ALDERO_MAX_BODY_BYTES=16k: expected a whole number of bytes, 1024-10485760 (e.g. 16384)\n');
  });

  test('NODE_ENV=production without MONGODB_URI', async () => {
    const { MONGODB_URI: _uri, ...env } = await productionEnv();
    const { code, stderr } = await start({ ...env, PORT: '0' });
    assert.equal(code, 1);
    assert.equal(
      stderr,
      'Configuration refused:\n  MONGODB_URI: required in production: a MongoDB replica set or Atlas connection string (ALDERO_EMBEDDED_DB=1 runs the in-memory engine on purpose)\n',
    );
  });
});
