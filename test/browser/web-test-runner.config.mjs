// Component tests in headless Chromium, against a real Aldero server.
//
//   npx wtr --config test/browser/web-test-runner.config.mjs
//
// The config starts the API once for the run (`node --import tsx test/browser/api-server.ts`:
// embedded MongoDB engine, sandbox SMS, demo tenant `acme`, its live environment sending through
// the Telnyx emulator) and proxies `/v1/*`, `/trpc/*` and `/.well-known/*` from the test page's
// own origin to it, so the API is same-origin with the page and the trusted-device cookie works.
// Tests read the admin key (for the sandbox inbox) from `GET /__aldero/test-config`, and the API's
// own address (`url`, http://127.0.0.1:{port}) for the tests that call it from another site, as a
// tenant's page on its own domain does. `/__aldero/telnyx/*` are the emulator's test controls
// (api-server.ts: a number Telnyx refuses, a receipt, the messages Telnyx accepted).
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import http from 'node:http';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { esbuildPlugin } from '@web/dev-server-esbuild';
import { chromeLauncher } from '@web/test-runner-chrome';

const root = fileURLToPath(new URL('../../', import.meta.url));
const SERVER_START_TIMEOUT_MS = 90_000;
const PROXIED = /^\/(v1|trpc|\.well-known)\//;
/** Hop-by-hop headers stay with their own connection. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'proxy-connection', 'te', 'trailer']);

const executablePath = process.env.CHROME_PATH ?? '/usr/bin/chromium';
if (!existsSync(executablePath)) {
  throw new Error(
    `No Chromium at ${executablePath}: install it with \`apt-get install chromium\` or set CHROME_PATH to a Chrome/Chromium binary.`,
  );
}

/** Starts the API and resolves with its first stdout line: `{"url","adminKey","tenant","telnyx"}`. */
function startServer() {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/browser/api-server.ts'], {
    cwd: root,
    env: { ...process.env, ALDERO_LOG_LEVEL: process.env.ALDERO_LOG_LEVEL ?? 'error' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-4000);
  });
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the server did not start within ${SERVER_START_TIMEOUT_MS} ms`)), SERVER_START_TIMEOUT_MS);
    const lines = createInterface({ input: child.stdout });
    lines.once('line', (line) => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(line));
      } catch {
        reject(new Error(`the server printed ${JSON.stringify(line)} instead of its JSON line`));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`the server exited (${code}) before it was ready:\n${stderr}`));
    });
  });
  return { child, ready };
}

const server = startServer();
/** What the tests learn about the server, or why there is none (the flow tests then fail saying so). */
const serverInfo = await server.ready.then(
  (info) => ({ ...info, available: true }),
  (error) => ({ available: false, error: `The Aldero API is not available: ${error.message}` }),
);
if (!serverInfo.available) console.error(serverInfo.error);
const stopServer = () => {
  if (server.child.exitCode === null) server.child.kill('SIGTERM');
};
process.once('exit', stopServer);

const TELNYX_CONTROLS = '/__aldero/telnyx/';

/** Koa middleware: the API on the test page's origin, and the emulator's controls at `/__aldero/telnyx/*`. */
function proxyToApi(ctx, next) {
  const controls = ctx.path.startsWith(TELNYX_CONTROLS);
  if (!controls && !PROXIED.test(ctx.path)) return next();
  if (!serverInfo.available) {
    ctx.status = 503;
    ctx.body = { error: 'SERVER_UNAVAILABLE', message: serverInfo.error };
    return undefined;
  }
  const target = controls
    ? new URL(ctx.url.slice(TELNYX_CONTROLS.length - 1), serverInfo.telnyx)
    : new URL(ctx.url, serverInfo.url);
  const headers = {};
  for (const [name, value] of Object.entries(ctx.req.headers)) {
    if (!HOP_BY_HOP.has(name) && name !== 'host') headers[name] = value;
  }
  headers.host = target.host;
  ctx.respond = false;
  return new Promise((resolve) => {
    const upstream = http.request(target, { method: ctx.method, headers }, (response) => {
      const out = {};
      for (const [name, value] of Object.entries(response.headers)) {
        if (!HOP_BY_HOP.has(name) && value !== undefined) out[name] = value;
      }
      ctx.res.writeHead(response.statusCode ?? 502, out);
      response.pipe(ctx.res);
      response.on('end', resolve);
    });
    upstream.on('error', (error) => {
      if (!ctx.res.headersSent) ctx.res.writeHead(502, { 'content-type': 'application/json' });
      ctx.res.end(JSON.stringify({ error: 'PROXY_ERROR', message: error.message }));
      resolve();
    });
    ctx.req.pipe(upstream);
  });
}

/** Koa middleware: `GET /__aldero/test-config` → the API's admin key, tenant and address, for the tests. */
function testConfig(ctx, next) {
  if (ctx.path !== '/__aldero/test-config') return next();
  ctx.body = serverInfo.available
    ? { available: true, tenant: serverInfo.tenant, adminKey: serverInfo.adminKey, url: serverInfo.url }
    : { available: false, error: serverInfo.error };
  return undefined;
}

export default {
  rootDir: root,
  files: ['test/browser/**/*.test.ts'],
  nodeResolve: true,
  concurrency: 1,
  testsFinishTimeout: 10 * 60_000,
  testFramework: { config: { timeout: 30_000 } },
  middleware: [testConfig, proxyToApi],
  // Lit announces its development build on every page; everything else the page logs is shown.
  filterBrowserLogs: ({ args }) => !String(args[0]).startsWith('Lit is in dev mode'),
  plugins: [
    esbuildPlugin({ ts: true, tsconfig: fileURLToPath(new URL('../../tsconfig.json', import.meta.url)), target: 'es2022' }),
    { name: 'aldero-server', serverStop: stopServer },
  ],
  browsers: [
    chromeLauncher({
      launchOptions: {
        executablePath,
        headless: true,
        args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run'],
      },
    }),
  ],
};
