/**
 * findOneAndUpdate round trips per second through the real driver against the embedded engine,
 * in-process and in a child process started by its CLI; sequential and 16-way concurrent.
 *
 *   node --import tsx test/bench/engine.bench.ts            # ~2.5 s per row
 *   BENCH_SECONDS=1 node --import tsx test/bench/engine.bench.ts
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import { MongoClient } from 'mongodb';
import type { Collection } from 'mongodb';
import { startEmbeddedMongo } from '../../server/embedded-mongo/index.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const secondsPerRow = Number(process.env.BENCH_SECONDS ?? 2.5);
const concurrency = 16;

interface Counter {
  _id: string;
  n: number;
  tenant: string;
}

interface Row {
  engine: string;
  mode: string;
  operations: number;
  seconds: number;
}

/** The rate-limit pattern of the product: a conditional increment of one counter by _id. */
async function measure(uri: string, engine: string): Promise<Row[]> {
  const client = new MongoClient(uri, { maxPoolSize: concurrency });
  await client.connect();
  const counters = client.db('bench').collection<Counter>('counters');
  await counters.deleteMany({});
  await counters.insertMany(Array.from({ length: 1000 }, (_, i) => ({ _id: `c${i}`, n: 0, tenant: `t${i % 10}` })));
  const rows: Row[] = [];
  for (const workers of [1, concurrency]) {
    // Warm the pool and the JIT before timing.
    await runFor(0.3, workers, counters);
    const begin = performance.now();
    const operations = await runFor(secondsPerRow, workers, counters);
    rows.push({ engine, mode: workers === 1 ? 'sequential' : `${workers}-way concurrent`, operations, seconds: (performance.now() - begin) / 1000 });
  }
  await client.db('bench').dropDatabase();
  await client.close();
  return rows;
}

async function runFor(
  seconds: number,
  workers: number,
  counters: Collection<Counter>,
): Promise<number> {
  const deadline = performance.now() + seconds * 1000;
  let operations = 0;
  await Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      let i = worker;
      while (performance.now() < deadline) {
        const result = await counters.findOneAndUpdate(
          { _id: `c${i % 1000}`, n: { $lt: Number.MAX_SAFE_INTEGER } },
          { $inc: { n: 1 } },
          { returnDocument: 'after' },
        );
        if (!result) throw new Error('the counter was not found');
        operations++;
        i += workers;
      }
    }),
  );
  return operations;
}

async function startCliEngine(): Promise<{ child: ChildProcess; uri: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'server/embedded-mongo/cli.ts', '--port', '0'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const uri = await new Promise<string>((resolve, reject) => {
    let stdout = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('\n')) resolve(stdout.split('\n')[0].trim());
    });
    child.once('exit', (code) => reject(new Error(`the engine CLI exited with ${code}`)));
  });
  return { child, uri };
}

const rows: Row[] = [];
const inProcess = await startEmbeddedMongo();
rows.push(...(await measure(inProcess.uri, 'in-process')));
await inProcess.stop();

const { child, uri } = await startCliEngine();
try {
  rows.push(...(await measure(uri, 'child process (CLI)')));
} finally {
  child.kill('SIGTERM');
  await once(child, 'exit');
}

console.log(`\nfindOneAndUpdate round trips per second through the mongodb driver (${secondsPerRow} s each, Node ${process.version})\n`);
const header = ['engine', 'mode', 'ops', 'ops/s', 'mean latency'];
const table = rows.map((row) => [
  row.engine,
  row.mode,
  String(row.operations),
  Math.round(row.operations / row.seconds).toLocaleString('en-US'),
  `${((row.seconds * 1000 * (row.mode === 'sequential' ? 1 : concurrency)) / row.operations).toFixed(3)} ms`,
]);
const widths = header.map((title, column) => Math.max(title.length, ...table.map((cells) => cells[column].length)));
const line = (cells: string[]): string => cells.map((cell, column) => (column >= 2 ? cell.padStart(widths[column]) : cell.padEnd(widths[column]))).join('  ');
console.log(line(header));
console.log(widths.map((width) => '-'.repeat(width)).join('  '));
for (const cells of table) console.log(line(cells));
