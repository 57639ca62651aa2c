/**
 * One API process: `npm start` (development: embedded MongoDB engine unless MONGODB_URI is set,
 * demo tenant, sandbox SMS) and `npm run start:prod` (`node dist/server/main.js`, the same file
 * compiled). The configuration is validated first: a refused one exits 1 with one line per
 * problem. SIGTERM/SIGINT stop accepting, answer the requests in flight (ALDERO_SHUTDOWN_TIMEOUT_MS),
 * stop the workers after their current message, close the database and exit 0.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startApp } from './app.ts';
import { loadConfig, unknownVariables } from './config.ts';
import { openDatabase, runUntilSignalled } from './database.ts';
import { createLogger } from './log.ts';

/** The built demo: `dist/demo` beside `server/` in the checkout, or beside `dist/server/` when compiled. */
const DEFAULT_DEMO_DIR = fileURLToPath(new URL(import.meta.url.endsWith('.js') ? '../demo' : '../dist/demo', import.meta.url));

async function main(): Promise<() => Promise<void>> {
  const config = loadConfig();
  const log = createLogger(config.logLevel);
  for (const name of unknownVariables()) log.warn(`${name} is not a variable this server reads (a typo?); ignored`, { variable: name });
  const { mongoUri, stopEngine } = await openDatabase(config);
  // `ALDERO_SMS=telnyx-emulator`: live tenants send through the real Telnyx SDK to the Telnyx
  // emulator on this machine, which answers like Telnyx and posts signed delivery receipts back.
  let emulator: Awaited<ReturnType<typeof import('./delivery/emulator/emulator.ts').startTelnyxEmulator>> | undefined;
  if (config.smsMode === 'telnyx-emulator') {
    const { startTelnyxEmulator } = await import('./delivery/emulator/emulator.ts');
    emulator = await startTelnyxEmulator({ autoDeliver: true });
    config.telnyx = { ...config.telnyx, apiKey: emulator.apiKey, baseURL: emulator.baseURL, publicKey: emulator.publicKey };
    console.log(`Telnyx emulator at ${emulator.baseURL}: live tenants' SMS go there (nothing leaves this machine).`);
  }
  const demoDir = config.demoDir ?? DEFAULT_DEMO_DIR;
  const app = await startApp({ config, mongoUri, log, demoDir: existsSync(demoDir) ? demoDir : undefined });

  log.info(`Aldero SMS MFA listening on ${app.url}`, { port: config.port, production: config.production, sms: config.smsMode });
  if (emulator) emulator.webhookUrl = `http://127.0.0.1:${config.port}/v1/webhooks/telnyx`;
  if (app.demoAdminKey) {
    console.log(`Demo tenant "acme" (brand Acme): live at http://acme.${config.domain}:${config.port}, sandbox at http://acme-sandbox.${config.domain}:${config.port}`);
    console.log(`Demo tenant admin key${config.demoAdminKey ? ' (from ALDERO_ADMIN_KEY)' : ' (generated for this run; set ALDERO_ADMIN_KEY to keep one)'}: ${app.demoAdminKey}`);
  }
  if (app.platformKey) console.log(`Platform key (generated for this run; set ALDERO_PLATFORM_KEY to keep one): ${app.platformKey}  — npx aldero --url http://${config.domain}:${config.port} tenants list`);
  if (!existsSync(demoDir)) log.info('The demo is not built (npm run build); the API is served alone.');

  return async () => {
    log.info('stopping: no new connections; answering the requests in flight', { deadlineMs: config.shutdownTimeoutMs });
    const drained = await app.drain(config.shutdownTimeoutMs);
    if (drained.cutOff > 0) log.warn('stopping: requests cut off at the deadline', drained);
    await app.stop();
    await emulator?.stop();
    await stopEngine?.();
    log.info('stopped', drained);
  };
}

runUntilSignalled(main);
