import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { randomToken } from '../../server/crypto.ts';
import { startEmbeddedMongo } from '../../server/embedded-mongo/index.ts';
import type { SendQuotas } from '../../server/store/documents.ts';
import { startTestServer, type TestServer } from './server.ts';

export interface ServerProcess {
  url: string;
  adminKey: string;
  child: ChildProcess;
  stop(): Promise<void>;
}

/**
 * Starts `test/helpers/serve.ts` in its own OS process and waits for its ready line: every
 * `ALDERO_*` variable of `env` is its configuration (MONGODB_URI / MONGODB_DB join a database),
 * `quotas` the demo tenant's send quotas (by default raised out of the tests' way, as in
 * `startTestServer`).
 */
export async function spawnServerProcess(env: Record<string, string>, quotas?: Partial<SendQuotas>): Promise<ServerProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', new URL('./serve.ts', import.meta.url).pathname], {
    env: { ...process.env, ...env, ...(quotas ? { TEST_SERVER_QUOTAS: JSON.stringify(quotas) } : {}) },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout! });
  const ready = await new Promise<{ url: string; adminKey: string }>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('server process did not start in 30 s')), 30_000);
    child.once('exit', (code) => reject(new Error(`server process exited with ${code}`)));
    lines.once('line', (line) => {
      clearTimeout(timer);
      resolve(JSON.parse(line));
    });
  });
  return {
    ...ready,
    child,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}

/**
 * The child's side of that handshake, for a server script (serve.ts; any script the parent reads
 * the same way): prints `ready` as one JSON line on stdout, then runs `stop` and exits on
 * SIGTERM/SIGINT or when stdin closes (the parent is gone).
 */
export function announceReady(ready: Record<string, unknown>, stop: () => Promise<void>): void {
  process.stdout.write(JSON.stringify(ready) + '\n');
  const exit = async () => {
    await stop();
    process.exit(0);
  };
  process.once('SIGTERM', exit);
  process.once('SIGINT', exit);
  process.stdin.on('end', exit);
  process.stdin.resume();
}

export interface ProcessPair {
  /** The API in this test process. */
  local: TestServer;
  /** The API in a spawned process: the same database, the same configuration. */
  remote: ServerProcess;
  /** `count` requests, alternating between the two processes. */
  spread<T>(count: number, request: (url: string, index: number) => Promise<T>): Promise<T[]>;
  stop(): Promise<void>;
}

/**
 * Two API processes on one fresh database, configured alike (`env` over a shared admin key and
 * public URL, the demo tenant's `quotas`), as two instances behind one load balancer.
 */
export async function startProcessPair(options: { env?: Record<string, string>; quotas?: Partial<SendQuotas> } = {}): Promise<ProcessPair> {
  const engine = await startEmbeddedMongo();
  const dbName = `aldero_mp_${randomToken(6).replace(/[^a-z0-9]/gi, '')}`;
  // Behind one load balancer every process knows the public address clients use.
  const env = { ALDERO_ADMIN_KEY: `ak_acme_mp_${randomToken(12)}`, ALDERO_PUBLIC_URL: 'http://localhost:3000', ...options.env };
  let local: TestServer | undefined;
  let remote: ServerProcess;
  try {
    local = await startTestServer({ mongoUri: engine.uri, dbName, env, quotas: options.quotas });
    remote = await spawnServerProcess({ ...env, MONGODB_URI: engine.uri, MONGODB_DB: dbName }, options.quotas);
  } catch (error) {
    await local?.stop();
    await engine.stop();
    throw error;
  }
  const urls = [local.url, remote.url];
  return {
    local,
    remote,
    spread: (count, request) => Promise.all(Array.from({ length: count }, (_, index) => request(urls[index % urls.length]!, index))),
    async stop() {
      await remote.stop();
      await local.stop();
      await engine.stop();
    },
  };
}
