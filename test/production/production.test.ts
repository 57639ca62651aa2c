/**
 * The production path end to end (issue 14), on a fresh clone of this repository's HEAD: `npm ci`,
 * `npm run build`, `npm prune --omit=dev`, then `NODE_ENV=production npm run start:prod` against
 * the embedded engine started as its own process (through MONGODB_URI, as a real MongoDB would
 * be), the guide's flow over HTTP, the demo's files, and SIGTERM (to npm, which forwards it) while
 * requests are in flight: every one answered, exit 0, no process left serving.
 *
 * The same commands as the Dockerfile and compose.yaml. Slow by nature (a real install and build,
 * about 2-3 minutes here): `node test/run-node-tests.mjs production`.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { call, latestCode, signUp, uniqueEmail, uniquePhone } from '../helpers/http.ts';
import { alive, cleanEnv, freePort, productionEnvironment, root, run, startEngineProcess, startServerProcess, type EngineProcess, type ServerProcess } from './fixture.ts';

const work = mkdtempSync(join(tmpdir(), 'aldero-production-'));
const clone = join(work, 'aldero');
const timings: Record<string, number> = {};
let engine: EngineProcess;
let server: ServerProcess;
let env: Record<string, string>;

before(
  async () => {
    // Committed code only: what a deployment builds.
    timings.clone = (await run('git', ['clone', '--quiet', '--no-hardlinks', root, clone])).ms;
    // Install and build with the development dependencies; no NODE_ENV (the test runner's `test` would not matter, `production` would omit them).
    const buildEnv = cleanEnv({});
    timings['npm ci'] = (await run('npm', ['ci', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: clone, env: buildEnv })).ms;
    timings['npm run build'] = (await run('npm', ['run', 'build'], { cwd: clone, env: buildEnv })).ms;
    timings['npm prune --omit=dev'] = (await run('npm', ['prune', '--omit=dev', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: clone, env: buildEnv })).ms;
    console.log(`production build timings (ms): ${JSON.stringify(timings)}`);

    engine = await startEngineProcess();
    const port = await freePort();
    const adminKey = `ak_acme_prod_${randomBytes(24).toString('base64url')}`;
    env = await productionEnvironment({ PORT: String(port), MONGODB_URI: engine.uri, ALDERO_ADMIN_KEY: adminKey, ALDERO_SHUTDOWN_TIMEOUT_MS: '10000' });
    server = await startServerProcess('npm', ['run', 'start:prod', '--silent'], { cwd: clone, env: cleanEnv(env), port });
  },
  { timeout: 600_000 },
);

after(async () => {
  if (server && server.child.exitCode === null) server.child.kill('SIGKILL');
  await engine?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('production build and start, on a fresh clone', () => {
  test('the build is plain JavaScript, and only production dependencies are installed', () => {
    assert.ok(existsSync(join(clone, 'dist/server/main.js')), 'dist/server/main.js');
    assert.ok(existsSync(join(clone, 'dist/demo/index.html')), 'dist/demo/index.html');
    assert.ok(existsSync(join(clone, 'dist/components/index.js')), 'dist/components/index.js');
    // (typescript stays: a peer dependency of @trpc; esbuild stays while tsx is a dependency.)
    for (const dev of ['vite', '@web/test-runner', '@custom-elements-manifest/analyzer', 'autocannon']) {
      assert.ok(!existsSync(join(clone, 'node_modules', dev)), `${dev} (a devDependency) was pruned`);
    }
    const main = readFileSync(join(clone, 'dist/server/main.js'), 'utf8');
    assert.doesNotMatch(main, /from '\.[^']*\.ts'/, 'relative imports point at .js files');
  });

  test('it runs as production: demo files served, no demo config, health answering', async () => {
    const page = await fetch(`${server.url}/`);
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /text\/html/);
    const html = await page.text();
    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    assert.ok(asset, 'the page loads a built script');
    const script = await fetch(`${server.url}${asset}`);
    assert.equal(script.status, 200);
    assert.match(script.headers.get('content-type') ?? '', /javascript/);
    const element = await fetch(`${server.url}/v1/elements/aldero-mfa-challenge.js`);
    assert.equal(element.status, 200, 'the element bundles are served');
    assert.match(element.headers.get('content-type') ?? '', /javascript/);
    assert.equal((await fetch(`${server.url}/demo-config.json`)).status, 404);
    assert.equal((await fetch(`${server.url}/healthz`)).status, 200);
    assert.match(server.output(), /"level":"info".*"message":"Aldero SMS MFA listening on/);
  });

  test("the guide's flow over HTTP: signup, setup, confirm, login → mfa_required, verify", async () => {
    const base = server.url;
    const adminKey = env.ALDERO_ADMIN_KEY!;
    const user = await signUp(base);
    const phone = uniquePhone();
    const setup = await call(base, 'POST', '/v1/auth/mfa/sms/setup', { body: { phone }, token: user.accessToken });
    assert.equal(setup.status, 200, JSON.stringify(setup.body));
    const confirm = await call(base, 'POST', '/v1/auth/mfa/sms/confirm', { body: { code: await latestCode(base, adminKey, phone) }, token: user.accessToken });
    assert.equal(confirm.status, 200, JSON.stringify(confirm.body));
    assert.equal(confirm.body.recoveryCodes.length, 10);
    const login = await call(base, 'POST', '/v1/auth/login', { body: { email: user.email, password: user.password } });
    assert.equal(login.status, 403);
    assert.equal(login.body.error, 'mfa_required');
    const verify = await call(base, 'POST', '/v1/auth/mfa/verify', { body: { mfa_token: login.body.mfa_token, method: 'sms', code: await latestCode(base, adminKey, phone) } });
    assert.equal(verify.status, 200, JSON.stringify(verify.body));
    assert.ok(verify.body.accessToken);
    // Errors keep the stable body and carry no stack in production.
    const wrong = await call(base, 'POST', '/v1/auth/login', { body: { email: user.email, password: 'wrong password here' } });
    assert.equal(wrong.status, 401);
    assert.doesNotMatch(JSON.stringify(wrong.body), /at .*\.js:\d+/);
  });

  test('SIGTERM to npm while requests are in flight: every one answered, exit 0, nothing left serving', async () => {
    const base = new URL(server.url);
    /**
     * A signup over its own connection (a write: a user stored, tokens issued). `split`: the body arrives in two halves, so the request is
     * in flight at the server until `finish()`; otherwise it is sent whole at once.
     */
    const signup = (split: boolean) => {
      const body = JSON.stringify({ email: uniqueEmail('drain'), password: 'correct horse battery' });
      const req = request({ host: base.hostname, port: base.port, method: 'POST', path: '/v1/auth/signup', agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'x-aldero-tenant': 'acme-sandbox' } });
      const answer = new Promise<{ status: number; connection: string | undefined }>((resolve, reject) => {
        req.once('response', (res) => {
          res.resume();
          res.once('end', () => resolve({ status: res.statusCode!, connection: res.headers.connection }));
        });
        req.once('error', reject);
      });
      const connected = new Promise<void>((resolve) => req.once('socket', (socket) => socket.once('connect', () => resolve())));
      if (split) req.write(body.slice(0, 10));
      else req.end(body);
      return { connected, answer, finish: () => req.end(body.slice(10)) };
    };
    const slow = Array.from({ length: 20 }, () => signup(true));
    const whole = Array.from({ length: 20 }, () => signup(false));
    await Promise.all([...slow, ...whole].map((r) => r.connected));
    // Let the server accept every connection and read the slow requests' headers.
    await new Promise((resolve) => setTimeout(resolve, 300));

    const nodePids = (await run('pgrep', ['-P', String(server.child.pid)]).catch(() => ({ output: '' }))).output.split('\n').filter(Boolean).map(Number);
    assert.ok(nodePids.length > 0, 'npm runs node as its child');
    assert.ok(process.kill(server.child.pid!, 'SIGTERM'));
    await new Promise((resolve) => setTimeout(resolve, 500));
    // Stopped accepting: a new connection is refused while the old ones are still answered.
    await assert.rejects(fetch(`${server.url}/healthz`));
    for (const r of slow) r.finish();

    const answers = await Promise.all([...slow, ...whole].map((r) => r.answer));
    // Answered, every one: created, or refused by the per-IP signup limit (one IP sends all 40).
    assert.deepEqual(answers.filter((a) => a.status !== 201 && a.status !== 429), []);
    assert.ok(answers.some((a) => a.status === 201));
    // The ones answered while stopping tell the client not to reuse the connection.
    assert.deepEqual(slow.map((_, i) => answers[i]!.connection), Array(20).fill('close'));
    const exit = await server.exited;
    assert.deepEqual(exit, { code: 0, signal: null }, server.output().slice(-2000));
    for (const pid of nodePids) assert.ok(!alive(pid), `the node process ${pid} exited with npm`);
    assert.match(server.output(), /"answered":\d+,"cutOff":0,"message":"stopped"/);
  });
});
