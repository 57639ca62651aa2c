/**
 * Runs the Telnyx emulator by hand, so the server can be started against it without Telnyx:
 *
 *   node --import tsx server/delivery/emulator/cli.ts --port 4010 \
 *     --webhook-url http://127.0.0.1:3000/v1/webhooks/telnyx --auto-deliver
 *
 * It prints the TELNYX_* values to give the server, then reads commands on stdin:
 *   inbound <from> <to> <text...>     a handset texts one of our numbers (STOP / START / HELP ...)
 *   deliver <messageId> [status]      finish a message (delivered, delivery_failed, ...)
 *   block <from> <to> | unblock <from> <to> | invalid <to>
 *   fault <kind> [count]              queue faults: timeout, lost_response, reset, 429, 500, 503
 *   rates key=value ...               e.g. rates rate429=0.1 rate5xx=0.05 seed=7
 *   messages                          list accepted messages
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { startTelnyxEmulator, type FaultKind, type FinalDeliveryStatus } from './emulator.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: '4010' },
    host: { type: 'string', default: '127.0.0.1' },
    'api-key': { type: 'string' },
    'webhook-url': { type: 'string' },
    'auto-deliver': { type: 'boolean', default: false },
    seed: { type: 'string', default: '1' },
  },
});

const emulator = await startTelnyxEmulator({
  port: Number(values.port),
  host: values.host,
  apiKey: values['api-key'],
  webhookUrl: values['webhook-url'],
  autoDeliver: values['auto-deliver'],
  seed: Number(values.seed),
});

console.log(`Telnyx emulator listening at ${emulator.baseURL}`);
console.log(`TELNYX_BASE_URL=${emulator.baseURL}`);
console.log(`TELNYX_API_KEY=${emulator.apiKey}`);
console.log(`TELNYX_PUBLIC_KEY=${emulator.publicKey}`);
console.log(`webhooks -> ${emulator.webhookUrl ?? '(none: pass --webhook-url)'}${emulator.autoDeliver ? ' (auto-deliver on)' : ''}`);

const FAULT_KINDS: readonly FaultKind[] = ['timeout', 'lost_response', 'reset', '429', '500', '503'];
const RATE_KEYS = ['errorRate', 'rate429', 'rate5xx', 'timeoutRate', 'lostResponseRate', 'latencyMs', 'retryAfterSeconds', 'seed'] as const;
type RateKey = (typeof RATE_KEYS)[number];

async function run(line: string): Promise<void> {
  const [command, ...args] = line.trim().split(/\s+/);
  switch (command) {
    case undefined:
    case '':
      return;
    case 'inbound': {
      const [from, to, ...words] = args;
      const delivery = await emulator.inbound(from, to, words.join(' '));
      console.log(`message.received -> ${delivery.url}: ${delivery.status ?? delivery.response}`);
      return;
    }
    case 'deliver': {
      const deliveries = await emulator.deliver(args[0], (args[1] ?? 'delivered') as FinalDeliveryStatus);
      for (const d of deliveries) console.log(`${d.eventType} -> ${d.url}: ${d.status ?? d.response}`);
      return;
    }
    case 'block':
      emulator.blockPair(args[0], args[1]);
      return;
    case 'unblock':
      emulator.unblockPair(args[0], args[1]);
      return;
    case 'invalid':
      emulator.invalidNumbers.add(args[0]);
      return;
    case 'fault': {
      const kind = args[0] as FaultKind;
      if (!FAULT_KINDS.includes(kind)) throw new Error(`fault kind must be one of ${FAULT_KINDS.join(', ')}`);
      emulator.queueFaults(...Array.from({ length: Number(args[1] ?? 1) }, () => kind));
      return;
    }
    case 'rates':
      for (const pair of args) {
        const [key, value] = pair.split('=');
        if (!RATE_KEYS.includes(key as RateKey)) throw new Error(`unknown setting ${key}`);
        emulator.faults[key as RateKey] = Number(value);
      }
      return;
    case 'messages':
      for (const m of emulator.messages) console.log(`${m.id} ${m.from} -> ${m.to} [${m.status}] ${m.text}`);
      return;
    default:
      console.log('commands: inbound, deliver, block, unblock, invalid, fault, rates, messages');
  }
}

const input = createInterface({ input: process.stdin });
input.on('line', (line) => {
  run(line).catch((error: unknown) => console.error(error instanceof Error ? error.message : error));
});

const shutdown = (): void => {
  input.close();
  void emulator.stop().then(() => process.exit(0));
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
