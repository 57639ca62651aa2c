/**
 * Bench target: the Aldero API (`aldero`), or the floor (`floor`): a bare node:http handler
 * doing the same database round trips through the same driver on the same embedded engine —
 * both in one process with their engine, like `npm start`. `probe` serves both with the
 * driver's command monitoring on and reports the commands each request runs, so the bench can
 * show that the floor does exactly the route's round trips.
 *
 *   node --import tsx test/bench/targets/aldero.ts aldero|floor|probe   (forked by the bench)
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startEmbeddedMongo } from '../../../server/embedded-mongo/index.ts';
import { randomToken } from '../../../server/crypto.ts';
import { startTestServer } from '../../helpers/server.ts';
import { challengeFixtures, loginFixtures, prepareWorld, type ChallengeScenario } from '../lib/fixtures.ts';
import { serveTarget, trackInFlight } from '../lib/ipc.ts';
import { startProfiling, stopProfiling } from '../lib/profiler.ts';
import { createFloorHandler } from './floor.ts';

const mode = process.argv[2] ?? 'aldero';
if (!['aldero', 'floor', 'probe'].includes(mode)) throw new Error(`mode must be aldero, floor or probe, got ${mode}`);

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
  const handler = createFloorHandler(world);
  floorServer = createServer((req, res) => void handler(req, res));
  floorServer.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve) => floorServer!.listen(0, '127.0.0.1', resolve));
  floorUrl = `http://127.0.0.1:${(floorServer.address() as AddressInfo).port}`;
}

const inFlight = trackInFlight(server.app.server, ...(floorServer ? [floorServer] : []));

const commands: string[] = [];
let recording = false;
/** Commands the process runs on its own (outbox and job workers polling), left out of the comparison. */
const background = new Set<string>();
let learningBackground = false;
if (monitored) {
  server.store.client.on('commandStarted', (event) => {
    const command = `${event.commandName} ${String(event.command[event.commandName])}`;
    if (learningBackground) background.add(command);
    else if (recording && !background.has(command)) commands.push(command);
  });
  learningBackground = true;
  await new Promise((resolve) => setTimeout(resolve, 2500));
  learningBackground = false;
}

/** The database commands one request runs (probe mode). */
async function commandsOf(url: string, path: string, body: string): Promise<{ status: number; commands: string[] }> {
  // The tenant's settings are cached for 2 s (server/tenants/service.ts): refresh them first,
  // as a loaded server always has them.
  await (await fetch(`${server.url}/v1/openapi.json`, { headers: { 'x-aldero-tenant': 'acme-sandbox' } })).text();
  commands.length = 0;
  recording = true;
  const response = await fetch(url + path, { method: 'POST', headers: { 'content-type': 'application/json', 'x-aldero-tenant': 'acme-sandbox' }, body });
  await response.text();
  // Let fire-and-forget writes of the request land before the recording stops.
  await new Promise((resolve) => setTimeout(resolve, 50));
  recording = false;
  return { status: response.status, commands: [...commands] };
}

const PATHS: Record<string, string> = {
  'verify-wrong': '/v1/auth/mfa/verify',
  'verify-right': '/v1/auth/mfa/verify',
  send: '/v1/auth/mfa/challenge',
  login: '/v1/auth/login',
};

serveTarget(
  mode === 'floor' ? floorUrl! : server.url,
  {
    async fixtures(params) {
      const scenario = (params.scenario === 'verify-wrong-trpc' ? 'verify-wrong' : params.scenario) as ChallengeScenario | 'login';
      if (scenario === 'login') return loginFixtures(world, Number(params.count));
      return challengeFixtures(world, scenario, Number(params.count));
    },
    async probe() {
      if (!floorUrl) throw new Error('probe mode only');
      const result: Record<string, { aldero: { status: number; commands: string[] }; floor: { status: number; commands: string[] } }> = {};
      for (const scenario of Object.keys(PATHS)) {
        const pick = async () =>
          scenario === 'login' ? (await loginFixtures(world, 1))[0]! : (await challengeFixtures(world, scenario as ChallengeScenario, 1))[0]!;
        const aldero = await commandsOf(server.url, PATHS[scenario]!, (await pick()).body);
        const floor = await commandsOf(floorUrl, PATHS[scenario]!, (await pick()).body);
        result[scenario] = { aldero, floor };
      }
      return { scenarios: result, background: [...background] };
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
