/**
 * Profiles a route under load: starts a target, loads it with autocannon and records V8's CPU
 * profile (the profiler `node --cpu-prof` uses) for the load window only, then prints the top
 * frames and modules by self time. The `.cpuprofile` is kept for Chrome DevTools.
 *
 *   node --import tsx test/bench/profile.ts [--scenario verify-wrong] [--target aldero|floor|better-auth] [--seconds 8]
 */
import { mkdirSync } from 'node:fs';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startTarget, type Fixture } from './lib/ipc.ts';
import { runLoad } from './lib/load.ts';
import { summarise, type CpuProfile } from './lib/profiler.ts';
import { SCENARIOS, specOf, type ScenarioName, type TargetName, targetFile, targetArgs } from './scenarios.ts';

const { values } = parseArgs({
  options: {
    scenario: { type: 'string', default: 'verify-wrong' },
    target: { type: 'string', default: 'aldero' },
    seconds: { type: 'string', default: '8' },
    connections: { type: 'string', default: '10' },
    top: { type: 'string', default: '25' },
    out: { type: 'string', default: join(process.cwd(), 'test', '.artifacts', 'profiles') },
  },
});

const scenario = SCENARIOS[values.scenario as ScenarioName];
if (!scenario) throw new Error(`--scenario: one of ${Object.keys(SCENARIOS).join(', ')}`);
const targetName = values.target as TargetName;
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const spec = specOf(scenario, targetName);

mkdirSync(values.out!, { recursive: true });
const target = await startTarget(targetFile(targetName), targetArgs(targetName));
try {
  // Warm-up (JIT, pools), then the profiled window.
  const warm = await target.call<Fixture[]>('fixtures', { scenario: scenario.name, count: spec.fixturesFor(3000, 2, connections) });
  await runLoad({ url: target.url, path: spec.path, fixtures: warm, usesPerFixture: spec.usesPerFixture, cycle: spec.cycle, durationSeconds: 2, connections, expect: spec.expect });
  const fixtures = await target.call<Fixture[]>('fixtures', { scenario: scenario.name, count: spec.fixturesFor(6000, seconds, connections) });
  await target.call('profileStart');
  const result = await runLoad({ url: target.url, path: spec.path, fixtures, usesPerFixture: spec.usesPerFixture, cycle: spec.cycle, durationSeconds: seconds, connections, expect: spec.expect });
  const file = await target.call<string>('profileStop', { file: join(values.out!, `${targetName}-${scenario.name}-${Date.now()}.cpuprofile`) });
  const summary = summarise(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, Number(values.top));
  console.log(`${targetName} ${scenario.name}: ${result.rps.toFixed(0)} req/s, p50 ${(result.p50us / 1000).toFixed(2)} ms, p99 ${(result.p99us / 1000).toFixed(2)} ms, unexpected ${result.unexpected}`);
  console.log(`profile: ${file} (${summary.totalMs.toFixed(0)} ms of CPU sampled, idle excluded: ${((summary.totalMs * 1000) / result.requests).toFixed(0)} µs per request)`);
  console.log('\ntop frames by self time');
  for (const frame of summary.frames) console.log(`${frame.selfPercent.toFixed(1).padStart(6)} %  ${frame.selfMs.toFixed(0).padStart(6)} ms  ${frame.frame}`);
  console.log('\nour frames (server/**) by inclusive time (the frame and what it called; async waits excluded)');
  for (const frame of summary.inclusive) console.log(`${frame.selfPercent.toFixed(1).padStart(6)} %  ${frame.selfMs.toFixed(0).padStart(6)} ms  ${frame.frame}`);
  console.log('\ntop modules by self time');
  for (const frame of summary.modules) console.log(`${frame.selfPercent.toFixed(1).padStart(6)} %  ${frame.selfMs.toFixed(0).padStart(6)} ms  ${frame.frame}`);
} finally {
  await target.stop();
}
