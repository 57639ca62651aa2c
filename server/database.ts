/**
 * Where the process's data lives: `MONGODB_URI`, or (development) the embedded engine started
 * here. The one place, besides tests, that knows the engine exists; everything else gets a URI.
 */
export async function openDatabase(mongodbUri: string | undefined): Promise<{ mongoUri: string; stopEngine?: () => Promise<void> }> {
  if (mongodbUri) return { mongoUri: mongodbUri };
  const { startEmbeddedMongo } = await import('./embedded-mongo/index.ts');
  const engine = await startEmbeddedMongo();
  console.log(`Embedded MongoDB engine (in memory, development only) at ${engine.uri}; set MONGODB_URI for a real database.`);
  return { mongoUri: engine.uri, stopEngine: engine.stop };
}

/**
 * Runs a process entry (npm start, npm run dev): `start` returns how to stop what it started,
 * which SIGINT/SIGTERM then do before exiting; a failed start prints its message and exits 1.
 */
export function runUntilSignalled(start: () => Promise<() => Promise<void>>): void {
  start()
    .then((stop) => {
      const shutdown = async () => {
        await stop();
        process.exit(0);
      };
      process.once('SIGINT', shutdown);
      process.once('SIGTERM', shutdown);
    })
    .catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : error);
      process.exit(1);
    });
}
