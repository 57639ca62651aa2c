/**
 * The packages a tenant installs, tried as a tenant would: `npm run pack` writes both tarballs,
 * a scratch project outside the repository installs them (with their registry dependencies, from
 * npm's cache when it has them), and then
 *   (a) Node enrolls a phone and signs in through @aldero/sdk against a running server,
 *   (b) TypeScript checks a React 19 TSX file that uses the elements and an SDK call,
 *   (c) a page on another origin loads /v1/elements/index.js from the tenant host and completes an
 *       enrollment and a challenge in Chromium, with no attribute but `mfa-token` / `accessToken`.
 */
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Browser } from 'playwright-core';
import { findChromium, launchChromium } from '../e2e/browser.ts';
import { latestCode, uniqueEmail, uniquePhone } from '../helpers/http.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const fixtures = fileURLToPath(new URL('./fixtures/', import.meta.url));
const sdkManifest = JSON.parse(readFileSync(join(root, 'components/packages/sdk/package.json'), 'utf8'));
const elementsManifest = JSON.parse(readFileSync(join(root, 'components/packages/elements/package.json'), 'utf8'));
const sdkTarball = join(root, `dist/packages/aldero-sdk-${sdkManifest.version}.tgz`);
const elementsTarball = join(root, `dist/packages/aldero-elements-${elementsManifest.version}.tgz`);
const tsc = join(root, 'node_modules/typescript/bin/tsc');

function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, ...env } });
  assert.equal(result.status, 0, `${command} ${args.join(' ')} failed:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/** For what talks to the server this process runs: a synchronous child would stall its event loop. */
async function runAsync(command: string, args: string[], cwd: string, env: Record<string, string> = {}) {
  try {
    return (await promisify(execFile)(command, args, { cwd, encoding: 'utf8', env: { ...process.env, ...env } })).stdout;
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    assert.fail(`${command} ${args.join(' ')} failed:\n${stdout ?? ''}\n${stderr ?? ''}`);
  }
}

let scratch: string;
let server: TestServer;

before(async () => {
  run(process.execPath, ['components/packages/pack.mjs'], root);
  scratch = mkdtempSync(join(tmpdir(), 'aldero-packages-'));
  writeFileSync(join(scratch, 'package.json'), JSON.stringify({ name: 'tenant-app', private: true, type: 'module' }));
  run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', sdkTarball, elementsTarball, '@types/react@^19'], scratch);
  server = await startTestServer();
});

after(async () => {
  await server?.stop();
  if (scratch) rmSync(scratch, { recursive: true, force: true });
});

test('npm run pack: two tarballs, each with its version, an exports map, a README and only what a user needs', () => {
  const listing = (tarball: string) => run('tar', ['tzf', tarball], root).trim().split('\n').map((path) => path.replace(/^package\//, '')).sort();
  const sdkFiles = listing(sdkTarball);
  assert.deepEqual(sdkFiles, ['README.md', 'index.js', 'package.json', 'types/api.d.ts', 'types/contract/errors.d.ts', 'types/contract/methods.d.ts', 'types/errors.d.ts', 'types/index.d.ts', 'types/router.d.ts']);
  const elementsFiles = listing(elementsTarball);
  for (const file of ['README.md', 'package.json', 'index.js', 'aldero-mfa-challenge.js', 'aldero-sms-enroll.js', 'aldero-recovery-codes.js', 'react.js', 'custom-elements.json', 'types/index.d.ts', 'types/react.d.ts']) {
    assert.ok(elementsFiles.includes(file), `@aldero/elements carries ${file}`);
  }
  for (const file of [...sdkFiles, ...elementsFiles]) {
    assert.match(file, /^(README\.md|package\.json|[a-z-]+\.js|chunks\/[\w-]+\.js|custom-elements\.json|types\/[\w/-]+\.d\.ts)$/, `no stray file: ${file}`);
  }
  const installed = (name: string) => JSON.parse(readFileSync(join(scratch, 'node_modules', name, 'package.json'), 'utf8'));
  assert.equal(installed('@aldero/sdk').version, sdkManifest.version);
  assert.equal(installed('@aldero/elements').version, elementsManifest.version);
  assert.ok(installed('@aldero/sdk').exports['.'].types);
  assert.ok(installed('@aldero/elements').exports['./aldero-mfa-challenge.js']);
  // The elements import exactly the packages they depend on (no @lit/task: shared/task.ts does its work).
  const elementsDir = join(scratch, 'node_modules/@aldero/elements');
  const imported = new Set<string>();
  for (const file of elementsFiles.filter((path) => path.endsWith('.js'))) {
    for (const [, specifier] of readFileSync(join(elementsDir, file), 'utf8').matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)['"]([^'"./][^'"]*)['"]/g)) {
      imported.add(specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]);
    }
  }
  assert.deepEqual([...imported].sort(), Object.keys(elementsManifest.dependencies).sort());
  assert.deepEqual(Object.keys(elementsManifest.dependencies).sort(), ['@aldero/sdk', 'libphonenumber-js', 'lit']);
  // The SDK ships no server code but the contract: no tRPC, no zod, no MongoDB, no DOM.
  const sdk = readFileSync(join(scratch, 'node_modules/@aldero/sdk/index.js'), 'utf8');
  assert.doesNotMatch(sdk, /@trpc|from ['"]zod|mongodb|HTMLElement|customElements/);
  // custom-elements.json describes the built modules, typed events included.
  const manifest = JSON.parse(readFileSync(join(scratch, 'node_modules/@aldero/elements/custom-elements.json'), 'utf8'));
  const challenge = manifest.modules.find((module: { path: string }) => module.path === 'aldero-mfa-challenge.js').declarations[0];
  assert.equal(challenge.tagName, 'aldero-mfa-challenge');
  assert.ok(challenge.attributes.some((attribute: { name: string }) => attribute.name === 'mfa-token'));
  assert.match(challenge.events.find((event: { name: string }) => event.name === 'aldero-verified').type.text, /^CustomEvent<\{ accessToken: string;/);
});

test('(a) @aldero/sdk from Node: enrollment and a login with the texted codes', async () => {
  copyFileSync(join(fixtures, 'sdk-flow.mjs'), join(scratch, 'sdk-flow.mjs'));
  const phone = uniquePhone();
  const output = await runAsync(process.execPath, ['sdk-flow.mjs'], scratch, { ALDERO_API_BASE: server.url, ALDERO_ADMIN_KEY: server.adminKey, EMAIL: uniqueEmail('sdk'), PHONE: phone });
  const seen = JSON.parse(output.trim().split('\n').at(-1)!);
  assert.equal(seen.setup.phone, phone);
  assert.equal(seen.setup.message, 'Verification code sent via SMS.');
  assert.equal(seen.recoveryCodes, 10);
  assert.deepEqual(seen.wrong, { name: 'AlderoError', code: 'MFA_INVALID_CODE', status: 400, attemptsRemaining: 4 });
  assert.deepEqual(seen.tokens, { accessToken: 'string', refreshToken: 'string', expiresIn: 900 });
  assert.equal(seen.baseUrl, `http://acme-sandbox.localhost:${new URL(server.url).port}`);
  assert.equal(seen.me.phone, phone);
  assert.deepEqual(seen.me.mfa, { sms: true, totp: false });
});

/** A tenant's React 19 app: the elements as JSX, their events typed, an SDK call typed by the router. */
const REACT_APP = `import '@aldero/elements/react';
import { AlderoClient, AlderoError, type RouterOutputs } from '@aldero/sdk';
import { useState } from 'react';

const aldero = new AlderoClient({ domain: 'aldero.io', tenantSlug: 'acme' });

export function SecuritySettings({ accessToken }: { accessToken: string }) {
  const [phone, setPhone] = useState<string>();
  return (
    <aldero-sms-enroll
      tenant="acme"
      domain="aldero.io"
      accessToken={accessToken}
      onaldero-enrolled={(event) => setPhone(event.detail.phone)}
      onaldero-error={(event) => console.warn(event.detail.code, event.detail.retryAfterSeconds)}
    >
      {phone}
    </aldero-sms-enroll>
  );
}

export function SignInChallenge({ mfaToken, onSession }: { mfaToken: string; onSession: (tokens: { accessToken: string }) => void }) {
  return (
    <aldero-mfa-challenge
      mfaToken={mfaToken}
      client={aldero}
      onaldero-verified={(event) => onSession({ accessToken: event.detail.accessToken })}
      onaldero-start-over={() => location.assign('/login')}
    />
  );
}

export async function verify(mfaToken: string, code: string): Promise<RouterOutputs['auth']['mfa']['verify']> {
  try {
    const tokens = await aldero.auth.mfa.verify({ mfaToken, method: 'sms', code });
    const seconds: number = tokens.expiresIn;
    void seconds;
    return tokens;
  } catch (error) {
    if (error instanceof AlderoError && error.code === 'MFA_INVALID_CODE') console.warn(error.context.attemptsRemaining);
    throw error;
  }
}

// The DOM knows the elements and their events too.
const element: HTMLElementTagNameMap['aldero-mfa-challenge'] = document.createElement('aldero-mfa-challenge');
element.mfaToken = 'token';
document.addEventListener('aldero-verified', (event) => event.detail.refreshToken.toUpperCase());

// What the types refuse.
// @ts-expect-error mfaToken is a string
export const wrongToken = <aldero-mfa-challenge mfaToken={42} />;
// @ts-expect-error aldero-enrolled carries the phone, not tokens
export const wrongDetail = <aldero-sms-enroll onaldero-enrolled={(event) => event.detail.accessToken} />;
// @ts-expect-error the guide's method names only
export const wrongMethod = () => aldero.auth.mfa.verify({ mfaToken: 't', method: 'email', code: '123456' });
`;

test('(b) a React 19 TSX file using the elements and an SDK call typechecks against the installed packages', () => {
  writeFileSync(join(scratch, 'app.tsx'), REACT_APP);
  writeFileSync(
    join(scratch, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        noEmit: true,
        skipLibCheck: false,
        jsx: 'react-jsx',
        module: 'ESNext',
        moduleResolution: 'Bundler',
        target: 'ES2022',
        lib: ['ES2023', 'DOM', 'DOM.Iterable'],
        types: [],
      },
      files: ['app.tsx'],
    }),
  );
  run(process.execPath, [tsc, '-p', 'tsconfig.json'], scratch);
});

test('/v1/elements/: the built modules from any host, to any origin, with ETags and long-cached chunks', async () => {
  const get = (path: string, headers: Record<string, string> = {}) => fetch(server.url + path, { headers: { origin: 'https://shop.example', ...headers } });
  const entry = await get('/v1/elements/index.js');
  assert.equal(entry.status, 200);
  assert.equal(entry.headers.get('content-type'), 'text/javascript; charset=utf-8');
  assert.equal(entry.headers.get('access-control-allow-origin'), '*');
  assert.equal(entry.headers.get('cache-control'), 'public, max-age=300');
  const etag = entry.headers.get('etag')!;
  assert.match(etag, /^"[\w-]+"$/);
  assert.equal(await entry.text(), readFileSync(join(root, 'dist/components/index.js'), 'utf8'));
  assert.equal((await get('/v1/elements/index.js', { 'if-none-match': etag })).status, 304);
  for (const name of ['aldero-mfa-challenge.js', 'aldero-sms-enroll.js', 'aldero-recovery-codes.js', 'custom-elements.json']) {
    assert.equal((await get(`/v1/elements/${name}`)).status, 200, name);
  }
  const chunk = /import\([`"']\.\/(chunks\/[\w-]+\.js)[`"']\)/.exec(readFileSync(join(root, 'dist/components/index.js'), 'utf8'))?.[1];
  assert.ok(chunk, 'index.js loads its languages as chunks');
  const chunkAnswer = await get(`/v1/elements/${chunk}`);
  assert.equal(chunkAnswer.status, 200);
  assert.equal(chunkAnswer.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  assert.equal((await get('/v1/elements/../package.json')).status, 404);
  assert.equal((await get('/v1/elements/chunks/missing-0000.js')).status, 404);
});

/** The tenant's page on its own origin: the script tag from the tenant host, the elements with no configuration. */
function tenantPage(scriptUrl: string, body: string) {
  return `<!doctype html>
<html lang="en">
  <head><meta charset="utf-8"><title>Tenant app</title></head>
  <body>
    <script type="module" src="${scriptUrl}"></script>
    ${body}
    <script>
      window.alderoEvents = [];
      for (const name of ['aldero-code-sent', 'aldero-enrolled', 'aldero-recovery-codes-saved', 'aldero-verified', 'aldero-error']) {
        document.addEventListener(name, (event) => window.alderoEvents.push({ name, detail: event.detail }));
      }
    </script>
  </body>
</html>`;
}

const chromium = findChromium();

test(
  '(c) a page on another origin loads /v1/elements/index.js from the tenant host and completes an enrollment and a challenge in Chromium',
  {
    skip: chromium ? false : 'no Chromium (set CHROME_PATH)',
    timeout: 60_000,
  },
  async () => {
    const port = new URL(server.url).port;
    const scriptUrl = `http://acme-sandbox.localhost:${port}/v1/elements/index.js`;
    const pages = createServer((req, res) => {
      const url = new URL(req.url!, 'http://page');
      const body =
        url.pathname === '/challenge'
          ? `<aldero-mfa-challenge mfa-token="${url.searchParams.get('token')!.replace(/[^\w.-]/g, '')}"></aldero-mfa-challenge>`
          : '<aldero-sms-enroll></aldero-sms-enroll>';
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(tenantPage(scriptUrl, body));
    });
    await new Promise<void>((resolve) => pages.listen(0, '127.0.0.1', resolve));
    const pageOrigin = `http://127.0.0.1:${(pages.address() as AddressInfo).port}`;
    let browser: Browser | undefined;
    try {
      // The tenant lets its app's origin call the API (the script itself is readable from anywhere).
      const { AlderoClient, AlderoError } = await import('../../components/client/index.ts');
      const backend = new AlderoClient({ tenantSlug: 'acme', sandbox: true, apiBase: server.url, adminKey: server.adminKey });
      await backend.admin.tenant.update({ allowedOrigins: [pageOrigin] });
      const user = new AlderoClient({ tenantSlug: 'acme', sandbox: true, apiBase: server.url });
      const email = uniqueEmail('page');
      const { accessToken } = await user.auth.signup({ email, password: 'correct horse battery staple' });
      const phone = uniquePhone();

      browser = await launchChromium(chromium!);
      const page = await browser.newPage();
      page.setDefaultTimeout(15_000);
      const events = () => page.evaluate(() => (window as unknown as { alderoEvents: { name: string; detail: Record<string, unknown> }[] }).alderoEvents);

      // Enrollment: the signed-in user's access token as a property, nothing else.
      await page.goto(`${pageOrigin}/enroll`);
      await page.evaluate(async (token) => {
        await customElements.whenDefined('aldero-sms-enroll');
        (document.querySelector('aldero-sms-enroll') as HTMLElement & { accessToken: string }).accessToken = token;
      }, accessToken);
      const enroll = page.locator('aldero-sms-enroll');
      await enroll.locator('[part~="disclosure"]').waitFor();
      await enroll.locator('#phone').fill(phone.slice(2));
      await enroll.locator('#send').click();
      await page.waitForFunction(() => (window as unknown as { alderoEvents: { name: string }[] }).alderoEvents.some((event) => event.name !== 'aldero-code-sent') || document.querySelector('aldero-sms-enroll')?.shadowRoot?.querySelector('#code'));
      const failure = (await events()).find((event) => event.name === 'aldero-error');
      assert.equal(failure, undefined, `the element could not call the API: ${JSON.stringify(failure?.detail)}`);
      await enroll.locator('#code').fill(await latestCode(server.url, server.adminKey, phone));
      await enroll.locator('aldero-recovery-codes [part~="acknowledge"]').click();
      await page.waitForFunction(() => (window as unknown as { alderoEvents: { name: string }[] }).alderoEvents.some((event) => event.name === 'aldero-enrolled'));
      assert.deepEqual((await events()).find((event) => event.name === 'aldero-enrolled')!.detail, { phone });

      // The challenge: the mfa_token of the login as the one attribute.
      const mfaToken = await user.auth.login({ email, password: 'correct horse battery staple' }).then(
        () => assert.fail('the login asks for the second factor'),
        (error: unknown) => (error instanceof AlderoError && error.code === 'mfa_required' ? String(error.context.mfa_token) : Promise.reject(error)),
      );
      await page.goto(`${pageOrigin}/challenge?token=${encodeURIComponent(mfaToken)}`);
      const challenge = page.locator('aldero-mfa-challenge');
      await challenge.locator('#code').waitFor();
      await challenge.locator('#code').fill(await latestCode(server.url, server.adminKey, phone));
      await page.waitForFunction(() => (window as unknown as { alderoEvents: { name: string }[] }).alderoEvents.some((event) => event.name === 'aldero-verified' || event.name === 'aldero-error'));
      const verified = (await events()).find((event) => event.name === 'aldero-verified');
      assert.ok(verified, `verified, not ${JSON.stringify(await events())}`);
      assert.equal(typeof verified.detail.accessToken, 'string');
    } finally {
      await browser?.close();
      await new Promise((resolve) => pages.close(resolve));
    }
  },
);
