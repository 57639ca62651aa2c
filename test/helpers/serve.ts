/**
 * Starts a real API process and prints one JSON line `{"url","adminKey","tenant"}` on stdout when
 * it is ready; for the browser suites and the several-process tests. With MONGODB_URI (and
 * MONGODB_DB) it joins that database instead of starting its own engine. Stops on SIGTERM/SIGINT
 * or when stdin closes.
 */
import { startTestServer } from './server.ts';

const server = await startTestServer({
  mongoUri: process.env.MONGODB_URI || undefined,
  dbName: process.env.MONGODB_DB || undefined,
  env: {
    ALDERO_LOG_LEVEL: process.env.ALDERO_LOG_LEVEL ?? 'error',
    ...(process.env.ALDERO_ADMIN_KEY ? { ALDERO_ADMIN_KEY: process.env.ALDERO_ADMIN_KEY } : {}),
    ...(process.env.ALDERO_PUBLIC_URL ? { ALDERO_PUBLIC_URL: process.env.ALDERO_PUBLIC_URL } : {}),
  },
});
process.stdout.write(JSON.stringify({ url: server.url, adminKey: server.adminKey, tenant: 'acme' }) + '\n');
const stop = async () => {
  await server.stop();
  process.exit(0);
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.resume();
