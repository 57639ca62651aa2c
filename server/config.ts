/**
 * Configuration from the environment, read once at start-up through one zod schema: every
 * variable is parsed (numbers, booleans, URLs, enums, JWKs), a bad value is refused with one line
 * per problem naming the variable and what it accepts, and production refuses to start without
 * what a production process needs (a real database, its keys, a deliberate SMS mode).
 *
 * `ENVIRONMENT` lists every variable (name, what it accepts, default, description): the README's
 * environment table is generated from it (`npm run env-table`) and a test keeps the two equal.
 */
import { z } from 'zod';
import { DEFAULT_JOB_SETTINGS, JOB_ENV } from './queue/jobs.ts';
import { DEFAULT_DELIVERY_SETTINGS, DELIVERY_ENV } from './delivery/settings.ts';
import { LOG_LEVELS, type LogLevel } from './log.ts';
import { parseTrustedProxies, type TrustedProxies } from './trust-proxy.ts';

export type { LogLevel } from './log.ts';

export interface Config {
  port: number;
  host: string;
  /** The domain tenants are served under: `{slug}.{domain}` and `{slug}-sandbox.{domain}`. */
  domain: string;
  /** Where the browser reaches the API; used for the issuer of tokens and the demo's printout. */
  publicUrl: string | undefined;
  mongodbUri: string | undefined;
  mongodbDb: string;
  production: boolean;
  /** HMAC key for codes and tokens at rest; generated and kept in the database when unset (not in production). */
  secret: string | undefined;
  /** ES256 private JWK (JSON) that signs access tokens; generated and kept in the database when unset (not in production). */
  jwtPrivateJwk: string | undefined;
  /** The operator's key for the platform API and `/metrics` (required in production). */
  platformKey: string | undefined;
  /** The demo tenant's admin key; generated and printed when unset. */
  demoAdminKey: string | undefined;
  /** Skip creating the demo tenant (production). */
  seedDemoTenant: boolean;
  /** Run the embedded (in-memory) engine although this is production: on purpose only. */
  embeddedDb: boolean;
  /** Largest JSON body accepted, in bytes. */
  maxBodyBytes: number;
  /** Trust `X-Forwarded-For` (behind a reverse proxy / load balancer). */
  /** Whether a proxy in front is trusted at all (its `X-Forwarded-Proto` then counts). */
  trustProxy: boolean;
  /** Which proxies are trusted to report the client address (`ALDERO_TRUST_PROXY`); null: none. */
  trustedProxies: TrustedProxies | null;
  /** Seconds in which a rotated refresh token answers its successor (default in accounts/sessions.ts). */
  refreshGraceSeconds?: number | undefined;
  /** Where the built demo lives; served at `/`. */
  demoDir: string | undefined;
  telnyx: {
    apiKey: string | undefined;
    publicKey: string | undefined;
    baseURL: string | undefined;
    sharedFromNumber: string;
    sharedMessagingProfileId: string | undefined;
  };
  /** `sandbox` only, or `telnyx` for live tenants (the default when TELNYX_API_KEY is set). */
  smsMode: 'sandbox' | 'telnyx' | 'telnyx-emulator';
  logLevel: LogLevel;
  /** How long SIGTERM/SIGINT waits for the requests in flight before closing what is left. */
  shutdownTimeoutMs: number;
  /** A separate listener for `GET /metrics` (unset: `/metrics` on the API port, platform key required). */
  metricsPort: number | undefined;
  /** Driver deadlines: finding a server; a silent socket or a wait for a pooled connection (0: none). */
  database: { serverSelectionTimeoutMs: number; operationTimeoutMs: number };
}

/** One environment variable: what it accepts, its default, what it does (the README's table). */
export interface EnvVariable {
  name: string;
  accepts: string;
  default: string;
  description: string;
  /** Its value is never printed (problems say what is wrong without echoing it). */
  secret?: boolean;
}

// ---------------------------------------------------------------------------------------------
// Value parsers. Every schema reads `string | undefined` (empty counts as unset) and refuses with
// the variable's `accepts` text, so each problem reads "NAME=value: expected <accepts>".

const TRUE = ['1', 'true', 'yes', 'on'];
const FALSE = ['0', 'false', 'no', 'off'];
const optionalText = z.string().optional();

const booleanValue = z
  .string()
  .optional()
  .refine((v) => v === undefined || [...TRUE, ...FALSE].includes(v.toLowerCase()))
  .transform((v) => (v === undefined ? undefined : TRUE.includes(v.toLowerCase())));

/** `ALDERO_TRUST_PROXY`: off, a number of hops, or a list of addresses/CIDRs (server/trust-proxy.ts). */
const trustProxyValue = z
  .string()
  .optional()
  .refine((v) => {
    const parsed = parseTrustedProxies(v);
    return parsed === null || !('error' in parsed);
  })
  .transform((v) => parseTrustedProxies(v) as TrustedProxies | null);

function integer(min: number, max: number) {
  return z
    .string()
    .optional()
    .refine((v) => v === undefined || (/^\d+$/.test(v) && Number(v) >= min && Number(v) <= max))
    .transform((v) => (v === undefined ? undefined : Number(v)));
}

function positiveNumber() {
  return z
    .string()
    .optional()
    .refine((v) => v === undefined || (/^\d+(\.\d+)?$/.test(v) && Number(v) > 0))
    .transform((v) => (v === undefined ? undefined : Number(v)));
}

function oneOf<const T extends readonly [string, ...string[]]>(values: T) {
  return z.enum(values).optional();
}

function url(protocols: string[]) {
  return z
    .string()
    .optional()
    .refine((v) => {
      if (v === undefined) return true;
      try {
        return protocols.includes(new URL(v).protocol);
      } catch {
        return false;
      }
    });
}

function minLength(length: number) {
  return z.string().min(length).optional();
}

/** An ES256 private key as a JSON JWK: `{"kty":"EC","crv":"P-256","x":…,"y":…,"d":…}` (kid optional). */
const base64url = z.string().regex(/^[A-Za-z0-9_-]+$/);
const privateEcJwk = z.object({ kty: z.literal('EC'), crv: z.literal('P-256'), x: base64url, y: base64url, d: base64url, kid: z.string().optional() });
const jwkValue = z
  .string()
  .optional()
  .refine((v) => {
    if (v === undefined) return true;
    try {
      return privateEcJwk.safeParse(JSON.parse(v)).success;
    } catch {
      return false;
    }
  });

const hostname = z.string().regex(/^[a-z0-9.-]+$/i).optional();
const e164 = z.string().regex(/^\+[1-9]\d{6,14}$/).optional();

// ---------------------------------------------------------------------------------------------
// The variables. The order is the README table's.

interface VariableSpec extends EnvVariable {
  schema: z.ZodType<unknown, string | undefined>;
}

const CORE: VariableSpec[] = [
  { name: 'NODE_ENV', accepts: '`production`, `development` or `test`', default: 'development', description: '`production` turns on the checks below, no demo tenant, no generated keys', schema: oneOf(['production', 'development', 'test']) },
  { name: 'PORT', accepts: 'a port number, 0-65535', default: '3000', description: 'the API port (0 picks a free one)', schema: integer(0, 65535) },
  { name: 'HOST', accepts: 'an address to listen on', default: '0.0.0.0', description: 'the listening address', schema: optionalText },
  { name: 'MONGODB_URI', accepts: 'a `mongodb://` or `mongodb+srv://` connection string', default: '(the embedded engine; required in production)', description: 'the database: a MongoDB replica set or Atlas', secret: true, schema: url(['mongodb:', 'mongodb+srv:']) },
  { name: 'MONGODB_DB', accepts: 'a database name', default: 'aldero', description: 'the database name', schema: z.string().regex(/^[^/\\. "$*<>:|?]{1,63}$/).optional() },
  { name: 'ALDERO_EMBEDDED_DB', accepts: 'a boolean (`1`/`0`, `true`/`false`, `yes`/`no`, `on`/`off`)', default: 'off', description: 'in production, run the in-memory embedded engine on purpose (one process, data lost at exit)', schema: booleanValue },
  { name: 'ALDERO_DB_SERVER_SELECTION_TIMEOUT_MS', accepts: 'a whole number of milliseconds, 100-60000', default: '1500 in production, 10000 otherwise', description: 'how long the driver looks for a reachable server before a request answers 503', schema: integer(100, 60_000) },
  { name: 'ALDERO_DB_TIMEOUT_MS', accepts: 'a whole number of milliseconds, 100-120000', default: '1000 in production, none otherwise', description: 'how long a database reply may be silent, and how long a request waits for a pooled connection (driver `socketTimeoutMS`, `waitQueueTimeoutMS`): with the production defaults a request answers 503 within ~2 s when the database stalls (development and tests run the engine in-process, on the same event loop, so no deadline there by default)', schema: integer(100, 120_000) },
  { name: 'ALDERO_DOMAIN', accepts: 'a host name', default: 'localhost', description: 'tenants live at `{slug}.{domain}` and `{slug}-sandbox.{domain}`', schema: hostname },
  { name: 'ALDERO_PUBLIC_URL', accepts: 'an `http://` or `https://` URL', default: '(unset)', description: 'the address clients use (e.g. `https://aldero.io` behind a load balancer): token issuers are `{scheme}://{tenant}.{host}`, the same for every process', schema: url(['http:', 'https:']) },
  { name: 'ALDERO_SECRET', accepts: 'a random string of 32 characters or more', default: '(generated, kept in the database; required in production)', description: 'HMAC/encryption key for secrets at rest', secret: true, schema: minLength(32) },
  { name: 'ALDERO_JWT_PRIVATE_JWK', accepts: 'an ES256 private JWK as JSON: `{"kty":"EC","crv":"P-256","x":…,"y":…,"d":…,"kid":…}`', default: '(generated, kept in the database; required in production)', description: 'the key that signs access tokens', secret: true, schema: jwkValue },
  { name: 'ALDERO_PLATFORM_KEY', accepts: 'a random string of 32 characters or more', default: '(unset; required in production)', description: "the operator's key: `Authorization: Bearer …` for the platform API and `/metrics`", secret: true, schema: minLength(32) },
  { name: 'ALDERO_ADMIN_KEY', accepts: 'a string of 16 characters or more (32 or more in production)', default: '(generated and printed)', description: "the demo tenant's admin key", secret: true, schema: minLength(16) },
  { name: 'ALDERO_DEMO_TENANT', accepts: 'a boolean', default: 'on outside production', description: 'create the demo tenant `acme` at start', schema: booleanValue },
  { name: 'ALDERO_DEMO_DIR', accepts: 'a directory', default: 'dist/demo', description: 'the built demo, served at `/`', schema: optionalText },
  { name: 'ALDERO_TRUST_PROXY', accepts: 'a number of hops, `on` (1) / `off`, or a list of proxy addresses/CIDRs', default: 'off', description: 'trust the proxies in front: the client IP is the `X-Forwarded-For` entry the last trusted hop saw (the N-th from the right), the scheme `X-Forwarded-Proto`', schema: trustProxyValue },
  { name: 'ALDERO_MAX_BODY_BYTES', accepts: 'a whole number of bytes, 1024-10485760 (e.g. 16384)', default: '16384', description: 'largest JSON body', schema: integer(1024, 10 * 1024 * 1024) },
  { name: 'ALDERO_LOG_LEVEL', accepts: LOG_LEVELS.map((l) => `\`${l}\``).join(', '), default: '`info` (`error` under `NODE_ENV=test`)', description: 'JSON log lines (pino) at this level and above', schema: oneOf(LOG_LEVELS as unknown as [LogLevel, ...LogLevel[]]) },
  { name: 'ALDERO_REFRESH_GRACE_SECONDS', accepts: 'a whole number of seconds, 0-60', default: '10', description: 'a refresh token presented again this soon after its rotation answers the same successor (parallel refreshes); later, a reuse revokes the family', schema: integer(0, 60) },
  { name: 'ALDERO_SHUTDOWN_TIMEOUT_MS', accepts: 'a whole number of milliseconds, 0-600000', default: '10000', description: 'on SIGTERM/SIGINT, how long the requests in flight may take before the rest are closed', schema: integer(0, 600_000) },
  { name: 'ALDERO_METRICS_PORT', accepts: 'a port number, 0-65535', default: '(unset: `/metrics` on the API port)', description: 'serve `GET /metrics` on a separate listener without a key (keep it off the public network)', schema: integer(0, 65535) },
  { name: 'ALDERO_SMS', accepts: '`sandbox`, `telnyx` or `telnyx-emulator`', default: '`sandbox` (`telnyx` when `TELNYX_API_KEY` is set)', description: '`sandbox` (live tenants cannot send), `telnyx`, or `telnyx-emulator` (development: the Telnyx emulator in-process, nothing leaves the machine); production needs it explicit or `TELNYX_API_KEY`', schema: oneOf(['sandbox', 'telnyx', 'telnyx-emulator']) },
  { name: 'TELNYX_API_KEY', accepts: 'a Telnyx API key', default: '(unset)', description: "Aldero's Telnyx account (the shared sender)", secret: true, schema: minLength(8) },
  { name: 'TELNYX_PUBLIC_KEY', accepts: "the account's base64 Ed25519 public key", default: '(unset)', description: "verifies Telnyx's signed webhooks", schema: z.string().regex(/^[A-Za-z0-9+/=_-]{40,}$/).optional() },
  { name: 'TELNYX_BASE_URL', accepts: 'an `http://` or `https://` URL', default: "(Telnyx's)", description: 'another Telnyx API endpoint (the emulator)', schema: url(['http:', 'https:']) },
  { name: 'ALDERO_SHARED_FROM_NUMBER', accepts: 'an E.164 number (`+18445550100`)', default: '+18445550100 (required in production with `telnyx`)', description: "Aldero's toll-free number", schema: e164 },
  { name: 'ALDERO_SHARED_MESSAGING_PROFILE_ID', accepts: 'a Telnyx messaging profile id', default: '(unset)', description: "the shared number's messaging profile", schema: z.string().max(64).optional() },
  { name: 'ALDERO_API_URL', accepts: 'an `http://` or `https://` URL', default: '(set by `npm run dev`)', description: "development: where Vite's dev server proxies the API", schema: url(['http:', 'https:']) },
];

const DELIVERY_DESCRIPTIONS: Record<keyof typeof DELIVERY_ENV, string> = {
  senderRatePerSecond: "messages/s per verified sender number (Telnyx's toll-free default)",
  accountRatePerSecond: 'messages/s per Telnyx account',
  unverifiedDailyCap: 'messages per unverified toll-free number per UTC day',
  sharedSenderVerified: 'whether the shared toll-free number is verified',
  workerConcurrency: 'messages one outbox worker handles at once',
  workerEnabled: 'run an SMS outbox worker in this process (safe in every process: claims are atomic leases)',
  leaseMs: 'how long a claim holds a message before another worker may take it',
  callTimeoutMs: 'timeout of one Telnyx call',
  callMarginMs: 'margin of the lease around a call (the lease must exceed it)',
  maxCalls: 'provider calls per message before it fails as `provider_unavailable`',
  retryBaseMs: 'retry backoff base (exponential, with jitter; `Retry-After` respected)',
  retryMaxMs: 'retry backoff cap',
  pollMs: 'how often an idle outbox worker looks for work',
};

const JOB_DESCRIPTIONS: Record<keyof typeof JOB_ENV, string> = {
  leaseMs: 'how long a claimed job (audit notification) is held',
  pollMs: 'how often an idle job worker looks for work',
  retryBaseMs: 'job retry backoff base',
  retryMaxMs: 'job retry backoff cap',
  maxAttempts: 'attempts before a job fails for good',
  concurrency: 'jobs one worker runs at once',
};

/** The delivery and job tunings keep their own defaults and readers; here they are validated and listed. */
function tuning<K extends string>(names: Record<K, string>, defaults: Record<K, number | boolean>, descriptions: Record<K, string>): VariableSpec[] {
  return (Object.keys(names) as K[]).map((key) => {
    const isBoolean = typeof defaults[key] === 'boolean';
    return {
      name: names[key],
      accepts: isBoolean ? 'a boolean' : 'a positive number',
      default: String(defaults[key]),
      description: descriptions[key],
      schema: isBoolean ? booleanValue : positiveNumber(),
    };
  });
}

const SPECS: VariableSpec[] = [
  ...CORE,
  ...tuning(DELIVERY_ENV, DEFAULT_DELIVERY_SETTINGS, DELIVERY_DESCRIPTIONS),
  ...tuning(JOB_ENV, DEFAULT_JOB_SETTINGS, JOB_DESCRIPTIONS),
];

/** Every variable the server reads, in the README table's order. */
export const ENVIRONMENT: readonly EnvVariable[] = SPECS.map(({ schema: _schema, ...variable }) => variable);
const BY_NAME = new Map(SPECS.map((spec) => [spec.name, spec]));

/** What production requires beyond well-formed values: one problem per missing piece. */
function productionRules(env: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  const missing = (name: string, why: string) => problems.push(`${name}: required in production: ${why}`);
  if (env.NODE_ENV !== 'production') return problems;
  if (!env.MONGODB_URI && !TRUE.includes(env.ALDERO_EMBEDDED_DB?.toLowerCase() ?? '')) {
    missing('MONGODB_URI', 'a MongoDB replica set or Atlas connection string (ALDERO_EMBEDDED_DB=1 runs the in-memory engine on purpose)');
  }
  if (!env.ALDERO_SECRET) missing('ALDERO_SECRET', 'a random string of 32 characters or more (keys are not generated into the database in production)');
  if (!env.ALDERO_JWT_PRIVATE_JWK) missing('ALDERO_JWT_PRIVATE_JWK', 'an ES256 private JWK as JSON');
  if (!env.ALDERO_PLATFORM_KEY) missing('ALDERO_PLATFORM_KEY', 'a random string of 32 characters or more');
  // Admin keys are at least 32 characters (issue 13); outside production a shorter one is a local convenience.
  if (env.ALDERO_ADMIN_KEY !== undefined && env.ALDERO_ADMIN_KEY.length < 32) problems.push('ALDERO_ADMIN_KEY: in production a random string of 32 characters or more');
  const sms = env.ALDERO_SMS ?? (env.TELNYX_API_KEY ? 'telnyx' : undefined);
  if (sms === undefined) missing('ALDERO_SMS', '`telnyx` with TELNYX_API_KEY, TELNYX_PUBLIC_KEY and ALDERO_SHARED_FROM_NUMBER, or `sandbox` on purpose');
  if (sms === 'telnyx-emulator') problems.push('ALDERO_SMS=telnyx-emulator: development only; production uses `telnyx` or `sandbox`');
  if (sms === 'telnyx') {
    if (!env.TELNYX_API_KEY) missing('TELNYX_API_KEY', 'ALDERO_SMS=telnyx sends through Telnyx');
    if (!env.TELNYX_PUBLIC_KEY) missing('TELNYX_PUBLIC_KEY', "ALDERO_SMS=telnyx verifies Telnyx's webhooks with it");
    if (!env.ALDERO_SHARED_FROM_NUMBER) missing('ALDERO_SHARED_FROM_NUMBER', 'ALDERO_SMS=telnyx sends from this number');
  }
  return problems;
}

/** The one schema of the environment: every variable's parser. */
export const ENV_SCHEMA = z.object(Object.fromEntries(SPECS.map((spec) => [spec.name, spec.schema])));

/** A start refused for its configuration: one line per problem. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Configuration refused:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

function describeIssue(issue: z.core.$ZodIssue, env: Record<string, string | undefined>): string {
  const name = String(issue.path[0] ?? '(environment)');
  const spec = BY_NAME.get(name);
  const raw = env[name];
  const shown = raw === undefined || raw === '' ? name : spec?.secret ? `${name} (value not shown)` : `${name}=${raw}`;
  return `${shown}: expected ${spec?.accepts ?? 'a valid value'}`;
}

/** Reads and validates the configuration; throws a ConfigError listing every problem. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const raw: Record<string, string | undefined> = {};
  for (const spec of SPECS) raw[spec.name] = env[spec.name] === '' ? undefined : env[spec.name];
  const parsed = ENV_SCHEMA.safeParse(raw);
  const problems = [...(parsed.success ? [] : parsed.error.issues.map((issue) => describeIssue(issue, raw))), ...productionRules(raw)];
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const v = parsed.data as Record<string, string | number | boolean | undefined>;
  const text = (name: string) => v[name] as string | undefined;
  const num = (name: string) => v[name] as number | undefined;
  const bool = (name: string) => v[name] as boolean | undefined;
  const production = v.NODE_ENV === 'production';
  return {
    port: num('PORT') ?? 3000,
    host: text('HOST') ?? '0.0.0.0',
    domain: text('ALDERO_DOMAIN') ?? 'localhost',
    publicUrl: text('ALDERO_PUBLIC_URL'),
    mongodbUri: text('MONGODB_URI'),
    mongodbDb: text('MONGODB_DB') ?? 'aldero',
    production,
    secret: text('ALDERO_SECRET'),
    jwtPrivateJwk: text('ALDERO_JWT_PRIVATE_JWK'),
    platformKey: text('ALDERO_PLATFORM_KEY'),
    demoAdminKey: text('ALDERO_ADMIN_KEY'),
    seedDemoTenant: bool('ALDERO_DEMO_TENANT') ?? !production,
    embeddedDb: bool('ALDERO_EMBEDDED_DB') ?? false,
    maxBodyBytes: num('ALDERO_MAX_BODY_BYTES') ?? 16 * 1024,
    trustProxy: v.ALDERO_TRUST_PROXY != null,
    trustedProxies: (v.ALDERO_TRUST_PROXY ?? null) as unknown as TrustedProxies | null,
    demoDir: text('ALDERO_DEMO_DIR'),
    telnyx: {
      apiKey: text('TELNYX_API_KEY'),
      publicKey: text('TELNYX_PUBLIC_KEY'),
      baseURL: text('TELNYX_BASE_URL'),
      sharedFromNumber: text('ALDERO_SHARED_FROM_NUMBER') ?? '+18445550100',
      sharedMessagingProfileId: text('ALDERO_SHARED_MESSAGING_PROFILE_ID'),
    },
    smsMode: (text('ALDERO_SMS') ?? (text('TELNYX_API_KEY') ? 'telnyx' : 'sandbox')) as Config['smsMode'],
    logLevel: (text('ALDERO_LOG_LEVEL') ?? (v.NODE_ENV === 'test' ? 'error' : 'info')) as LogLevel,
    shutdownTimeoutMs: num('ALDERO_SHUTDOWN_TIMEOUT_MS') ?? 10_000,
    refreshGraceSeconds: num('ALDERO_REFRESH_GRACE_SECONDS'),
    metricsPort: num('ALDERO_METRICS_PORT'),
    database: {
      serverSelectionTimeoutMs: num('ALDERO_DB_SERVER_SELECTION_TIMEOUT_MS') ?? (production ? 1_500 : 10_000),
      operationTimeoutMs: num('ALDERO_DB_TIMEOUT_MS') ?? (production ? 1_000 : 0),
    },
  };
}

/** `ALDERO_*` names in the environment that the server does not read (a typo, or a variable of another version). */
export function unknownVariables(env: NodeJS.ProcessEnv = process.env): string[] {
  return Object.keys(env).filter((name) => name.startsWith('ALDERO_') && !BY_NAME.has(name)).sort();
}

/** The README's environment table, in Markdown. */
export function environmentTable(): string {
  const cell = (text: string) => text.replace(/\|/g, '\\|');
  const rows = ENVIRONMENT.map((v) => `| \`${v.name}\` | ${cell(v.accepts)} | ${cell(v.default)} | ${cell(v.description)} |`);
  return ['| Variable | Accepts | Default | What it does |', '| --- | --- | --- | --- |', ...rows].join('\n');
}
