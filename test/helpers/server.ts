import { startApp, type RunningApp } from '../../server/app.ts';
import type { Clock } from '../../server/clock.ts';
import { loadConfig } from '../../server/config.ts';
import type { SmsDispatcher } from '../../server/delivery/types.ts';
import { startEmbeddedMongo } from '../../server/embedded-mongo/index.ts';
import { randomToken } from '../../server/crypto.ts';
import type { SendQuotas } from '../../server/store/documents.ts';
import type { Logger } from '../../server/log.ts';

export interface TestServer {
  url: string;
  adminKey: string;
  app: RunningApp;
  deps: RunningApp['deps'];
  store: RunningApp['deps']['store'];
  mongoUri: string;
  stop(): Promise<void>;
}

export interface TestServerOptions {
  clock?: Clock;
  env?: Record<string, string>;
  sms?: SmsDispatcher;
  log?: Logger;
  /** Share a database (several processes); by default each server gets its own engine. */
  mongoUri?: string;
  dbName?: string;
  /**
   * The demo tenant's send quotas. Tests of the per-challenge rules send far more SMS from one
   * IP than a person would, so by default the abuse quotas are raised out of their way; the
   * quota tests pass `defaults` to keep the product's defaults.
   */
  quotas?: 'defaults' | Partial<SendQuotas>;
  /** Serve the built demo from this folder (as `npm start` does). */
  demoDir?: string;
}

const GENEROUS_QUOTAS: Partial<SendQuotas> = { phonePerHour: 1000, phonePerDay: 1000, userPerHour: 1000, ipPerHour: 100_000, tenantPerDay: 1_000_000 };

/**
 * A real API process in this test process: the embedded engine through the real driver (or
 * MONGODB_URI), the HTTP server on a free port, and the demo tenant `acme` with a known key.
 */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const engine = options.mongoUri ? null : await startEmbeddedMongo();
  const mongoUri = options.mongoUri ?? engine!.uri;
  const adminKey = options.env?.ALDERO_ADMIN_KEY ?? `ak_acme_test_${randomToken(12)}`;
  const config = loadConfig({
    NODE_ENV: 'test',
    PORT: '0',
    HOST: '127.0.0.1',
    ALDERO_ADMIN_KEY: adminKey,
    MONGODB_DB: options.dbName ?? `aldero_test_${randomToken(6).replace(/[^a-z0-9]/gi, '')}`,
    ALDERO_LOG_LEVEL: process.env.ALDERO_LOG_LEVEL ?? 'error',
    ...options.env,
  });
  const app = await startApp({ config, mongoUri, clock: options.clock, sms: options.sms, log: options.log, demoDir: options.demoDir });
  if (options.quotas !== 'defaults') {
    const demo = await app.deps.tenants.bySlug('acme');
    if (demo) await app.deps.tenants.updateSettings(demo, { quotas: { ...demo.quotas, ...GENEROUS_QUOTAS, ...options.quotas } });
  }
  const url = `http://127.0.0.1:${app.deps.config.port}`;
  return {
    url,
    adminKey,
    app,
    deps: app.deps,
    store: app.deps.store,
    mongoUri,
    async stop() {
      await app.stop();
      await engine?.stop();
    },
  };
}
