/**
 * `npm run dev`: the API exactly as `npm start` wires it (embedded MongoDB engine unless
 * MONGODB_URI is set, demo tenant, sandbox SMS) plus Vite's dev server for the demo, with hot
 * reload of the demo and the components. Vite proxies /v1, /trpc, /.well-known and
 * /demo-config.json to the API, so the page and the API share one origin as with `npm start`.
 */
import { createServer } from 'vite';
import { fileURLToPath } from 'node:url';
import { startApp } from './app.ts';
import { loadConfig } from './config.ts';
import { openDatabase, runUntilSignalled } from './database.ts';
import { createLogger } from './log.ts';

async function main(): Promise<() => Promise<void>> {
  const config = loadConfig();
  const { mongoUri, stopEngine } = await openDatabase(config);
  const app = await startApp({ config, mongoUri, log: createLogger(config.logLevel) });
  // The proxy reaches the API over loopback, so /demo-config.json (loopback only) is served to it.
  process.env.ALDERO_API_URL = `http://127.0.0.1:${config.port}`;

  const vite = await createServer({
    configFile: fileURLToPath(new URL('../vite.config.ts', import.meta.url)),
    server: { port: Number(process.env.VITE_PORT ?? 5173), strictPort: false },
  });
  await vite.listen();
  const demoUrl = vite.resolvedUrls?.local[0] ?? `http://localhost:${vite.config.server.port}/`;

  console.log(`Aldero API listening on ${app.url}`);
  if (app.demoAdminKey) console.log(`Demo tenant "acme" admin key: ${app.demoAdminKey}`);
  if (app.platformKey) console.log(`Platform key (generated for this run): ${app.platformKey}`);
  console.log(`Demo (Vite dev server, hot reload; API proxied): ${demoUrl}`);

  return async () => {
    await vite.close();
    await app.drain(config.shutdownTimeoutMs);
    await app.stop();
    await stopEngine?.();
  };
}

runUntilSignalled(main);
