/**
 * Where the process's data lives: `MONGODB_URI`, or (development, or production with
 * `ALDERO_EMBEDDED_DB=1`) the embedded engine started here. The one place, besides tests, that
 * knows the engine exists; everything else gets a URI. Also the process entry's lifecycle: start,
 * then stop on SIGTERM/SIGINT.
 */
import { ConfigError, type Config } from './config.ts';

export async function openDatabase(
  config: Pick<Config, 'mongodbUri' | 'production' | 'embeddedDb'> | string | undefined,
): Promise<{ mongoUri: string; stopEngine?: () => Promise<void> }> {
  const mongodbUri = typeof config === 'object' ? config.mongodbUri : config;
  if (mongodbUri) return { mongoUri: mongodbUri };
  if (typeof config === 'object' && config.production && !config.embeddedDb) {
    throw new ConfigError(['MONGODB_URI: required in production']);
  }
  const { startEmbeddedMongo } = await import('./embedded-mongo/index.ts');
  const engine = await startEmbeddedMongo();
  console.log(`Embedded MongoDB engine (in memory, development only) at ${engine.uri}; set MONGODB_URI for a real database.`);
  return { mongoUri: engine.uri, stopEngine: engine.stop };
}

/**
 * Runs a process entry (npm start, npm run dev, npm run start:prod): `start` returns how to stop
 * what it started, which the first SIGINT/SIGTERM then does before exiting 0 (a second signal
 * exits 1 at once). A refused configuration prints one line per problem and exits 1; any other
 * failed start prints its message and exits 1.
 */
export function runUntilSignalled(start: () => Promise<() => Promise<void>>): void {
  let stopping = false;
  let stop: (() => Promise<void>) | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      console.error(`${signal} again: exiting without waiting.`);
      process.exit(1);
    }
    stopping = true;
    if (!stop) return; // still starting: stopped as soon as it has started (below)
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(`Stopping failed: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  start()
    .then((stopper) => {
      stop = stopper;
      // A signal during start-up: stop what has started, now.
      if (stopping) void stopper().then(() => process.exit(0), () => process.exit(1));
    })
    .catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    });
}
