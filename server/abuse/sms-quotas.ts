import type { Context } from '../context.ts';
import type { RateLimitReason } from '../contract/errors.ts';
import { AppError } from '../errors.ts';
import { SANDBOX_NUMBERS } from '../delivery/sandbox.ts';
import { countryOf } from '../phone.ts';
import { repositoriesOf } from '../store/index.ts';
import { consumeLimits, peekLimits, type HeldSlots, type Limit, type Refused } from './rate-limit.ts';

const HOUR = 3600;
const DAY = 86_400;
const MAGIC_NUMBERS = new Set<string>(Object.values(SANDBOX_NUMBERS));

const REFUSALS: Partial<Record<RateLimitReason, string>> = {
  phone_hourly: 'Too many codes were sent to this number in the last hour. Try again later.',
  phone_daily: 'Too many codes were sent to this number today. Try again tomorrow, or use a recovery code.',
  user_hourly: 'Too many codes were requested for this account in the last hour. Try again later.',
  ip_hourly: 'Too many codes were requested from this network in the last hour. Try again later.',
  tenant_daily_budget: 'This application has reached its SMS budget for today. Use another method or try again tomorrow.',
  country_not_allowed: 'This application does not send SMS to that country.',
};

/**
 * Protects tenants from SMS pumping before anything is queued: destination countries, then
 * per-phone, per-user, per-IP and per-tenant windows, each one atomic counter (DESIGN.md §4),
 * all taken in one round trip. Sandbox magic numbers are exempt so that failure paths stay
 * testable. Returns a release function that gives every slot back (when the send is refused later).
 */
export async function consumeSendQuotas(ctx: Context, input: SendQuotaInput, giveBack?: HeldSlots): Promise<() => Promise<void>> {
  const limits = sendLimitsOf(ctx, input);
  if (!limits) return async () => {};
  const result = await consumeLimits(repositoriesOf(ctx.deps.store).rateCounters, ctx.deps.clock, limits, giveBack);
  if (!result.ok) throw quotaRefusal(ctx, result);
  return result.release;
}

/**
 * The refusal `consumeSendQuotas` would answer now, taking nothing: a send refused by its
 * challenge (no sends left, too soon) still answers the quota's reason first, as when the quotas
 * were taken before the challenge's send.
 */
export async function sendQuotaRefusal(ctx: Context, input: SendQuotaInput): Promise<AppError | null> {
  const limits = sendLimitsOf(ctx, input);
  if (!limits) return null;
  const refused = await peekLimits(repositoriesOf(ctx.deps.store).rateCounters, ctx.deps.clock, limits);
  return refused ? quotaRefusal(ctx, refused) : null;
}

export interface SendQuotaInput {
  phone: string;
  userId: string;
}

/** The counters a send takes (null: none, a sandbox magic number); throws when the country is not allowed. */
function sendLimitsOf(ctx: Context, input: SendQuotaInput): Limit[] | null {
  const { tenant, realm, env } = ctx.req.tenant;
  if (env === 'sandbox' && MAGIC_NUMBERS.has(input.phone)) return null;
  if (tenant.allowedCountries.length > 0) {
    const country = countryOf(input.phone);
    if (!country || !tenant.allowedCountries.includes(country)) {
      throw new AppError('MFA_RATE_LIMITED', { reason: 'country_not_allowed' }, REFUSALS.country_not_allowed);
    }
  }
  const q = tenant.quotas;
  return [
    { key: `sms:${realm}:tenant`, limit: q.tenantPerDay, windowSeconds: DAY, reason: 'tenant_daily_budget' },
    { key: `sms:${realm}:phone:${input.phone}`, limit: q.phonePerHour, windowSeconds: HOUR, reason: 'phone_hourly' },
    { key: `sms:${realm}:phone-day:${input.phone}`, limit: q.phonePerDay, windowSeconds: DAY, reason: 'phone_daily' },
    { key: `sms:${realm}:user:${input.userId}`, limit: q.userPerHour, windowSeconds: HOUR, reason: 'user_hourly' },
    { key: `sms:${realm}:ip:${ctx.req.ip}`, limit: q.ipPerHour, windowSeconds: HOUR, reason: 'ip_hourly' },
  ];
}

function quotaRefusal(ctx: Context, refused: Refused): AppError {
  ctx.deps.log.info('sms refused by quota', { reason: refused.reason, realm: ctx.req.tenant.realm, requestId: ctx.req.requestId });
  return new AppError('MFA_RATE_LIMITED', { reason: refused.reason, retryAfterSeconds: refused.retryAfterSeconds }, REFUSALS[refused.reason]);
}
