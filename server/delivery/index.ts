// Interim wiring (lead): sandbox delivery only, as issue 4 allows until the outbox of issue 5
// lands. The delivery owner replaces this file; keep the three exports' shapes.
import type { Clock } from '../clock.ts';
import type { Config } from '../config.ts';
import type { AppDeps } from '../deps.ts';
import type { ServerKeys } from '../keys.ts';
import type { Logger } from '../log.ts';
import type { IndexSpec, Store } from '../store/index.ts';
import { SandboxDispatcher } from './sandbox.ts';
import type { SmsDispatcher } from './types.ts';

export const DELIVERY_INDEXES: IndexSpec[] = [];

export function createDispatcher(deps: { store: Store; clock: Clock; log: Logger; config: Config; keys: ServerKeys }): SmsDispatcher {
  const sandbox = new SandboxDispatcher(deps.store, deps.clock, deps.keys.secret);
  return {
    async dispatch(request) {
      if (request.tenant.env === 'sandbox') return sandbox.dispatch(request);
      return { status: 'failed', reason: 'provider_not_configured', messageId: null, updatedAt: deps.clock.now() };
    },
  };
}

export async function handleTelnyxWebhook(_deps: AppDeps, _input: { rawBody: string; headers: Record<string, string>; slug?: string }) {
  return { status: 404, body: { error: 'NOT_FOUND', message: 'Webhooks are not enabled yet.' } };
}
