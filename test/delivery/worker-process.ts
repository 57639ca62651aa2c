/**
 * An outbox worker in its own OS process, for the crash tests: connects to the database named
 * in its environment, prints `ready`, and drains the outbox through the Telnyx emulator once
 * it reads `start` on stdin (so the parent can have the next worker loaded before it kills
 * the current one). The parent kills it with SIGKILL mid-drain; SIGTERM stops it cleanly.
 *
 *   WORKER_MONGO_URI, WORKER_DB, WORKER_SECRET, WORKER_SETTINGS (JSON), TELNYX_*, ALDERO_SHARED_*
 */
import { createInterface } from 'node:readline';
import { createAuditSink } from '../../server/audit/index.ts';
import { systemClock } from '../../server/clock.ts';
import { loadConfig } from '../../server/config.ts';
import { createDispatcher, type DeliverySettings } from '../../server/delivery/index.ts';
import { createLogger } from '../../server/log.ts';
import { connectStore } from '../../server/store/index.ts';

const env = process.env;
const store = await connectStore(env.WORKER_MONGO_URI!, env.WORKER_DB!);
const settings = JSON.parse(env.WORKER_SETTINGS ?? '{}') as Partial<DeliverySettings>;
const dispatcher = createDispatcher(
  {
    store,
    clock: systemClock,
    log: createLogger(env.DELIVERY_TEST_LOG ? 'debug' : 'error', (line) => process.stderr.write(line + '\n')),
    config: loadConfig({ ...env, ALDERO_SMS: 'telnyx' }),
    keys: { secret: env.WORKER_SECRET! },
    audit: createAuditSink({ store, clock: systemClock }),
  },
  settings,
);
process.stdout.write('ready\n');
createInterface({ input: process.stdin }).on('line', (line) => {
  if (line.trim() === 'start') dispatcher.start();
});

process.on('SIGTERM', () => {
  void dispatcher
    .stop()
    .then(() => store.close())
    .finally(() => process.exit(0));
});
