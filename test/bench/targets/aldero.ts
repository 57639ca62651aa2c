/**
 * Bench target: the Aldero API (`aldero`), or the floor (`floor`): the minimal bare node:http
 * handler for the same rules (./floor.ts), through the same driver on the same embedded engine —
 * both in one process with their engine, like `npm start`. `probe` serves both with the
 * driver's command monitoring on and reports the commands each request runs (lib/round-trips.ts),
 * so the bench prints the round trips of the route and of the floor side by side.
 *
 *   node --import tsx test/bench/targets/aldero.ts aldero|floor|floor-guide|probe   (forked by the bench)
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startEmbeddedMongo } from '../../../server/embedded-mongo/index.ts';
import { randomToken } from '../../../server/crypto.ts';
import { startTestServer } from '../../helpers/server.ts';
import { challengeFixtures, loginFixtures, prepareWorld, type ChallengeScenario } from '../lib/fixtures.ts';
import { serveTarget, trackInFlight } from '../lib/ipc.ts';
import { startProfiling, stopProfiling } from '../lib/profiler.ts';
import { CommandRecorder, commandsOfRequest, ROUND_TRIP_SCENARIOS, scenarioBody, type RequestCommands, type RoundTripScenario } from '../lib/round-trips.ts';
import { createFloorHandler } from './floor.ts';

const mode = process.argv[2] ?? 'aldero';
if (!['aldero', 'floor', 'floor-guide', 'probe'].includes(mode)) throw new Error(`mode must be aldero, floor, floor-guide or probe, got ${mode}`);

const engine = await startEmbeddedMongo();
const monitored = mode === 'probe';
const server = await startTestServer({
  mongoUri: monitored ? `${engine.uri}&monitorCommands=true` : engine.uri,
  dbName: `aldero_bench_${randomToken(6).replace(/[^a-z0-9]/gi, '')}`,
});
const world = await prepareWorld(server);

let floorUrl: string | null = null;
let floorServer: ReturnType<typeof createServer> | null = null;
if (mode !== 'aldero') {
  const handler = createFloorHandler(world, { accountLimit: mode !== 'floor-guide' });
  floorServer = createServer((req, res) => void handler(req, res));
  floorServer.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => floorServer!.listen(0, '127.0.0.1', resolve));
  floorUrl = `http://127.0.0.1:${(floorServer.address() as AddressInfo).port}`;
}

const inFlight = trackInFlight(server.app.server, ...(floorServer ? [floorServer] : []));

/** Probe mode: the driver's command monitoring, minus what the process sends on its own when idle. */
const recorder = monitored ? new CommandRecorder(server.store.client) : null;
const background = recorder ? await recorder.learnBackground() : [];
serveTarget(
  mode === 'floor' || mode === 'floor-guide' ? floorUrl! : server.url,
  {
    async fixtures(params) {
      const scenario = (params.scenario === 'verify-wrong-trpc' ? 'verify-wrong' : params.scenario) as ChallengeScenario | 'login';
      if (scenario === 'login') return loginFixtures(world, Number(params.count));
      return challengeFixtures(world, scenario, Number(params.count));
    },
    async probe() {
      if (!floorUrl || !recorder) throw new Error('probe mode only');
      const result = {} as Record<RoundTripScenario, { aldero: RequestCommands; floor: RequestCommands }>;
      for (const scenario of ROUND_TRIP_SCENARIOS) {
        const aldero = await commandsOfRequest(recorder, server.url, server.url, scenario, await scenarioBody(world, scenario));
        const floor = await commandsOfRequest(recorder, server.url, floorUrl, scenario, await scenarioBody(world, scenario));
        result[scenario] = { aldero, floor };
      }
      return { scenarios: result, background };
    },
    async profileStart() {
      await startProfiling();
      return true;
    },
    async profileStop(params) {
      return stopProfiling(String(params.file));
    },
    memory() {
      return process.memoryUsage();
    },
    cpu: () => process.cpuUsage(),
  },
  async () => {
    await inFlight.drain();
    floorServer?.closeAllConnections();
    floorServer?.close();
    await server.stop();
    await engine.stop();
  },
);
