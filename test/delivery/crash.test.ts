/**
 * A worker process killed with SIGKILL mid-drain, twice, then restarted: every message is
 * delivered, and duplicates stay within the documented at-least-once window (one call in
 * flight per kill at most). Each worker is a real OS process (`worker-process.ts`) on the
 * same database as this test, which queues the messages and counts them at the emulator.
 *
 * Run: node --import tsx --test test/delivery/crash.test.ts
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { after, before, beforeEach, describe, test } from 'node:test';
import type { DeliverySettings } from '../../server/delivery/index.ts';
import { emulatorEnv, sleep, startDeliveryFixture, type DeliveryFixture } from './fixture.ts';

let fx: DeliveryFixture;
const children = new Set<ChildProcess>();

before(async () => {
  fx = await startDeliveryFixture();
});
after(async () => {
  for (const child of children) child.kill('SIGKILL');
  await fx.stop();
});
beforeEach(() => fx.emulator.reset());

const CRASH_SETTINGS: Partial<DeliverySettings> = {
  senderRatePerSecond: 200,
  accountRatePerSecond: 1000,
  leaseMs: 1000,
  callTimeoutMs: 500,
  callMarginMs: 300,
  retryBaseMs: 20,
  retryMaxMs: 200,
  maxCalls: 30,
  pollMs: 20,
};

/** A worker process, loaded and connected; it drains once told to `start`. */
async function spawnWorker(settings: Partial<DeliverySettings>): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', new URL('./worker-process.ts', import.meta.url).pathname], {
    env: {
      ...process.env,
      WORKER_MONGO_URI: fx.engine.uri,
      WORKER_DB: fx.dbName,
      WORKER_SECRET: fx.keys.secret,
      WORKER_SETTINGS: JSON.stringify(settings),
      ...emulatorEnv(fx.emulator),
    },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('worker process did not start in 20 s')), 20_000);
    child.once('exit', (code) => reject(new Error(`worker process exited with ${code}`)));
    createInterface({ input: child.stdout! }).once('line', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  return child;
}

function kill(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

/** Queues `count` messages (no worker in this process), kills the worker process after each of `killAt` deliveries, and drains. */
async function drainThroughKills(settings: Partial<DeliverySettings>, count: number, killAt: number[]) {
  const t0 = Date.now();
  const mark = (what: string) => process.env.DELIVERY_TEST_TIMING && console.log(`${what} at ${Date.now() - t0} ms`);
  const queue = await fx.dispatcher(settings);
  const requests = [];
  for (let i = 0; i < count; i++) requests.push(await fx.request(fx.shared, { code: String(200_000 + i) }));
  for (const request of requests) assert.equal((await queue.dispatch(request)).status, 'queued');

  mark('queued');
  fx.emulator.faults.latencyMs = 5; // widen the window between Telnyx taking a message and the worker recording it
  let kills = 0;
  let next = spawnWorker(settings);
  for (const threshold of killAt) {
    const worker = await next;
    worker.stdin!.write('start\n');
    next = spawnWorker(settings); // loads while this one drains: the restart is immediate
    mark(`worker ${kills + 1} started`);
    await fx.emulator.waitForMessages(threshold, 20_000);
    await kill(worker);
    mark(`worker ${kills + 1} killed`);
    kills += 1;
  }
  const last = await next;
  last.stdin!.write('start\n');
  mark('last worker started');
  const outbox = await fx.drained(30_000);
  mark('drained');
  await kill(last);
  fx.emulator.faults.clear();

  const perText = new Map<string, number>();
  for (const message of fx.emulator.messages) perText.set(message.text, (perText.get(message.text) ?? 0) + 1);
  const undelivered = requests.filter((r) => ![...perText.keys()].some((text) => text.includes(` ${r.code}.`)));
  const duplicates = fx.emulator.messages.length - perText.size;
  // Messages a restarted worker called again because the killed one never recorded its call.
  const calledAgain = outbox.filter((m) => m.calls > 1).length;
  return { kills, outbox, undelivered, duplicates, calledAgain };
}

describe('a worker process killed mid-drain', () => {
  test('SIGKILL twice without receipts (one call in flight at a time): all delivered, duplicates ≤ kills', async () => {
    const result = await drainThroughKills({ ...CRASH_SETTINGS, workerConcurrency: 1 }, 200, [40, 110]);
    assert.equal(result.undelivered.length, 0, `${result.undelivered.length} never delivered`);
    assert.ok(result.outbox.every((m) => m.status === 'sent'), 'every message recorded as sent');
    assert.ok(result.duplicates <= result.kills, `${result.duplicates} duplicates after ${result.kills} kills`);
    if (process.env.DELIVERY_TEST_TIMING) console.log(`without receipts: ${result.duplicates} duplicates, ${result.calledAgain} called again`);
  });

  test('SIGKILL twice with receipts flowing (8 calls in flight): all delivered, duplicates ≤ kills', async () => {
    fx.emulator.autoDeliver = true;
    try {
      const result = await drainThroughKills({ ...CRASH_SETTINGS, workerConcurrency: 8 }, 200, [40, 110]);
      await sleep(100);
      assert.equal(result.undelivered.length, 0, `${result.undelivered.length} never delivered`);
      assert.ok(result.outbox.every((m) => m.status === 'sent' || m.status === 'delivered'));
      assert.ok(result.duplicates <= result.kills, `${result.duplicates} duplicates after ${result.kills} kills`);
      if (process.env.DELIVERY_TEST_TIMING) console.log(`with receipts: ${result.duplicates} duplicates, ${result.calledAgain} called again`);
    } finally {
      fx.emulator.autoDeliver = false;
    }
  });
});
