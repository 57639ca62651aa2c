/**
 * Processes for the production tests: the embedded engine as its own process (its CLI, reached
 * through MONGODB_URI like a real MongoDB), a server process with a complete production
 * environment, and the small waits around them.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { createInterface } from 'node:readline';
import { exportJWK, generateKeyPair } from 'jose';

export const root = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');

/** Runs a command to the end; throws with the tail of its output when it fails. */
export function run(command: string, args: string[], options: SpawnOptions = {}): Promise<{ output: string; ms: number }> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout!.on('data', (chunk) => (output += chunk));
    child.stderr!.on('data', (chunk) => (output += chunk));
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (code === 0) resolve({ output, ms: Date.now() - started });
      else reject(new Error(`${command} ${args.join(' ')} exited with ${code ?? signal}:\n${output.slice(-4000)}`));
    });
  });
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface EngineProcess {
  uri: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/** `node --import tsx server/embedded-mongo/cli.ts` from this checkout: a database in its own process (SIGSTOP-able). */
export async function startEngineProcess(port = 0): Promise<EngineProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/embedded-mongo/cli.ts', '--port', String(port)], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr!.resume();
  const uri = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the engine did not start in 30 s')), 30_000);
    child.once('exit', (code) => reject(new Error(`the engine exited with ${code}`)));
    createInterface({ input: child.stdout! }).once('line', (line) => {
      clearTimeout(timer);
      resolve(line.trim());
    });
  });
  return { uri, child, stop: async () => void (await stopProcess(child)) };
}

/** SIGTERM, then SIGKILL after `graceMs`; resolves with the exit code. */
export function stopProcess(child: ChildProcess, graceMs = 15_000): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
    try {
      process.kill(child.pid!, 'SIGCONT');
    } catch {
      // gone already
    }
    child.kill('SIGTERM');
  });
}

/** Everything production requires (issue 14), with fresh keys; the demo tenant seeded on purpose for the guide's flow. */
export async function productionEnvironment(overrides: Record<string, string> = {}): Promise<Record<string, string>> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true });
  return {
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    MONGODB_DB: `aldero_prod_${Date.now().toString(36)}`,
    ALDERO_SECRET: `secret-${'x'.repeat(40)}-${Math.random().toString(36).slice(2)}`,
    ALDERO_JWT_PRIVATE_JWK: JSON.stringify({ ...(await exportJWK(privateKey)), kid: 'prod-test', alg: 'ES256' }),
    ALDERO_PLATFORM_KEY: `pk_${'p'.repeat(40)}`,
    ALDERO_SMS: 'sandbox',
    ALDERO_DEMO_TENANT: '1',
    ALDERO_ADMIN_KEY: `ak_acme_prod_${randomBytes(24).toString('base64url')}`,
    ALDERO_LOG_LEVEL: 'info',
    ...overrides,
  };
}

/** The environment of a child process: this one's PATH and HOME, none of the test runner's NODE_* settings. */
export function cleanEnv(extra: Record<string, string>): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'LANG', 'npm_config_cache']) if (process.env[name]) env[name] = process.env[name]!;
  return { ...env, ...extra };
}

export interface ServerProcess {
  url: string;
  child: ChildProcess;
  /** Everything the process wrote, stdout and stderr. */
  output(): string;
  /** Resolves with the exit code (null when killed by a signal). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Starts a server command and waits until `GET /healthz` answers 200. */
export async function startServerProcess(command: string, args: string[], options: { cwd: string; env: Record<string, string>; port: number }): Promise<ServerProcess> {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (chunk) => (output += chunk));
  child.stderr!.on('data', (chunk) => (output += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const url = `http://127.0.0.1:${options.port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`the server exited with ${child.exitCode}:\n${output}`);
    const ok = await fetch(`${url}/healthz`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`the server did not answer /healthz in 60 s:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return { url, child, output: () => output, exited };
}

/** Whether a process id is still alive. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
