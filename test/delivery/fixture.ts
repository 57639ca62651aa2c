/**
 * The delivery feature under test at unit level: the embedded engine through the real driver,
 * the Telnyx emulator through the real SDK, and a webhook receiver that hands raw bodies to
 * `handleTelnyxWebhook` and answers its refusals through the error table, as the HTTP layer
 * does. No app server involved.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAuditSink } from '../../server/audit/index.ts';
import type { AuditSink } from '../../server/audit/sink.ts';
import { ManualClock, systemClock, type Clock } from '../../server/clock.ts';
import { loadConfig, type Config } from '../../server/config.ts';
import { encrypt, randomToken } from '../../server/crypto.ts';
import { AppError } from '../../server/errors.ts';
import { createDispatcher, DELIVERY_INDEXES, handleTelnyxWebhook, sealByoApiKey, type DeliverySettings } from '../../server/delivery/index.ts';
import type { Dispatcher } from '../../server/delivery/index.ts';
import type { OutboxMessageDoc, SmsRequest } from '../../server/delivery/types.ts';
import { startEmbeddedMongo, type EmbeddedMongo } from '../../server/embedded-mongo/index.ts';
import { createLogger, type Logger } from '../../server/log.ts';
import type { ChallengeDoc, TenantDoc } from '../../server/store/documents.ts';
import { connectStore, type Store } from '../../server/store/index.ts';
import { DEFAULT_QUOTAS, realmOf } from '../../server/tenants/model.ts';
import { startTelnyxEmulator, type TelnyxEmulator } from '../../server/delivery/emulator/emulator.ts';

export const SHARED_FROM = '+18445550100';
export const SHARED_PROFILE = '7d1d8a1e-0000-4000-8000-00000000aa01';
export const BYO_FROM = '+18885550199';
export const BYO_PROFILE = '7d1d8a1e-0000-4000-8000-00000000bb02';
export const BYO_API_KEY = 'KEY_byo_tenant_globex_0123456789';
export const BYO_HELP_LINE = 'Reply STOP to stop, HELP for Globex support.';

/** Settings that make tests quick: fast retries and polls, short leases and timeouts, high rates. */
export const FAST_SETTINGS: Partial<DeliverySettings> = {
  senderRatePerSecond: 2000,
  accountRatePerSecond: 2000,
  workerConcurrency: 16,
  leaseMs: 3000,
  callTimeoutMs: 400,
  callMarginMs: 1000,
  maxCalls: 30,
  retryBaseMs: 20,
  retryMaxMs: 200,
  pollMs: 20,
};

export const silentLog: Logger = createLogger(process.env.DELIVERY_TEST_LOG ? 'debug' : 'silent');

export interface DeliveryFixture {
  engine: EmbeddedMongo;
  emulator: TelnyxEmulator;
  store: Store;
  dbName: string;
  config: Config;
  keys: { secret: string };
  clock: Clock;
  audit: AuditSink;
  shared: TenantDoc;
  byo: TenantDoc;
  byoPublicKey: string;
  webhookUrl: string;
  /** A dispatcher on its own driver client (a separate "process" as far as the database can tell). */
  dispatcher(settings?: Partial<DeliverySettings>, options?: { separateClient?: boolean }): Promise<Dispatcher>;
  /** A challenge document and the request that sends its code. */
  request(tenant: TenantDoc, input?: { to?: string; code?: string; expiresInMs?: number; env?: 'live' | 'sandbox' }): Promise<SmsRequest>;
  outbox(): Promise<OutboxMessageDoc[]>;
  challenge(id: string): Promise<ChallengeDoc | null>;
  /** Resolves once no message is queued or being sent. */
  drained(timeoutMs?: number): Promise<OutboxMessageDoc[]>;
  stop(): Promise<void>;
}

/** The configuration that sends through `emulator` (over the real Telnyx SDK) from the shared sender. */
export function emulatorEnv(emulator: TelnyxEmulator): Record<string, string> {
  return {
    ALDERO_SMS: 'telnyx',
    TELNYX_API_KEY: emulator.apiKey,
    TELNYX_PUBLIC_KEY: emulator.publicKey,
    TELNYX_BASE_URL: emulator.baseURL,
    ALDERO_SHARED_FROM_NUMBER: SHARED_FROM,
    ALDERO_SHARED_MESSAGING_PROFILE_ID: SHARED_PROFILE,
  };
}

/** The fixture with one dispatcher of the fast settings started on it, as most suites use it. */
export async function startDispatchingFixture(): Promise<{ fx: DeliveryFixture; dispatcher: Dispatcher }> {
  const fx = await startDeliveryFixture();
  const dispatcher = await fx.dispatcher();
  dispatcher.start();
  return { fx, dispatcher };
}

export async function startDeliveryFixture(options: { clock?: Clock; engine?: EmbeddedMongo } = {}): Promise<DeliveryFixture> {
  const engine = options.engine ?? (await startEmbeddedMongo());
  const emulator = await startTelnyxEmulator();
  const dbName = `delivery_${randomToken(6).replace(/[^a-z0-9]/gi, '')}`;
  const store = await connectStore(engine.uri, dbName);
  await store.ensureIndexes(DELIVERY_INDEXES);
  const keys = { secret: randomToken(32) };
  const clock = options.clock ?? systemClock;
  const config = loadConfig({ NODE_ENV: 'test', ...emulatorEnv(emulator) });

  const now = clock.now();
  const tenantBase = {
    allowedOrigins: [],
    allowedCountries: [],
    adminKeys: [],
    quotas: { ...DEFAULT_QUOTAS },
    webOtpHost: null,
    createdAt: now,
    updatedAt: now,
  };
  const shared: TenantDoc = { ...tenantBase, _id: `ten_${randomToken(6)}`, slug: 'acme', brand: 'Acme', senderModel: 'shared', byo: null };
  const byoAccount = emulator.addAccount(BYO_API_KEY);
  const byo: TenantDoc = {
    ...tenantBase,
    _id: `ten_${randomToken(6)}`,
    slug: 'globex',
    brand: 'Globex',
    senderModel: 'byo',
    byo: {
      fromNumber: BYO_FROM,
      messagingProfileId: BYO_PROFILE,
      apiKeyEncrypted: sealByoApiKey(keys.secret, BYO_API_KEY),
      publicKey: byoAccount.publicKey,
      helpLine: BYO_HELP_LINE,
      verified: true,
    },
  };
  await store.tenants.insertMany([shared, byo]);

  const audit = createAuditSink({ store, clock });
  const deps = { store, clock, log: silentLog, config, keys, audit };
  const receiver = await startWebhookReceiver(deps);
  emulator.webhookUrl = receiver.url;
  byoAccount.webhookUrl = `${receiver.url}/${byo.slug}`;

  const dispatchers: Dispatcher[] = [];
  const extraStores: Store[] = [];
  let codeCounter = 0;
  const outbox = () => store.collection<OutboxMessageDoc>('smsOutbox').find({}).sort({ createdAt: 1, _id: 1 }).toArray();

  return {
    engine,
    emulator,
    store,
    dbName,
    config,
    keys,
    clock,
    audit,
    shared,
    byo,
    byoPublicKey: byoAccount.publicKey,
    webhookUrl: receiver.url,
    async dispatcher(settings = FAST_SETTINGS, dispatcherOptions = {}) {
      let dispatcherStore = store;
      if (dispatcherOptions.separateClient) {
        dispatcherStore = await connectStore(engine.uri, dbName);
        extraStores.push(dispatcherStore);
      }
      const dispatcher = createDispatcher({ ...deps, store: dispatcherStore }, settings);
      dispatchers.push(dispatcher);
      return dispatcher;
    },
    async request(tenant, input = {}) {
      const env = input.env ?? 'live';
      const realm = realmOf(tenant._id, env);
      const createdAt = clock.now();
      const code = input.code ?? String(++codeCounter).padStart(6, '0');
      const challenge: ChallengeDoc = {
        _id: `chl_${randomToken(12)}`,
        realm,
        kind: 'login',
        userId: `usr_${randomToken(6)}`,
        tokenHash: null,
        phone: input.to ?? uniqueHandset(),
        codeHash: 'unused-in-delivery-tests',
        codeSealed: encrypt(keys.secret, 'challenge-code', code),
        sends: 1,
        failedAttempts: 0,
        status: 'pending',
        availableMethods: ['sms'],
        createdAt,
        expiresAt: new Date(createdAt.getTime() + (input.expiresInMs ?? 10 * 60_000)),
        lastSentAt: createdAt,
        delivery: null,
        verifiedAt: null,
        ip: null,
        userAgent: null,
      };
      await store.challenges.insertOne(challenge);
      return {
        tenant: { tenant, env, realm, label: env === 'sandbox' ? `${tenant.slug}-sandbox` : tenant.slug },
        challengeId: challenge._id,
        userId: challenge.userId,
        to: challenge.phone!,
        code,
        expiresAt: challenge.expiresAt,
      };
    },
    outbox,
    challenge: (id) => store.challenges.findOne({ _id: id }),
    async drained(timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const pending = await store.collection<OutboxMessageDoc>('smsOutbox').countDocuments({ status: { $in: ['queued', 'sending'] } });
        if (pending === 0) return outbox();
        if (Date.now() > deadline) throw new Error(`outbox not drained after ${timeoutMs} ms: ${pending} pending`);
        await sleep(25);
      }
    },
    async stop() {
      for (const dispatcher of dispatchers) await dispatcher.stop();
      await receiver.close();
      await emulator.stop();
      for (const extra of extraStores) await extra.close();
      await store.close();
      if (!options.engine) await engine.stop();
    },
  };
}

/** The status and body the HTTP layer answers a webhook with: 200 and the handler's body, or the refusal's error body. */
export async function answerWebhook(
  deps: Parameters<typeof handleTelnyxWebhook>[0],
  input: Parameters<typeof handleTelnyxWebhook>[1],
): Promise<{ status: number; body: unknown }> {
  try {
    return { status: 200, body: await handleTelnyxWebhook(deps, input) };
  } catch (error) {
    if (error instanceof AppError) return { status: error.status, body: error.toBody() };
    throw error;
  }
}

/** The HTTP layer's part in miniature: raw body and flat headers to `handleTelnyxWebhook`. */
export async function startWebhookReceiver(deps: Parameters<typeof handleTelnyxWebhook>[0]): Promise<{ url: string; close(): Promise<void> }> {
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const slug = /^\/v1\/webhooks\/telnyx(?:\/([a-z0-9-]+))?$/.exec(req.url ?? '')?.[1];
      answerWebhook(deps, { rawBody: Buffer.concat(chunks).toString('utf8'), headers: flatHeaders(req.headers), slug })
        .then((answer) => {
          res.writeHead(answer.status, { 'content-type': 'application/json' }).end(JSON.stringify(answer.body));
        })
        .catch((error: unknown) => {
          res.writeHead(500).end(String(error));
        });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v1/webhooks/telnyx`,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export function flatHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

let handsetCounter = 0;

/** A fictional US number, unique within the run, that the emulator accepts as valid. */
export function uniqueHandset(): string {
  handsetCounter += 1;
  return `+1202555${String((process.pid * 7 + handsetCounter) % 10_000).padStart(4, '0')}`;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export async function waitFor<T>(check: () => Promise<T | null | undefined | false>, timeoutMs = 5000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(10);
  }
}

export { ManualClock };
