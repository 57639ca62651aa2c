/**
 * Runs the embedded MongoDB engine as its own process so that several server processes can
 * share one engine:
 *
 *   node --import tsx server/embedded-mongo/cli.ts --port 27099 [--host 127.0.0.1] [--ttl-sweep-ms 1000]
 *
 * Prints the connection string as the first line of stdout (use it as MONGODB_URI) and stops
 * cleanly on SIGINT/SIGTERM or when stdin closes with --exit-on-stdin-close.
 */
import { parseArgs } from 'node:util';
import { startEmbeddedMongo } from './index.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '27099' },
    host: { type: 'string', default: '127.0.0.1' },
    'ttl-sweep-ms': { type: 'string', default: '1000' },
    'exit-on-stdin-close': { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});

if (values.help) {
  process.stdout.write('usage: node --import tsx server/embedded-mongo/cli.ts [--port 27099] [--host 127.0.0.1] [--ttl-sweep-ms 1000] [--exit-on-stdin-close]\n');
  process.exit(0);
}

const port = Number(values.port);
const ttlSweepMs = Number(values['ttl-sweep-ms']);
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  process.stderr.write(`embedded-mongo: invalid --port ${values.port}\n`);
  process.exit(2);
}
if (!Number.isFinite(ttlSweepMs) || ttlSweepMs <= 0) {
  process.stderr.write(`embedded-mongo: invalid --ttl-sweep-ms ${values['ttl-sweep-ms']}\n`);
  process.exit(2);
}

const engine = await startEmbeddedMongo({ port, host: values.host, ttlSweepMs });
process.stdout.write(`${engine.uri}\n`);
process.stderr.write(`embedded-mongo: in-memory MongoDB engine (dev/test fixture) listening on ${values.host}:${engine.port}\n`);

let stopping = false;
async function shutdown(): Promise<void> {
  if (stopping) return;
  stopping = true;
  await engine.stop();
  process.exit(0);
}
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
if (values['exit-on-stdin-close']) {
  process.stdin.on('end', shutdown);
  process.stdin.on('close', shutdown);
  process.stdin.resume();
}
