/**
 * An API process for the several-process security tests: joins MONGODB_URI / MONGODB_DB, takes
 * every `ALDERO_*` variable of its environment as configuration and `SECURITY_QUOTAS` (JSON) as
 * the demo tenant's quotas, and prints `{"url","adminKey"}` when ready. Stops on SIGTERM or when
 * stdin closes.
 */
import { startTestServer } from '../helpers/server.ts';

const env: Record<string, string> = {};
for (const [name, value] of Object.entries(process.env)) if (name.startsWith('ALDERO_') && value !== undefined) env[name] = value;
const server = await startTestServer({
  mongoUri: process.env.MONGODB_URI || undefined,
  dbName: process.env.MONGODB_DB || undefined,
  env,
  quotas: process.env.SECURITY_QUOTAS ? JSON.parse(process.env.SECURITY_QUOTAS) : undefined,
});
process.stdout.write(JSON.stringify({ url: server.url, adminKey: server.adminKey }) + '\n');
const stop = async () => {
  await server.stop();
  process.exit(0);
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.resume();
