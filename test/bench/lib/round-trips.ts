/**
 * Database round trips per request: the driver's command monitoring (`monitorCommands: true` on
 * the MongoClient, here through the connection string) records every command a request sends,
 * so the count of each scenario can be printed by the bench and pinned by a test.
 *
 * Commands the process sends on its own (the outbox and job workers polling when idle) are learnt
 * first, while no request runs, and left out; every other command started between the request's
 * first byte and its answer (plus a short grace for anything not awaited) is the request's.
 */
import type { CommandStartedEvent, MongoClient } from 'mongodb';
import { startEmbeddedMongo } from '../../../server/embedded-mongo/index.ts';
import { randomToken } from '../../../server/crypto.ts';
import { startTestServer, type TestServer } from '../../helpers/server.ts';
import { BENCH_TENANT, challengeFixtures, loginFixtures, prepareWorld, type BenchWorld } from './fixtures.ts';

export const ROUND_TRIP_SCENARIOS = ['verify-wrong', 'verify-right', 'send', 'login'] as const;
export type RoundTripScenario = (typeof ROUND_TRIP_SCENARIOS)[number];

/**
 * The most database round trips one request of each scenario may take on the Aldero API,
 * pinned by test/bench/round-trips.test.ts and printed by the bench. Wrong code: the judgement
 * (one update of the challenge), the account-level counter (one update of the user's), the
 * audit insert. Right code: the same two, the session, the audit insert. Send: the claim (with
 * the message's planned delivery state), the 5 quotas (one bulk update), the sandbox message, the
 * audit insert. Login: the user, the failed-login limits (one bulk update), the send quotas with
 * the login's slots given back (one bulk update), the challenge stored with its first send and
 * its planned state, the sandbox message, the audit insert — what the floor does.
 */
export const ROUND_TRIP_BUDGET: Record<RoundTripScenario, number> = { 'verify-wrong': 3, 'verify-right': 4, send: 4, login: 6 };

/** What each scenario's request answers when it did what the bench measures. */
export const SCENARIO_STATUS: Record<RoundTripScenario, number> = { 'verify-wrong': 400, 'verify-right': 200, send: 200, login: 403 };

export const SCENARIO_PATHS: Record<RoundTripScenario, string> = {
  'verify-wrong': '/v1/auth/mfa/verify',
  'verify-right': '/v1/auth/mfa/verify',
  send: '/v1/auth/mfa/challenge',
  login: '/v1/auth/login',
};

export interface RequestCommands {
  status: number;
  /** `<command> <collection>`, in the order the driver started them. */
  commands: string[];
}

/** The name of a command as the tables print it: `findAndModify challenges`. */
export function commandLabel(event: Pick<CommandStartedEvent, 'commandName' | 'command'>): string {
  return `${event.commandName} ${String(event.command[event.commandName])}`;
}

/** Records the commands a client starts, minus the ones it sends on its own when idle. */
export class CommandRecorder {
  private readonly background = new Set<string>();
  private recording: string[] | null = null;
  private learning = false;

  constructor(client: MongoClient) {
    client.on('commandStarted', (event) => {
      const label = commandLabel(event);
      if (this.learning) this.background.add(label);
      else if (this.recording && !this.background.has(label)) this.recording.push(label);
    });
  }

  /** Listens for `ms` while nothing else runs: whatever is sent then is background. */
  async learnBackground(ms = 2500): Promise<string[]> {
    this.learning = true;
    await new Promise((resolve) => setTimeout(resolve, ms));
    this.learning = false;
    return [...this.background];
  }

  /** The commands `run` causes (and those started within `graceMs` after it). */
  async record<T>(run: () => Promise<T>, graceMs = 50): Promise<{ result: T; commands: string[] }> {
    const commands: string[] = [];
    this.recording = commands;
    try {
      const result = await run();
      await new Promise((resolve) => setTimeout(resolve, graceMs));
      return { result, commands };
    } finally {
      this.recording = null;
    }
  }
}

/** One fixture request of `scenario` (a fresh challenge or login account each time). */
export async function scenarioBody(world: BenchWorld, scenario: RoundTripScenario): Promise<string> {
  const [fixture] = scenario === 'login' ? await loginFixtures(world, 1) : await challengeFixtures(world, scenario, 1);
  return fixture!.body;
}

/** POSTs one request of a scenario to `baseUrl` and records its commands. */
export async function commandsOfRequest(
  recorder: CommandRecorder,
  warmUrl: string,
  baseUrl: string,
  scenario: RoundTripScenario,
  body: string,
): Promise<RequestCommands> {
  // The tenant's settings are cached for 2 s (server/tenants/service.ts): refresh them first,
  // as a loaded server always has them.
  await (await fetch(`${warmUrl}/v1/openapi.json`, { headers: { 'x-aldero-tenant': BENCH_TENANT } })).text();
  const { result: status, commands } = await recorder.record(async () => {
    const response = await fetch(baseUrl + SCENARIO_PATHS[scenario], {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-aldero-tenant': BENCH_TENANT },
      body,
    });
    await response.text();
    return response.status;
  });
  return { status, commands };
}

export interface MonitoredServer {
  server: TestServer;
  world: BenchWorld;
  recorder: CommandRecorder;
  background: string[];
  stop(): Promise<void>;
}

/** An API process on its own engine with command monitoring on, and the bench's world in it. */
export async function startMonitoredServer(): Promise<MonitoredServer> {
  const engine = await startEmbeddedMongo();
  const server = await startTestServer({
    mongoUri: `${engine.uri}&monitorCommands=true`,
    dbName: `aldero_rt_${randomToken(6).replace(/[^a-z0-9]/gi, '')}`,
  });
  const world = await prepareWorld(server);
  const recorder = new CommandRecorder(server.store.client);
  const background = await recorder.learnBackground();
  return {
    server,
    world,
    recorder,
    background,
    async stop() {
      await server.stop();
      await engine.stop();
    },
  };
}

/** Each scenario's commands on the Aldero API. */
export async function countAlderoRoundTrips(monitored: MonitoredServer): Promise<Record<RoundTripScenario, RequestCommands>> {
  const out = {} as Record<RoundTripScenario, RequestCommands>;
  for (const scenario of ROUND_TRIP_SCENARIOS) {
    out[scenario] = await commandsOfRequest(monitored.recorder, monitored.server.url, monitored.server.url, scenario, await scenarioBody(monitored.world, scenario));
  }
  return out;
}

/** `find challenges, findAndModify rateCounters ×2`: runs of one command folded. */
export function summariseCommands(commands: string[]): string {
  const out: string[] = [];
  for (const command of commands) {
    const last = out.at(-1);
    const match = last && /^(.*?)(?: ×(\d+))?$/.exec(last);
    if (match && match[1] === command) out[out.length - 1] = `${command} ×${Number(match[2] ?? 1) + 1}`;
    else out.push(command);
  }
  return out.join(', ');
}
