import type { Context } from '../context.ts';
import type { RateLimitReason } from '../contract/errors.ts';
import { AppError } from '../errors.ts';
import { SANDBOX_NUMBERS } from '../delivery/sandbox.ts';
import { countryOf } from '../phone.ts';
import { repositoriesOf } from '../store/index.ts';
import { consumeLimits, type Limit } from './rate-limit.ts';

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
 * per-phone, per-user, per-IP and per-tenant windows, each one atomic counter (DESIGN.md §4).
 * Sandbox magic numbers are exempt so that failure paths stay testable.
 * Returns a release function that gives every slot back (when the send is refused later).
 */
export async function consumeSendQuotas(ctx: Context, input: { phone: string; userId: string }): Promise<() => Promise<void>> {
  const { tenant, realm, env } = ctx.req.tenant;
  if (env === 'sandbox' && MAGIC_NUMBERS.has(input.phone)) return async () => {};
  if (tenant.allowedCountries.length > 0) {
    const country = countryOf(input.phone);
    if (!country || !tenant.allowedCountries.includes(country)) {
      throw new AppError('MFA_RATE_LIMITED', { reason: 'country_not_allowed' }, REFUSALS.country_not_allowed);
    }
  }
  const q = tenant.quotas;
  const limits: Limit[] = [
    { key: `sms:${realm}:tenant`, limit: q.tenantPerDay, windowSeconds: DAY, reason: 'tenant_daily_budget' },
    { key: `sms:${realm}:phone:${input.phone}`, limit: q.phonePerHour, windowSeconds: HOUR, reason: 'phone_hourly' },
    { key: `sms:${realm}:phone-day:${input.phone}`, limit: q.phonePerDay, windowSeconds: DAY, reason: 'phone_daily' },
    { key: `sms:${realm}:user:${input.userId}`, limit: q.userPerHour, windowSeconds: HOUR, reason: 'user_hourly' },
    { key: `sms:${realm}:ip:${ctx.req.ip}`, limit: q.ipPerHour, windowSeconds: HOUR, reason: 'ip_hourly' },
  ];
  const result = await consumeLimits(repositoriesOf(ctx.deps.store).rateCounters, ctx.deps.clock, limits);
  if (!result.ok) {
    ctx.deps.log.info('sms refused by quota', { reason: result.reason, realm, requestId: ctx.req.requestId });
    throw new AppError('MFA_RATE_LIMITED', { reason: result.reason, retryAfterSeconds: result.retryAfterSeconds }, REFUSALS[result.reason]);
  }
  return result.release;
}
