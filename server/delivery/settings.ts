import { settingsFromEnv } from '../queue/settings.ts';

/**
 * Delivery tuning: throughput, retries, leases. Defaults are Telnyx's published limits for
 * toll-free numbers; each can be overridden by an environment variable (README, configuration).
 */
export interface DeliverySettings {
  /** Messages per second per verified sender number (Telnyx toll-free default: 20). */
  senderRatePerSecond: number;
  /** Messages per second per Telnyx account, all its numbers together. */
  accountRatePerSecond: number;
  /** Messages per UTC day per unverified toll-free number. */
  unverifiedDailyCap: number;
  /** Whether the shared toll-free number has completed verification (it has, once Aldero registers it). */
  sharedSenderVerified: boolean;
  /** Provider calls one worker keeps in flight. */
  workerConcurrency: number;
  /** Whether this process drains the outbox (every process may; leases keep them apart). */
  workerEnabled: boolean;
  /** How long a claim holds a message before another worker may take it (a crashed worker's lease). */
  leaseMs: number;
  /** Timeout of one provider call; the lease around a call is this plus `callMarginMs`. */
  callTimeoutMs: number;
  callMarginMs: number;
  /** Provider calls per message before it fails as `provider_unavailable` (the challenge's expiry usually comes first). */
  maxCalls: number;
  /** Exponential backoff between retries: base * 2^(n-1), capped, with jitter. */
  retryBaseMs: number;
  retryMaxMs: number;
  /** How often an idle worker looks for messages queued by other processes or due for retry. */
  pollMs: number;
}

export const DEFAULT_DELIVERY_SETTINGS: DeliverySettings = {
  senderRatePerSecond: 20,
  accountRatePerSecond: 50,
  unverifiedDailyCap: 500,
  sharedSenderVerified: true,
  workerConcurrency: 8,
  workerEnabled: true,
  leaseMs: 30_000,
  callTimeoutMs: 10_000,
  callMarginMs: 5_000,
  maxCalls: 10,
  retryBaseMs: 1_000,
  retryMaxMs: 30_000,
  pollMs: 500,
};

/** Environment variable of each setting (documented in the README's configuration table). */
export const DELIVERY_ENV: Record<keyof DeliverySettings, string> = {
  senderRatePerSecond: 'ALDERO_SMS_SENDER_RATE',
  accountRatePerSecond: 'ALDERO_SMS_ACCOUNT_RATE',
  unverifiedDailyCap: 'ALDERO_SMS_UNVERIFIED_DAILY_CAP',
  sharedSenderVerified: 'ALDERO_SHARED_SENDER_VERIFIED',
  workerConcurrency: 'ALDERO_SMS_WORKER_CONCURRENCY',
  workerEnabled: 'ALDERO_SMS_WORKER',
  leaseMs: 'ALDERO_SMS_LEASE_MS',
  callTimeoutMs: 'ALDERO_SMS_CALL_TIMEOUT_MS',
  callMarginMs: 'ALDERO_SMS_CALL_MARGIN_MS',
  maxCalls: 'ALDERO_SMS_MAX_CALLS',
  retryBaseMs: 'ALDERO_SMS_RETRY_BASE_MS',
  retryMaxMs: 'ALDERO_SMS_RETRY_MAX_MS',
  pollMs: 'ALDERO_SMS_POLL_MS',
};

export function loadDeliverySettings(env: NodeJS.ProcessEnv = process.env, overrides: Partial<DeliverySettings> = {}): DeliverySettings {
  return validate(settingsFromEnv(DEFAULT_DELIVERY_SETTINGS, DELIVERY_ENV, env, overrides));
}

function validate(settings: DeliverySettings): DeliverySettings {
  if (settings.leaseMs <= settings.callMarginMs) {
    throw new Error('ALDERO_SMS_LEASE_MS must exceed ALDERO_SMS_CALL_MARGIN_MS: a claim must outlive the checks before a call');
  }
  settings.workerConcurrency = Math.max(1, Math.floor(settings.workerConcurrency));
  return settings;
}
