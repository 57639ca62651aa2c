/**
 * `npm start`: one API process. With no MONGODB_URI it starts the embedded MongoDB engine (a
 * development fixture, in memory) and talks to it through the real driver, like to MongoDB.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startApp } from './app.ts';
import { loadConfig } from './config.ts';
import { openDatabase, runUntilSignalled } from './database.ts';

async function main(): Promise<() => Promise<void>> {
  const config = loadConfig();
  const { mongoUri, stopEngine } = await openDatabase(config.mongodbUri);
  // `ALDERO_SMS=telnyx-emulator`: live tenants send through the real Telnyx SDK to the Telnyx
  // emulator on this machine, which answers like Telnyx and posts signed delivery receipts back.
  let emulator: Awaited<ReturnType<typeof import('./delivery/emulator/emulator.ts').startTelnyxEmulator>> | undefined;
  if (config.smsMode === 'telnyx-emulator') {
    const { startTelnyxEmulator } = await import('./delivery/emulator/emulator.ts');
    emulator = await startTelnyxEmulator({ autoDeliver: true });
    config.telnyx = { ...config.telnyx, apiKey: emulator.apiKey, baseURL: emulator.baseURL, publicKey: emulator.publicKey };
    console.log(`Telnyx emulator at ${emulator.baseURL}: live tenants' SMS go there (nothing leaves this machine).`);
  }
  const demoDir = config.demoDir ?? fileURLToPath(new URL('../dist/demo', import.meta.url));
  const app = await startApp({ config, mongoUri, demoDir: existsSync(demoDir) ? demoDir : undefined });

  console.log(`Aldero SMS MFA listening on ${app.url}`);
  if (emulator) emulator.webhookUrl = `http://127.0.0.1:${config.port}/v1/webhooks/telnyx`;
  if (app.demoAdminKey) {
    console.log(`Demo tenant "acme" (brand Acme): live at http://acme.${config.domain}:${config.port}, sandbox at http://acme-sandbox.${config.domain}:${config.port}`);
    console.log(`Demo tenant admin key${config.demoAdminKey ? ' (from ALDERO_ADMIN_KEY)' : ' (generated for this run; set ALDERO_ADMIN_KEY to keep one)'}: ${app.demoAdminKey}`);
  }
  if (!existsSync(demoDir)) console.log('The demo is not built (npm run build); the API is served alone.');

  return async () => {
    await app.stop();
    await emulator?.stop();
    await stopEngine?.();
  };
}

runUntilSignalled(main);
