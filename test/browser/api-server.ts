/**
 * The API the browser tests run against (started by web-test-runner.config.mjs): the test server
 * of test/helpers/server.ts (embedded MongoDB engine, sandbox SMS, demo tenant `acme`) whose live
 * environment sends through the Telnyx emulator in this process, over the real Telnyx SDK and
 * the real outbox, with signed receipts posted back, as `ALDERO_SMS=telnyx-emulator` does for
 * `npm start`. So a test can make an SMS fail the way it fails for real, after the send answered:
 * Telnyx refusing the number when the outbox hands it over (40310 invalid number, 40300 after a
 * STOP the server never heard of), or a receipt saying `delivery_failed`.
 *
 * Prints one JSON line `{"url","adminKey","tenant","telnyx"}` when ready; `telnyx` is the address
 * of the emulator's test controls (below), which the test runner serves at `/__aldero/telnyx/*`.
 * Stops on SIGTERM/SIGINT or when stdin closes.
 *
 *   POST /invalid  {to}          Telnyx answers 40310 (invalid 'to' address) for sends to `to`
 *   POST /block    {to}          Telnyx answers 40300 (blocked after STOP) for the shared sender → `to`
 *   POST /deliver  {to, status}  the newest message to `to` ends with `status` (`delivered`, `delivery_failed`, ...): its webhooks
 *   GET  /messages?to=           the messages Telnyx accepted for `to`, newest first (`{id, to, from, text, status}`)
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTelnyxEmulator, type FinalDeliveryStatus } from '../../server/delivery/emulator/emulator.ts';
import { startTestServer } from '../helpers/server.ts';

/** The shared sender's number and messaging profile (Aldero's toll-free number). */
const SHARED_FROM = '+18445550100';
const SHARED_PROFILE = '7d1d8a1e-0000-4000-8000-0000000b0001';

const emulator = await startTelnyxEmulator();
const server = await startTestServer({
  mongoUri: process.env.MONGODB_URI || undefined,
  dbName: process.env.MONGODB_DB || undefined,
  env: {
    ALDERO_LOG_LEVEL: process.env.ALDERO_LOG_LEVEL ?? 'error',
    ...(process.env.ALDERO_ADMIN_KEY ? { ALDERO_ADMIN_KEY: process.env.ALDERO_ADMIN_KEY } : {}),
    ALDERO_SMS: 'telnyx',
    TELNYX_API_KEY: emulator.apiKey,
    TELNYX_BASE_URL: emulator.baseURL,
    TELNYX_PUBLIC_KEY: emulator.publicKey,
    ALDERO_SHARED_FROM_NUMBER: SHARED_FROM,
    ALDERO_SHARED_MESSAGING_PROFILE_ID: SHARED_PROFILE,
  },
});
emulator.webhookUrl = `${server.url}/v1/webhooks/telnyx`;

async function readJson(req: IncomingMessage): Promise<Record<string, string>> {
  let body = '';
  for await (const chunk of req) body += chunk;
  return body ? (JSON.parse(body) as Record<string, string>) : {};
}

const newestTo = (to: string) => emulator.messages.filter((message) => message.to === to).reverse();

async function control(req: IncomingMessage, res: ServerResponse): Promise<unknown> {
  const url = new URL(req.url ?? '/', 'http://control');
  if (req.method === 'GET' && url.pathname === '/messages') {
    return newestTo(url.searchParams.get('to') ?? '').map(({ id, to, from, text, status }) => ({ id, to, from, text, status }));
  }
  if (req.method !== 'POST') return res.writeHead(405).end();
  const { to, status } = await readJson(req);
  if (!to) throw new Error('`to` is required');
  switch (url.pathname) {
    case '/invalid':
      emulator.invalidNumbers.add(to);
      return { ok: true };
    case '/block':
      emulator.blockPair(SHARED_FROM, to);
      return { ok: true };
    case '/deliver': {
      const message = newestTo(to)[0];
      if (!message) throw new Error(`Telnyx accepted no message to ${to}`);
      const webhooks = await emulator.deliver(message.id, (status ?? 'delivered') as FinalDeliveryStatus);
      return { id: message.id, webhooks: webhooks.map(({ eventType, status: answered }) => ({ eventType, status: answered })) };
    }
    default:
      return res.writeHead(404).end();
  }
}

const controls = createServer((req, res) => {
  control(req, res).then(
    (body) => {
      if (!res.headersSent) res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    },
    (error: Error) => {
      if (!res.headersSent) res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: error.message }));
    },
  );
});
await new Promise<void>((resolve) => controls.listen(0, '127.0.0.1', resolve));
const telnyx = `http://127.0.0.1:${(controls.address() as AddressInfo).port}`;

process.stdout.write(JSON.stringify({ url: server.url, adminKey: server.adminKey, tenant: 'acme', telnyx }) + '\n');
const stop = async () => {
  controls.close();
  await server.stop();
  await emulator.stop();
  process.exit(0);
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
process.stdin.on('end', stop);
process.stdin.resume();
