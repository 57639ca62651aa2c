/**
 * A tenant's notification-webhook receiver on 127.0.0.1: keeps every call (headers, raw body,
 * when it came and when it was answered) and answers with the statuses queued in `plan`, then 200.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedCall {
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
  answered: number;
}

export class WebhookReceiver {
  readonly received: ReceivedCall[] = [];
  /** The answers to give, in order (a status, optionally after a delay); 200 once it is empty. */
  plan: { status: number; delayMs?: number }[] = [];
  private server: Server | null = null;
  url = '';

  /** `path` is the receiver's URL path (and query) as the tenant would configure it. */
  constructor(private readonly path = '/hooks/aldero') {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const step = this.plan.shift() ?? { status: 200 };
        const entry: ReceivedCall = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now(), answered: 0 };
        this.received.push(entry);
        setTimeout(() => {
          entry.answered = Date.now();
          res.writeHead(step.status, { 'content-type': 'text/plain' }).end(step.status === 200 ? 'ok' : 'nope');
        }, step.delayMs ?? 0);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}${this.path}`;
  }

  /** The bodies received that are JSON (the notifications), in order. */
  get bodies(): Record<string, any>[] {
    return this.received.flatMap((call) => {
      try {
        return [JSON.parse(call.body) as Record<string, any>];
      } catch {
        return [];
      }
    });
  }

  /** Resolves with every call once `count` have come. */
  waitFor(count: number, timeoutMs = 10_000): Promise<ReceivedCall[]> {
    return poll(() => (this.received.length >= count ? this.received : null), timeoutMs, () => `the receiver got ${this.received.length} of ${count} calls`);
  }

  /** Resolves with the first notification of `type`. */
  waitForType(type: string, timeoutMs = 10_000): Promise<Record<string, any>> {
    return poll(() => this.bodies.find((body) => body.type === type), timeoutMs, () => `no ${type} notification; got ${JSON.stringify(this.bodies.map((b) => b.type))}`);
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }
}

async function poll<T>(check: () => T | null | undefined, timeoutMs: number, failure: () => string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = check();
    if (found) return found;
    if (Date.now() > deadline) throw new Error(failure());
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
