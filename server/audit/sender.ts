import type { Context } from '../context.ts';
import { SANDBOX_FROM } from '../delivery/sandbox.ts';
import { senderRouteFor } from '../delivery/senders.ts';
import { DEFAULT_DELIVERY_SETTINGS } from '../delivery/settings.ts';

/**
 * The number this tenant environment's codes leave from, as the delivery feature routes them:
 * the sandbox's, Aldero's shared toll-free number, or the tenant's own (BYO). Null when the
 * tenant cannot send (no provider or sender configured).
 */
export function senderNumberFor(ctx: Context): string | null {
  if (ctx.req.tenant.env === 'sandbox') return SANDBOX_FROM;
  const route = senderRouteFor(ctx.req.tenant.tenant, ctx.deps.config, DEFAULT_DELIVERY_SETTINGS);
  return typeof route === 'string' ? null : route.from;
}
