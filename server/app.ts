import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TokenService } from './accounts/tokens.ts';
import { systemClock, type Clock } from './clock.ts';
import type { Config } from './config.ts';
import { AUDIT_INDEXES, createAuditSink, startAuditWorker } from './audit/index.ts';
import type { AppDeps } from './deps.ts';
import { createDispatcher, DELIVERY_INDEXES, handleTelnyxWebhook } from './delivery/index.ts';
import type { SmsDispatcher } from './delivery/types.ts';
import { createHttpHandler } from './http/handler.ts';
import { loadServerKeys } from './keys.ts';
import { createLogger, type Logger } from './log.ts';
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
  stop(): Promise<void>;
}

/** The demo tenant of `npm start` (DESIGN.md §2). */
export const DEMO_TENANT = { slug: 'acme', brand: 'Acme' };

/** Builds the dependencies of one process: store, keys, tenants, tokens, SMS delivery, the audit sink. */
export async function createDeps(options: StartOptions): Promise<AppDeps> {
  const { config } = options;
  const clock = options.clock ?? systemClock;
  const log = options.log ?? createLogger(config.logLevel);
  const store = await connectStore(options.mongoUri, config.mongodbDb);
  await store.ensureIndexes([...DELIVERY_INDEXES, ...AUDIT_INDEXES]);
  const keys = await loadServerKeys(store, {
    secret: config.secret,
    privateJwk: process.env.ALDERO_JWT_PRIVATE_JWK,
    production: config.production,
  });
  const base = { config, store, keys, clock, log, audit: createAuditSink({ store, clock }) };
  return {
    ...base,
    tenants: new TenantService(store, clock),
    tokens: new TokenService(keys, clock),
    sms: options.sms ?? createDispatcher(base),
  };
}

/** Starts one API process: dependencies, the demo tenant, SMS workers and the HTTP server. */
export async function startApp(options: StartOptions & { demoDir?: string }): Promise<RunningApp> {
  const deps = await createDeps(options);
  let demoAdminKey: string | null = null;
  if (deps.config.seedDemoTenant) {
    const demo = await deps.tenants.ensure(DEMO_TENANT, deps.config.demoAdminKey);
    demoAdminKey = demo.adminKey;
  }
  const demoConfig = demoAdminKey ? () => ({ tenant: DEMO_TENANT.slug, brand: DEMO_TENANT.brand, sandbox: true, adminKey: demoAdminKey }) : undefined;
  const handler = createHttpHandler(deps, { demoDir: options.demoDir, webhooks: handleTelnyxWebhook, demoConfig });
  const server = createServer((req, res) => void handler(req, res));
  server.keepAliveTimeout = 65_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(deps.config.port, deps.config.host, () => resolve());
  });
  // The issuer of tokens names the real port (PORT=0 picks one).
  deps.config.port = (server.address() as AddressInfo).port;
  deps.sms.start?.();
  const auditWorker = startAuditWorker(deps);
  const url = `http://localhost:${deps.config.port}`;
  return {
    server,
    url,
    deps,
    demoAdminKey,
    async stop() {
      await deps.sms.stop?.();
      await auditWorker.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await deps.store.close();
    },
  };
}
