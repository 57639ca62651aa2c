import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { SendQuotas } from '../../server/store/documents.ts';

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
