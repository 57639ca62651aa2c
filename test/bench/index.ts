/**
 * `npm run bench`: the MFA routes under autocannon against the floor (a bare node:http handler
 * doing the same database round trips on the same engine) and against better-auth's two-factor
 * OTP (its MongoDB adapter on the same engine, same driver), one run, ratios printed; then the
 * engine and delivery benches (`--quick`) and the 100,000-challenge memory check.
 *
 *   npm run bench                      # ~4 min on 2 cores (a third of it the delivery bench and the memory check)
 *   npm run bench -- --quick           # ~2 min: 3 s runs, 20,000 challenges in the memory check
 *   npm run bench -- --only verify-wrong,verify-right --no-extra --no-memory
 *   npm run bench -- --only verify-wrong-trpc          # the verify route over tRPC (what the components call)
 *   npm run bench -- --targets floor,aldero --rounds 3 # A/B work: each target's median of 3 alternated runs
 *   node --import tsx test/bench/profile.ts --scenario verify-wrong   # CPU profile of a route under load
 *
 * Each target is its own process with its own embedded engine (server and engine in one
 * process, as `npm start` runs them); autocannon runs here, in the bench process. Targets run
 * one after the other within each scenario, so they share the machine's state as closely as a
 * single run allows. Numbers drift ±50 % between runs on a shared 2-core machine: read the
 * ratios, which compare runs made a few seconds apart.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startTarget, type Fixture, type TargetHandle } from './lib/ipc.ts';
import { runLoad, type LoadResult } from './lib/load.ts';
import { DEFAULT_SCENARIOS, SCENARIOS, targetArgs, targetFile, type ScenarioName, type TargetName } from './scenarios.ts';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    seconds: { type: 'string' },
    connections: { type: 'string', default: '10' },
    targets: { type: 'string', default: 'floor,aldero,better-auth' },
    rounds: { type: 'string', default: '1' },
    extra: { type: 'boolean', default: true },
    memory: { type: 'boolean', default: true },
    out: { type: 'string', default: join(process.cwd(), 'test', '.artifacts', 'bench-last-run.md') },
  },
  allowNegative: true,
});

const quick = values.quick!;
const seconds = Number(values.seconds ?? (quick ? 3 : 6));
const warmSeconds = quick ? 1 : 2;
const connections = Number(values.connections);
const scenarioNames = (values.only ? values.only.split(',') : DEFAULT_SCENARIOS) as ScenarioName[];
for (const name of scenarioNames) if (!SCENARIOS[name]) throw new Error(`--only: unknown scenario ${name}`);
const TARGETS = values.targets!.split(',') as TargetName[];
/** More than one round alternates the targets again and reports each one's median run (for A/B work; the bench is one round). */
const rounds = Number(values.rounds);
const started = Date.now();
const report: string[] = [];
const say = (line = '') => {
  console.log(line);
  report.push(line);
};

say(`# npm run bench${quick ? ' -- --quick' : ''}`);
say();
say(`${new Date().toISOString()} · node ${process.version} · ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'} · load average ${loadavg().map((n) => n.toFixed(1)).join(' ')} · ${connections} connections, ${warmSeconds} s warm-up + ${seconds} s per run`);
say();

// 1. The floor does what the route does: the commands of one request of each, side by side.
{
  const probe = await startTarget(targetFile('aldero'), ['probe']);
  const { scenarios: ops, background } = await probe.call<{
    scenarios: Record<string, { aldero: { status: number; commands: string[] }; floor: { status: number; commands: string[] } }>;
    background: string[];
  }>('probe');
  await probe.stop();
  say('## Database round trips per request (driver command monitoring)');
  say();
  say('| scenario | Aldero route | floor | same |');
  say('| --- | --- | --- | --- |');
  for (const [name, { aldero, floor }] of Object.entries(ops)) {
    const same = aldero.commands.join() === floor.commands.join() && aldero.status === floor.status;
    say(`| ${name} | ${aldero.status}: ${aldero.commands.length} — ${summariseCommands(aldero.commands)} | ${floor.status}: ${floor.commands.length} | ${same ? 'yes' : '**NO**'} |`);
    if (!same) say(`|  | floor ran: ${summariseCommands(floor.commands)} | | |`);
  }
  say();
  say(`Left out: what the process polls on its own when idle (${background.join(', ') || 'nothing'}).`);
  say();
}

function summariseCommands(commands: string[]): string {
  const out: string[] = [];
  for (const command of commands) {
    const last = out.at(-1);
    const match = last && /^(.*?)(?: ×(\d+))?$/.exec(last);
    if (match && match[1] === command) out[out.length - 1] = `${command} ×${Number(match[2] ?? 1) + 1}`;
    else out.push(command);
  }
  return out.join(', ');
}

// 2. The runs.
const targets = new Map<TargetName, TargetHandle>();
await Promise.all(TARGETS.map(async (name) => targets.set(name, await startTarget(targetFile(name), targetArgs(name)))));

/** `cpuUs`: CPU time of the target process (server + engine, all threads) per answered request. */
type Row = { scenario: ScenarioName; target: TargetName; result: LoadResult; cpuUs: number };
const rows: Row[] = [];
try {
  for (let round = 0; round < rounds; round++) for (const scenarioName of scenarioNames) {
    const scenario = SCENARIOS[scenarioName];
    for (const targetName of TARGETS) {
      const target = targets.get(targetName)!;
      const spec = scenario.targets[targetName];
      const load = (fixtures: Fixture[], duration: number) =>
        runLoad({ url: target.url, path: spec.path, fixtures, usesPerFixture: spec.usesPerFixture, cycle: spec.cycle, durationSeconds: duration, connections, expect: spec.expect });
      // Warm-up on its own fixtures: JIT, connection pools, and the rate that sizes the pool.
      const warmFixtures = await target.call<Fixture[]>('fixtures', { scenario: scenarioName, count: spec.fixturesFor(3000, warmSeconds, connections) });
      const warm = await load(warmFixtures, warmSeconds);
      const fixtures = await target.call<Fixture[]>('fixtures', { scenario: scenarioName, count: spec.fixturesFor(warm.rps * 3 + 500, seconds, connections) });
      const cpuBefore = await target.call<NodeJS.CpuUsage>('cpu');
      const result = await load(fixtures, seconds);
      const cpuAfter = await target.call<NodeJS.CpuUsage>('cpu');
      const cpuUs = (cpuAfter.user + cpuAfter.system - cpuBefore.user - cpuBefore.system) / Math.max(1, result.requests);
      rows.push({ scenario: scenarioName, target: targetName, result, cpuUs });
      console.log(
        `  ${scenarioName.padEnd(12)} ${targetName.padEnd(11)} ${result.rps.toFixed(0).padStart(6)} req/s  p50 ${fmtUs(result.p50us)}  p99 ${fmtUs(result.p99us)}  cpu ${cpuUs.toFixed(0)} µs/req  ` +
          `${JSON.stringify(result.statuses)}${result.unexpected ? `  UNEXPECTED ${result.unexpected}: ${result.sampleUnexpected}` : ''}${result.exhausted ? '  POOL EXHAUSTED' : ''}`,
      );
    }
  }
} finally {
  await Promise.all([...targets.values()].map((target) => target.stop()));
}

function fmtUs(us: number): string {
  if (!Number.isFinite(us)) return '—';
  return us >= 10_000 ? `${(us / 1000).toFixed(1)} ms` : `${Math.round(us)} µs`;
}

const ratio = (a: number, b: number) => (b > 0 ? a / b : NaN);
/** A target's run in a scenario (its median run by throughput when there are several rounds). */
const find = (scenario: ScenarioName, target: TargetName): (LoadResult & { cpuUs: number }) | undefined => {
  const runs = rows
    .filter((row) => row.scenario === scenario && row.target === target)
    .map((row) => ({ ...row.result, cpuUs: row.cpuUs }))
    .sort((a, b) => a.rps - b.rps);
  return runs[Math.floor((runs.length - 1) / 2)];
};

say('## Throughput and latency');
say();
say('Targets of issue 8 (for verify): throughput ≥ 0.6× the floor, p99 ≤ 3× the floor\'s p99, throughput ≥ 1.0× better-auth.');
say('Send and login are measured against the same bars for information. Latency is per request with ' + `${connections} connections in flight (closed loop).`);
say('Server CPU / req: CPU time of the target process (server and its engine, every thread) per answered request — steadier than req/s on a shared machine.');
say();
say('| scenario | target | req/s | p50 | p99 | server CPU / req | answers | × floor req/s | p99 ÷ floor p99 | × better-auth req/s | ≥0.6× floor | p99 ≤3× floor | ≥1.0× better-auth |');
say('| --- | --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: | :---: | :---: | :---: |');
const verdicts: string[] = [];
for (const scenarioName of scenarioNames) {
  const floor = find(scenarioName, 'floor');
  const peer = find(scenarioName, 'better-auth');
  for (const targetName of TARGETS) {
    const result = find(scenarioName, targetName);
    if (!result) continue;
    const answers = Object.entries(result.statuses).map(([status, count]) => `${count}×${status}`).join(' ') + (result.unexpected ? ` (${result.unexpected} unexpected)` : '');
    const cells = ['', '', '', '', '', ''];
    const pass = (ok: boolean) => (ok ? 'PASS' : 'MISS');
    if (targetName !== 'floor' && floor) {
      const vsFloor = ratio(result.rps, floor.rps);
      const p99 = ratio(result.p99us, floor.p99us);
      cells[0] = `${vsFloor.toFixed(2)}×`;
      cells[1] = `${p99.toFixed(2)}×`;
      if (targetName === 'aldero') {
        cells[3] = pass(vsFloor >= 0.6);
        cells[4] = pass(p99 <= 3);
      }
    }
    if (targetName === 'aldero' && peer) {
      const vsPeer = ratio(result.rps, peer.rps);
      cells[2] = `${vsPeer.toFixed(1)}×`;
      cells[5] = pass(vsPeer >= 1);
    }
    if (targetName === 'aldero' && scenarioName.startsWith('verify')) verdicts.push(`${scenarioName}: ${cells.slice(3).filter(Boolean).join(' / ')}`);
    say(`| ${SCENARIOS[scenarioName].title} | ${targetName} | ${result.rps.toFixed(0)} | ${fmtUs(result.p50us)} | ${fmtUs(result.p99us)} | ${fmtUs(result.cpuUs)} | ${answers} | ${cells.join(' | ')} |`);
  }
}
say();
if (rounds > 1) say(`${rounds} rounds: each row is the target's median run by throughput.`);
const drift = rows.filter((row) => row.result.unexpected > 0 || row.result.exhausted || row.result.errors > 0);
if (drift.length) {
  say('**Runs with unexpected answers, errors or an exhausted fixture pool:**');
  for (const row of drift) say(`- ${row.scenario} / ${row.target}: ${row.result.unexpected} unexpected (${row.result.sampleUnexpected}), ${row.result.errors} errors${row.result.exhausted ? ', pool exhausted' : ''}`);
} else {
  say('Every answer was the expected one (status and body checked on each response); no fixture was reused beyond its limit.');
}
say();

// 3. The engine's and the delivery's own benches, and the memory check.
async function runScript(title: string, args: string[], env: Record<string, string> = {}): Promise<number> {
  say(`## ${title}`);
  say();
  say('```');
  const child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let buffered = '';
  const onData = (chunk: Buffer) => {
    process.stdout.write(chunk);
    buffered += chunk.toString();
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const code = await new Promise<number>((resolve) => child.on('exit', (exit) => resolve(exit ?? 1)));
  report.push(...buffered.trimEnd().split('\n'));
  say('```');
  if (code !== 0) say(`(exited with ${code})`);
  say();
  return code;
}

let failures = 0;
if (values.extra) {
  for (const name of ['engine.bench.ts', 'delivery.bench.ts']) {
    const file = new URL(`./${name}`, import.meta.url).pathname;
    if (!existsSync(file)) {
      say(`(${name} does not exist yet: skipped)`);
      continue;
    }
    failures += (await runScript(`node --import tsx test/bench/${name} --quick`, ['--import', 'tsx', file, '--quick'], { BENCH_SECONDS: '1' })) === 0 ? 0 : 1;
  }
}
if (values.memory) {
  const file = new URL('../memory/challenges.memory.ts', import.meta.url).pathname;
  const count = quick ? '20000' : '100000';
  failures += (await runScript(`node --expose-gc --import tsx test/memory/challenges.memory.ts${quick ? ' --count 20000' : ''}`, ['--expose-gc', '--import', 'tsx', file, '--count', count])) === 0 ? 0 : 1;
}

say(`Verify targets: ${verdicts.join('; ') || '(not run)'}`);
say(`Total ${((Date.now() - started) / 1000).toFixed(0)} s.`);
mkdirSync(join(values.out!, '..'), { recursive: true });
writeFileSync(values.out!, report.join('\n') + '\n');
console.log(`\n(report written to ${values.out})`);
process.exitCode = failures > 0 ? 1 : 0;
