/** Configuration from the environment, read once at start-up. */
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
  /** The demo tenant's admin key; generated and printed when unset. */
  demoAdminKey: string | undefined;
  /** Skip creating the demo tenant (production). */
  seedDemoTenant: boolean;
  /** Largest JSON body accepted, in bytes. */
  maxBodyBytes: number;
  /** Trust `X-Forwarded-For` (behind a reverse proxy / load balancer). */
  trustProxy: boolean;
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
  logLevel: 'silent' | 'error' | 'info' | 'debug';
}

function flag(value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value === '') return fallback;
  return ['1', 'true', 'yes', 'on'].includes(value.toLowerCase());
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const production = env.NODE_ENV === 'production';
  const port = Number(env.PORT ?? 3000);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`PORT must be a port number, got ${env.PORT}`);
  const smsMode = (env.ALDERO_SMS ?? (env.TELNYX_API_KEY ? 'telnyx' : 'sandbox')) as Config['smsMode'];
  if (!['sandbox', 'telnyx', 'telnyx-emulator'].includes(smsMode)) {
    throw new Error(`ALDERO_SMS must be sandbox, telnyx or telnyx-emulator, got ${smsMode}`);
  }
  return {
    port,
    host: env.HOST ?? '0.0.0.0',
    domain: env.ALDERO_DOMAIN ?? 'localhost',
    publicUrl: env.ALDERO_PUBLIC_URL,
    mongodbUri: env.MONGODB_URI || undefined,
    mongodbDb: env.MONGODB_DB ?? 'aldero',
    production,
    secret: env.ALDERO_SECRET || undefined,
    demoAdminKey: env.ALDERO_ADMIN_KEY || undefined,
    seedDemoTenant: flag(env.ALDERO_DEMO_TENANT, !production),
    maxBodyBytes: Number(env.ALDERO_MAX_BODY_BYTES ?? 16 * 1024),
    trustProxy: flag(env.ALDERO_TRUST_PROXY, false),
    demoDir: env.ALDERO_DEMO_DIR,
    telnyx: {
      apiKey: env.TELNYX_API_KEY || undefined,
      publicKey: env.TELNYX_PUBLIC_KEY || undefined,
      baseURL: env.TELNYX_BASE_URL || undefined,
      sharedFromNumber: env.ALDERO_SHARED_FROM_NUMBER ?? '+18445550100',
      sharedMessagingProfileId: env.ALDERO_SHARED_MESSAGING_PROFILE_ID || undefined,
    },
    smsMode,
    logLevel: (env.ALDERO_LOG_LEVEL as Config['logLevel']) ?? (env.NODE_ENV === 'test' ? 'error' : 'info'),
  };
}
