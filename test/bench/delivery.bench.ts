/**
 * The delivery bench: throughput shaping and latency of the outbox, measured at the Telnyx
 * emulator, through the real driver on the embedded engine (one process, as `npm start` runs).
 *
 *   node --import tsx test/bench/delivery.bench.ts            # ~2.5 min: a burst of 2,000 at 20 msg/s
 *   node --import tsx test/bench/delivery.bench.ts --quick    # ~40 s: a burst of 400
 *
 * 1. A burst of messages queued at once for one verified sender at 20 msg/s (the default) must
 *    drain at 20 ± 1 msg/s as the emulator sees them arrive; the most in any one-second window
 *    and the queueing latency (queued → provider call) are printed.
 * 2. Unloaded latency: messages queued one at a time, below the rate; queued → provider call.
 * 3. The unverified sender's daily cap (500 by default): its slot is taken at dispatch (issue 20),
 *    so the rest are refused in the dispatch's own answer (sender_daily_limit, no outbox row), and
 *    two workers on separate driver clients drain exactly the 500 accepted.
 *
 * Exits 1 when an expectation fails.
 */
import { parseArgs } from 'node:util';
import { randomToken } from '../../server/crypto.ts';
import type { DeliverySettings, Dispatcher } from '../../server/delivery/index.ts';
import type { OutboxMessageDoc, SmsRequest, ThrottleDoc } from '../../server/delivery/types.ts';
import type { DeliveryState, TenantDoc } from '../../server/store/documents.ts';
import { startDeliveryFixture, type DeliveryFixture } from '../delivery/fixture.ts';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    burst: { type: 'string' },
    rate: { type: 'string', default: '20' },
  },
});
const quick = values.quick!;
const burst = Number(values.burst ?? (quick ? 400 : 2000));
const rate = Number(values.rate);
const unloadedCount = quick ? 60 : 200;
const dailyCap = 500;

const failures: string[] = [];
function expect(ok: boolean, what: string): void {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function summary(latencies: number[]): string {
  const sorted = [...latencies].sort((a, b) => a - b);
  return `p50 ${percentile(sorted, 50).toFixed(0)} ms, p99 ${percentile(sorted, 99).toFixed(0)} ms, max ${sorted.at(-1)!.toFixed(0)} ms (n=${sorted.length})`;
}

/** Queue → provider-call latency per message, by the code each body carries. */
function latenciesOf(fx: DeliveryFixture, queuedAt: Map<string, number>, since: number): number[] {
  const latencies: number[] = [];
  for (const message of fx.emulator.messages.slice(since)) {
    const code = /code is (\d{6})\./.exec(message.text)?.[1];
    const at = code ? queuedAt.get(code) : undefined;
    if (at !== undefined) latencies.push(Date.parse(message.receivedAt) - at);
  }
  return latencies;
}

let codeSequence = 0;
async function prepare(fx: DeliveryFixture, tenant: TenantDoc, count: number): Promise<SmsRequest[]> {
  const requests: SmsRequest[] = [];
  for (let i = 0; i < count; i++) requests.push(await fx.request(tenant, { code: String(100_000 + (codeSequence++ % 900_000)) }));
  return requests;
}

const settings: Partial<DeliverySettings> = { senderRatePerSecond: rate, pollMs: 100 };
const fx = await startDeliveryFixture();
const started = Date.now();
try {
  // 1. The burst.
  {
    const dispatcher = await fx.dispatcher(settings);
    dispatcher.start();
    const requests = await prepare(fx, fx.shared, burst);
    const queuedAt = new Map<string, number>();
    const since = fx.emulator.messages.length;
    const burstStart = Date.now();
    for (const request of requests) {
      queuedAt.set(request.code, Date.now());
      await dispatcher.dispatch(request);
    }
    const queuedIn = Date.now() - burstStart;
    await fx.emulator.waitForMessages(since + burst, ((burst / rate) * 1.5 + 30) * 1000);
    await fx.drained(30_000);
    const times = fx.emulator.messages.slice(since).map((m) => Date.parse(m.receivedAt)).sort((a, b) => a - b);
    const measured = (times.length - 1) / ((times.at(-1)! - times[0]) / 1000);
    let maxInOneSecond = 0;
    for (let i = 0, j = 0; i < times.length; i++) {
      while (times[i] - times[j] >= 1000) j++;
      maxInOneSecond = Math.max(maxInOneSecond, i - j + 1);
    }
    console.log(`burst: ${burst} messages queued in ${queuedIn} ms, drained in ${((times.at(-1)! - burstStart) / 1000).toFixed(1)} s`);
    console.log(`burst: ${measured.toFixed(2)} msg/s at the emulator (configured ${rate}); most in any 1 s window: ${maxInOneSecond}`);
    console.log(`burst: queued → provider call ${summary(latenciesOf(fx, queuedAt, since))} (queueing behind the burst)`);
    expect(Math.abs(measured - rate) <= 1, `drains at ${rate} ± 1 msg/s (measured ${measured.toFixed(2)})`);
    expect(times.length === burst, `each message sent once (${times.length} of ${burst})`);
    expect(maxInOneSecond <= rate + 2, `no one-second window above ${rate} + 2 (most: ${maxInOneSecond})`);
    await dispatcher.stop();
  }

  // 2. Unloaded latency: one message at a time, well below the rate.
  {
    const dispatcher = await fx.dispatcher(settings);
    dispatcher.start();
    const requests = await prepare(fx, fx.shared, unloadedCount);
    const queuedAt = new Map<string, number>();
    const since = fx.emulator.messages.length;
    for (const request of requests) {
      queuedAt.set(request.code, Date.now());
      await dispatcher.dispatch(request);
      await new Promise((resolve) => setTimeout(resolve, 2000 / rate + Math.random() * (1000 / rate)));
    }
    await fx.emulator.waitForMessages(since + unloadedCount, 30_000);
    const latencies = latenciesOf(fx, queuedAt, since);
    console.log(`unloaded: queued → provider call ${summary(latencies)}`);
    const sorted = [...latencies].sort((a, b) => a - b);
    expect(percentile(sorted, 50) < 100, `unloaded p50 under 100 ms (${percentile(sorted, 50).toFixed(0)} ms)`);
    await dispatcher.stop();
  }

  // 3. The daily cap of an unverified sender, raced by two workers.
  {
    const unverified: TenantDoc = {
      ...fx.byo,
      _id: `ten_${randomToken(6)}`,
      slug: 'unverified',
      byo: { ...fx.byo.byo!, fromNumber: '+18885550166', verified: false },
    };
    await fx.store.tenants.insertOne(unverified);
    const fast: Partial<DeliverySettings> = { senderRatePerSecond: 1000, accountRatePerSecond: 1000, workerConcurrency: 16, pollMs: 20, unverifiedDailyCap: dailyCap };
    const queue = await fx.dispatcher(fast);
    const workers: Dispatcher[] = [await fx.dispatcher(fast, { separateClient: true }), await fx.dispatcher(fast, { separateClient: true })];
    const total = dailyCap + 100;
    const requests = await prepare(fx, unverified, total);
    const answers: DeliveryState[] = [];
    for (const request of requests) answers.push(await queue.dispatch(request));
    const since = fx.emulator.messages.length;
    const capStart = Date.now();
    for (const worker of workers) worker.start();
    const outbox = (await fx.drained(120_000)).filter((m: OutboxMessageDoc) => m.tenantId === unverified._id);
    const accepted = fx.emulator.messages.slice(since).filter((m) => m.from === '+18885550166').length;
    // Refused at dispatch (said in its answer), or, had a slot been taken later, by a worker.
    const refused = answers.filter((state) => state.reason === 'sender_daily_limit').length + outbox.filter((m) => m.reason === 'sender_daily_limit').length;
    const counter = await fx.store.collection<ThrottleDoc>('smsThrottle').findOne({ _id: `day:+18885550166:${new Date().toISOString().slice(0, 10)}` });
    console.log(`daily cap: ${total} queued for an unverified sender, two workers: ${accepted} accepted, ${refused} refused (sender_daily_limit) in ${((Date.now() - capStart) / 1000).toFixed(1)} s; counter ${counter?.count}`);
    expect(accepted === dailyCap, `the ${dailyCap}-a-day cap holds exactly (${accepted} accepted)`);
    expect(refused === total - dailyCap, `the rest refused with their reason (${refused})`);
    for (const worker of workers) await worker.stop();
  }
} finally {
  await fx.stop();
}
console.log(`delivery bench: ${((Date.now() - started) / 1000).toFixed(0)} s, ${failures.length === 0 ? 'all expectations met' : `${failures.length} failed`}`);
process.exitCode = failures.length === 0 ? 0 : 1;
