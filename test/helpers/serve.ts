/**
 * Starts a real API process for the browser suites and prints one JSON line
 * `{"url","adminKey","tenant"}` on stdout when it is ready. Stops on SIGTERM or when stdin closes.
 */
import { startTestServer } from './server.ts';

const server = await startTestServer({ env: { ALDERO_LOG_LEVEL: 'error' } });
process.stdout.write(JSON.stringify({ url: server.url, adminKey: server.adminKey, tenant: 'acme' }) + '\n');
const stop = async () => {
  await server.stop();
  process.exit(0);
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.resume();
