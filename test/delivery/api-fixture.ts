/**
 * Delivery through the whole API: a test server (test/helpers/server.ts, in this process) whose
 * live tenants send through a fresh Telnyx emulator from the shared sender, the emulator's
 * receipts and replies posted back to its `POST /v1/webhooks/telnyx`.
 */
import { startTelnyxEmulator, type TelnyxEmulator } from '../../server/delivery/emulator/emulator.ts';
import { startTestServer, type TestServer } from '../helpers/server.ts';
import { emulatorEnv } from './fixture.ts';

/** The server (its `stop` stops the emulator too) and the emulator; `env` is more configuration. */
export async function startServerWithEmulator(env: Record<string, string> = {}): Promise<{ server: TestServer; emulator: TelnyxEmulator }> {
  const emulator = await startTelnyxEmulator();
  let server: TestServer;
  try {
    server = await startTestServer({ env: { ...emulatorEnv(emulator), ...env } });
  } catch (error) {
    await emulator.stop();
    throw error;
  }
  emulator.webhookUrl = `${server.url}/v1/webhooks/telnyx`;
  const stopServer = server.stop;
  server.stop = async () => {
    await stopServer();
    await emulator.stop();
  };
  return { server, emulator };
}
