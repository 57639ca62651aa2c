/**
 * `npm run bench`: the MFA routes under autocannon against the floor (the minimal bare
 * node:http handler for the same rules: the fewest round trips they allow, test/bench/targets/
 * floor.ts) and against better-auth's two-factor OTP (its MongoDB adapter on the same engine,
 * same driver); 3 alternated rounds, each target's median with the spread, the targets of
 * issue 19 with PASS/FAIL; then the engine and delivery benches (`--quick`) and the
 * 100,000-challenge memory check.
 *
 *   npm run bench                      # ~10 min on 2 cores (3 rounds; about 2 min of it the delivery bench and the memory check)
 *   npm run bench -- --quick           # 1 round of 3 s runs, 20,000 challenges in the memory check
 *   npm run bench -- --only verify-wrong,verify-right --no-extra --no-memory
 *   npm run bench -- --only verify-wrong-trpc          # the verify route over tRPC (what the components call)
 *   npm run bench -- --targets floor,aldero --rounds 5 # A/B work
 *   node --import tsx test/bench/round-trips.ts        # the round trips alone (pinned by round-trips.test.ts)
 *   node --import tsx test/bench/profile.ts --scenario verify-wrong   # CPU profile of a route under load
 *
 * Each target is its own process with its own embedded engine (server and engine in one
 * process, as `npm start` runs them); autocannon runs here, in the bench process. Within a round
 * the targets of a scenario run one after the other (their order turns each round), so the
 * ratios of one round compare runs made seconds apart; a ratio is reported as the median of the
 * rounds' ratios. Numbers drift ±50 % between runs on a shared 2-core machine: read the ratios
 * and the CPU per request.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startTarget, type Fixture, type TargetHandle } from './lib/ipc.ts';
import { runLoad, type LoadResult } from './lib/load.ts';
import { ROUND_TRIP_BUDGET, summariseCommands, type RequestCommands, type RoundTripScenario } from './lib/round-trips.ts';
import { DEFAULT_SCENARIOS, SCENARIOS, specOf, targetArgs, targetFile, type ScenarioName, type TargetName } from './scenarios.ts';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    seconds: { type: 'string' },
    connections: { type: 'string', default: '10' },
    targets: { type: 'string', default: 'floor,floor-guide,aldero,better-auth' },
    rounds: { type: 'string' },
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
const rounds = Number(values.rounds ?? (quick ? 1 : 3));
const started = Date.now();
const report: string[] = [];
const say = (line = '') => {
  console.log(line);
  report.push(line);
};

say(`# npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`);
say();
say(`${new Date().toISOString()} · node ${process.version} · ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'} · load average ${loadavg().map((n) => n.toFixed(1)).join(' ')} · ${connections} connections, ${warmSeconds} s warm-up + ${seconds} s per run, ${rounds} round${rounds === 1 ? '' : 's'}`);
say();

// 1. The round trips of one request of each scenario: the route's and the floor's.
{
  const probe = await startTarget(targetFile('aldero'), ['probe']);
  const { scenarios: ops, background } = await probe.call<{
    scenarios: Record<RoundTripScenario, { aldero: RequestCommands; floor: RequestCommands }>;
    background: string[];
  }>('probe');
  await probe.stop();
  say('## Database round trips per request (driver command monitoring)');
  say();
  say('Budget: the most the route may take, pinned by test/bench/round-trips.test.ts. Floor: the minimal handler (targets/floor.ts).');
  say();
  say('| scenario | Aldero route | budget | floor | Aldero commands | floor commands |');
  say('| --- | ---: | ---: | ---: | --- | --- |');
  for (const [name, { aldero, floor }] of Object.entries(ops) as [RoundTripScenario, { aldero: RequestCommands; floor: RequestCommands }][]) {
    const over = aldero.commands.length > ROUND_TRIP_BUDGET[name] ? ' **OVER**' : '';
    say(`| ${name} | ${aldero.status}: **${aldero.commands.length}**${over} | ${ROUND_TRIP_BUDGET[name]} | ${floor.status}: ${floor.commands.length} | ${summariseCommands(aldero.commands)} | ${summariseCommands(floor.commands)} |`);
  }
  say();
  say(`Left out: what the process polls on its own when idle (${background.join(', ') || 'nothing'}).`);
  say();
}

// 2. The runs: rounds × scenarios × targets, the targets' order turning each round.
const targets = new Map<TargetName, TargetHandle>();
await Promise.all(TARGETS.map(async (name) => targets.set(name, await startTarget(targetFile(name), targetArgs(name)))));

/** `cpuUs`: CPU time of the target process (server + engine, all threads) per answered request. */
type Row = { round: number; scenario: ScenarioName; target: TargetName; result: LoadResult; cpuUs: number };
const rows: Row[] = [];
/** `floor-guide` (the floor without the account-level code limit) only where that limit is on the path: verify. */
const targetsOf = (scenario: ScenarioName) => TARGETS.filter((target) => target !== 'floor-guide' || scenario.startsWith('verify'));
const totalRuns = rounds * scenarioNames.reduce((sum, scenario) => sum + targetsOf(scenario).length, 0);
const runsStarted = Date.now();
try {
  for (let round = 0; round < rounds; round++) for (const scenarioName of scenarioNames) {
    const scenario = SCENARIOS[scenarioName];
    const own = targetsOf(scenarioName);
    const order = own.map((_, i) => own[(i + round) % own.length]!);
    for (const targetName of order) {
      const target = targets.get(targetName)!;
      const spec = specOf(scenario, targetName);
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
      rows.push({ round, scenario: scenarioName, target: targetName, result, cpuUs });
      const done = rows.length;
      const left = ((Date.now() - runsStarted) / done) * (totalRuns - done);
      console.log(
        `  [${String(done).padStart(String(totalRuns).length)}/${totalRuns}] round ${round + 1} ${scenarioName.padEnd(12)} ${targetName.padEnd(11)} ${result.rps.toFixed(0).padStart(6)} req/s  p50 ${fmtUs(result.p50us)}  p99 ${fmtUs(result.p99us)}  cpu ${cpuUs.toFixed(0)} µs/req  ` +
          `${JSON.stringify(result.statuses)}${result.unexpected ? `  UNEXPECTED ${result.unexpected}: ${result.sampleUnexpected}` : ''}${result.exhausted ? '  POOL EXHAUSTED' : ''}  · ${fmtDuration(left)} left`,
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

function fmtDuration(ms: number): string {
  const total = Math.max(0, Math.round(ms / 1000));
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, '0')}`;
}

function median(values: number[]): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** `median (min–max)` of a measure over the rounds. */
function spread(values: number[], format: (n: number) => string): string {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return '—';
  if (finite.length === 1) return format(finite[0]!);
  return `${format(median(finite))} (${format(Math.min(...finite))}–${format(Math.max(...finite))})`;
}

const runsOf = (scenario: ScenarioName, target: TargetName) => rows.filter((row) => row.scenario === scenario && row.target === target);
/** A measure of `target` over `base`, per round (runs of one round were made seconds apart). */
function ratios(scenario: ScenarioName, target: TargetName, base: TargetName, measure: (row: Row) => number): number[] {
  const out: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const a = rows.find((row) => row.round === round && row.scenario === scenario && row.target === target);
    const b = rows.find((row) => row.round === round && row.scenario === scenario && row.target === base);
    if (a && b && measure(b) > 0) out.push(measure(a) / measure(b));
  }
  return out;
}
const rps = (row: Row) => row.result.rps;
const cpu = (row: Row) => row.cpuUs;
const times = (n: number) => `${n.toFixed(2)}×`;
const int = (n: number) => n.toFixed(0);

say('## Throughput, latency and server CPU');
say();
say(`Each cell: the median over ${rounds} round${rounds === 1 ? '' : 's'} (min–max). Ratios: the median of the rounds' ratios (each round's runs were seconds apart).`);
say('Server CPU / req: CPU time of the target process (server and its engine, every thread) per answered request — steadier than req/s on a shared machine.');
say(`Latency is per request with ${connections} connections in flight (closed loop).`);
say();
say('| scenario | target | req/s | p50 | p99 | server CPU / req | answers (last round) | × floor req/s | × better-auth req/s | CPU ÷ better-auth |');
say('| --- | --- | ---: | ---: | ---: | ---: | --- | ---: | ---: | ---: |');
for (const scenarioName of scenarioNames) {
  for (const targetName of TARGETS) {
    const runs = runsOf(scenarioName, targetName);
    if (runs.length === 0) continue;
    const last = runs.at(-1)!.result;
    const answers = Object.entries(last.statuses).map(([status, count]) => `${count}×${status}`).join(' ') + (last.unexpected ? ` (${last.unexpected} unexpected)` : '');
    const vsFloor = targetName !== 'floor' && TARGETS.includes('floor') ? spread(ratios(scenarioName, targetName, 'floor', rps), times) : '';
    const vsPeer = targetName === 'aldero' && TARGETS.includes('better-auth') ? spread(ratios(scenarioName, targetName, 'better-auth', rps), times) : '';
    const cpuVsPeer = targetName === 'aldero' && TARGETS.includes('better-auth') ? spread(ratios(scenarioName, targetName, 'better-auth', cpu), times) : '';
    say(
      `| ${SCENARIOS[scenarioName].title} | ${targetName === 'aldero' ? '**aldero**' : targetName} | ${spread(runs.map(rps), int)} | ${spread(runs.map((row) => row.result.p50us), fmtUs)} | ` +
        `${spread(runs.map((row) => row.result.p99us), fmtUs)} | ${spread(runs.map(cpu), fmtUs)} | ${answers} | ${vsFloor} | ${vsPeer} | ${cpuVsPeer} |`,
    );
  }
}
say();
const drift = rows.filter((row) => row.result.unexpected > 0 || row.result.exhausted || row.result.errors > 0);
if (drift.length) {
  say('**Runs with unexpected answers, errors or an exhausted fixture pool:**');
  for (const row of drift) say(`- round ${row.round + 1} ${row.scenario} / ${row.target}: ${row.result.unexpected} unexpected (${row.result.sampleUnexpected}), ${row.result.errors} errors${row.result.exhausted ? ', pool exhausted' : ''}`);
} else {
  say('Every answer was the expected one (status and body checked on each response); no fixture was reused beyond its limit.');
}
say();

// The targets of issue 19, on the medians of the rounds' ratios.
const TARGET_BARS: { scenario: ScenarioName; floor: number; peer: number; cpuShare: number }[] = [
  { scenario: 'verify-wrong', floor: 0.85, peer: 5, cpuShare: 0.25 },
  { scenario: 'verify-right', floor: 0.8, peer: 4, cpuShare: 0.25 },
];
const verdicts: string[] = [];
say('## Targets (issue 19)');
say();
say('| scenario | Aldero ÷ floor req/s | Aldero ÷ better-auth req/s | Aldero CPU/req ÷ better-auth\'s |');
say('| --- | --- | --- | --- |');
for (const bar of TARGET_BARS) {
  if (!scenarioNames.includes(bar.scenario) || !TARGETS.includes('aldero')) continue;
  const cell = (values: number[], pass: (n: number) => boolean, wanted: string) => {
    if (values.length === 0) return '(not run)';
    const m = median(values);
    const verdict = pass(m) ? 'PASS' : 'FAIL';
    verdicts.push(`${bar.scenario} ${wanted}: ${verdict}`);
    return `${times(m)} (${times(Math.min(...values))}–${times(Math.max(...values))}) ${wanted}: **${verdict}**`;
  };
  say(
    `| ${SCENARIOS[bar.scenario].title} | ${cell(ratios(bar.scenario, 'aldero', 'floor', rps), (n) => n >= bar.floor, `≥ ${bar.floor}×`)} | ` +
      `${cell(ratios(bar.scenario, 'aldero', 'better-auth', rps), (n) => n >= bar.peer, `≥ ${bar.peer}×`)} | ` +
      `${cell(ratios(bar.scenario, 'aldero', 'better-auth', cpu), (n) => n <= bar.cpuShare, `≤ ${bar.cpuShare}×`)} |`,
  );
}
say();
if (TARGETS.includes('floor-guide') && TARGETS.includes('floor')) {
  for (const scenario of scenarioNames.filter((name) => name.startsWith('verify'))) {
    const cost = ratios(scenario, 'floor', 'floor-guide', cpu);
    const speed = ratios(scenario, 'floor-guide', 'floor', rps);
    if (cost.length) {
      say(
        `The account-level code limit's round trip (${SCENARIOS[scenario].title}): the floor with it takes ${times(median(cost))} the CPU per request of the floor without it (floor-guide), ` +
          `which serves ${times(median(speed))} its requests per second` +
          (TARGETS.includes('better-auth') ? `; floor-guide ÷ better-auth: ${times(median(ratios(scenario, 'floor-guide', 'better-auth', rps)))} req/s, ${times(median(ratios(scenario, 'floor-guide', 'better-auth', cpu)))} CPU/req.` : '.'),
      );
    }
  }
  say();
}

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

say(`Targets: ${verdicts.join('; ') || '(not run)'}`);
say(`Total ${((Date.now() - started) / 1000).toFixed(0)} s.`);
mkdirSync(join(values.out!, '..'), { recursive: true });
writeFileSync(values.out!, report.join('\n') + '\n');
console.log(`\n(report written to ${values.out})`);
process.exitCode = failures > 0 ? 1 : 0;
