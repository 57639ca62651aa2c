import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TokenService } from './accounts/tokens.ts';
import { systemClock, type Clock } from './clock.ts';
import type { Config } from './config.ts';
import { AUDIT_INDEXES, createAuditSink, startAuditWorker } from './audit/index.ts';
import type { AppDeps } from './deps.ts';
import { createDispatcher, DELIVERY_INDEXES, handleTelnyxWebhook, OutboxMessages, type Dispatcher } from './delivery/index.ts';
import type { SmsDispatcher } from './delivery/types.ts';
import { createHttpHandler } from './http/handler.ts';
import { routeLabel } from './http/route-label.ts';
import { loadServerKeys } from './keys.ts';
import { createLogger, type Logger } from './log.ts';
import { driverOptions } from './ops/database.ts';
import { createOpsHandler } from './ops/http.ts';
import { Metrics } from './ops/metrics.ts';
import { trackRequests, type RequestTracker } from './ops/shutdown.ts';
import { createPlatform } from './platform/index.ts';
import { connectStore } from './store/index.ts';
import { TenantService } from './tenants/service.ts';

export interface StartOptions {
  config: Config;
  mongoUri: string;
  clock?: Clock;
  log?: Logger;
  /** Replace SMS delivery (tests of delivery failures). */
  sms?: SmsDispatcher;
}

export interface RunningApp {
  server: Server;
  url: string;
  deps: AppDeps;
  /** The demo tenant's admin key, when this process created or reset it. */
  demoAdminKey: string | null;
  /** This process's Prometheus metrics (`GET /metrics`). */
  metrics: Metrics;
  /**
   * Stops accepting connections and waits up to `deadlineMs` for the requests in flight (SIGTERM,
   * before `stop`); `/readyz` answers 503 from the start.
   */
  drain: RequestTracker['drain'];
  /** The platform key generated for this start (ALDERO_PLATFORM_KEY unset, outside production); null when configured. */
  platformKey: string | null;
  stop(): Promise<void>;
}

/** Counts each SMS handed to delivery by the state it got at once (`aldero_sms_dispatched_total`). */
function countDispatches(sms: SmsDispatcher, metrics: Metrics): void {
  const dispatch = sms.dispatch.bind(sms);
  sms.dispatch = async (request) => {
    const state = await dispatch(request);
    metrics.dispatched(state.status, state.reason);
    return state;
  };
}

/** The demo tenant of `npm start` (DESIGN.md §2). */
export const DEMO_TENANT = { slug: 'acme', brand: 'Acme' };

/** Builds the dependencies of one process: store, keys, tenants, tokens, SMS delivery, the audit sink. */
export async function createDeps(options: StartOptions): Promise<AppDeps> {
  const { config } = options;
  const clock = options.clock ?? systemClock;
  const log = options.log ?? createLogger(config.logLevel);
  const store = await connectStore(options.mongoUri, config.mongodbDb, driverOptions(config));
  await store.ensureIndexes([...DELIVERY_INDEXES, ...AUDIT_INDEXES]);
  const keys = await loadServerKeys(store, {
    secret: config.secret,
    privateJwk: config.jwtPrivateJwk,
    production: config.production,
  });
  const base = { config, store, keys, clock, log, audit: createAuditSink({ store, clock }) };
  const tenants = new TenantService(store, clock);
  const platform = await createPlatform({ store, clock, log, tenants, audit: base.audit, production: config.production, platformKey: config.platformKey });
  return {
    ...base,
    tenants,
    platform,
    tokens: new TokenService(keys, clock),
    sms: options.sms ?? createDispatcher(base),
  };
}

/** Starts one API process: dependencies, the demo tenant, SMS workers and the HTTP server. */
export async function startApp(options: StartOptions & { demoDir?: string }): Promise<RunningApp> {
  const deps = await createDeps(options);
  let demoAdminKey: string | null = null;
  let demoInboxKey: string | null = null;
  if (deps.config.seedDemoTenant) {
    const demo = await deps.platform.service.ensureDemoTenant(DEMO_TENANT, deps.config.demoAdminKey);
    demoAdminKey = demo.adminKey;
    demoInboxKey = demo.inboxKey;
  }
  // The demo's phone simulator gets a key that reads the sandbox inbox and nothing else.
  const demoConfig = demoInboxKey ? () => ({ tenant: DEMO_TENANT.slug, brand: DEMO_TENANT.brand, sandbox: true, adminKey: demoInboxKey, scope: 'sandbox-inbox' }) : undefined;
  // The demo's fake identity provider plays the tenant's back end: the full key stays in this process.
  const demoIdp = demoAdminKey ? { tenantLabel: `${DEMO_TENANT.slug}-sandbox`, adminKey: demoAdminKey } : undefined;
  const handler = createHttpHandler(deps, { demoDir: options.demoDir, webhooks: handleTelnyxWebhook, demoConfig, demoIdp });
  const dispatcher = deps.sms as Partial<Dispatcher>;
  const outbox = new OutboxMessages(deps.store);
  const metrics = new Metrics({ outbox: () => outbox.backlog(new Date()), smsWorker: dispatcher.stats ? () => dispatcher.stats! : undefined });
  if (!options.sms) countDispatches(deps.sms, metrics);
  const smsWorkerExpected = dispatcher.settings?.workerEnabled ?? false;
  let workersRunning = false;
  const ops = createOpsHandler({
    config: deps.config,
    log: deps.log,
    metrics,
    db: deps.store.db,
    workers: () => ({ ...(smsWorkerExpected ? { sms: workersRunning } : {}), jobs: workersRunning }),
    draining: () => requests.draining,
    routeOf: routeLabel,
    isPlatformKey: (candidate) => deps.platform.key.verify(candidate),
  });
  // /readyz, /metrics and the access log first; everything else is the API's.
  const server = createServer((req, res) => {
    if (!ops.intercept(req, res)) void handler(req, res);
  });
  const requests = trackRequests(server);
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(deps.config.port, deps.config.host, () => resolve());
  });
  // The issuer of tokens names the real port (PORT=0 picks one).
  deps.config.port = (server.address() as AddressInfo).port;
  deps.sms.start?.();
  const auditWorker = startAuditWorker(deps);
  workersRunning = true;
  const metricsServer = deps.config.metricsPort === undefined ? null : createServer((req, res) => ops.metricsListener(req, res));
  if (metricsServer) {
    await new Promise<void>((resolve, reject) => {
      metricsServer.once('error', reject);
      metricsServer.listen(deps.config.metricsPort, deps.config.host, () => resolve());
    });
  }
  const url = `http://localhost:${deps.config.port}`;
  return {
    server,
    url,
    deps,
    demoAdminKey,
    metrics,
    drain: (deadlineMs) => requests.drain(deadlineMs),
    platformKey: deps.platform.generatedKey,
    async stop() {
      workersRunning = false;
      await deps.sms.stop?.();
      await auditWorker.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      if (metricsServer) await new Promise<void>((resolve) => metricsServer.close(() => resolve()));
      await deps.store.close();
    },
  };
}
