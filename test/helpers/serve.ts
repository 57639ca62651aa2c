/**
 * Starts a real API process and prints one JSON line `{"url","adminKey","tenant"}` on stdout when
 * it is ready; for the several-process tests (`spawnServerProcess`). Every
 * `ALDERO_*` variable of its environment is its configuration; `TEST_SERVER_QUOTAS` (JSON) the demo
 * tenant's send quotas. With MONGODB_URI (and MONGODB_DB) it joins that database instead of
 * starting its own engine. Stops on SIGTERM/SIGINT or when stdin closes.
 */
import { announceReady } from './process.ts';
import { startTestServer } from './server.ts';

const env: Record<string, string> = {};
for (const [name, value] of Object.entries(process.env)) if (name.startsWith('ALDERO_') && value) env[name] = value;
const server = await startTestServer({
  mongoUri: process.env.MONGODB_URI || undefined,
  dbName: process.env.MONGODB_DB || undefined,
  env,
  quotas: process.env.TEST_SERVER_QUOTAS ? JSON.parse(process.env.TEST_SERVER_QUOTAS) : undefined,
});
announceReady({ url: server.url, adminKey: server.adminKey, tenant: 'acme' }, () => server.stop());
