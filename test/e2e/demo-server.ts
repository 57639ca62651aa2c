import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import { startApp } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { randomToken } from '../../server/crypto.ts';
import { startEmbeddedMongo } from '../../server/embedded-mongo/index.ts';

export interface DemoServer {
  /** Where the demo and the API are served, on one origin (as `npm start` does). */
  url: string;
  adminKey: string;
  stop(): Promise<void>;
}

/**
 * What `npm start` runs, for the end-to-end suite: a fresh `vite build` of the demo (into a
 * temporary directory, so a running `npm start` keeps its dist/), the embedded engine, and one API
 * process serving the build at `/`, with the demo tenant and its /demo-config.json.
 */
export async function startDemoServer(): Promise<DemoServer> {
  const outDir = mkdtempSync(join(tmpdir(), 'aldero-demo-'));
  const [, engine] = await Promise.all([
    build({
      configFile: fileURLToPath(new URL('../../vite.config.ts', import.meta.url)),
      logLevel: 'warn',
      build: { outDir, emptyOutDir: true, sourcemap: false },
    }),
    startEmbeddedMongo(),
  ]);
  const adminKey = `ak_acme_e2e_${randomToken(12)}`;
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    ALDERO_ADMIN_KEY: adminKey,
    MONGODB_DB: 'aldero_e2e',
    ALDERO_LOG_LEVEL: process.env.ALDERO_LOG_LEVEL ?? 'error',
  });
  const app = await startApp({ config, mongoUri: engine.uri, demoDir: outDir });
  return {
    url: `http://127.0.0.1:${app.deps.config.port}`,
    adminKey,
    async stop() {
      await app.stop();
      await engine.stop();
      rmSync(outDir, { recursive: true, force: true });
    },
  };
}
