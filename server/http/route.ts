import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RequestInfo } from '../context.ts';

/** One request on its way through the route table. */
export interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  method: string;
  url: URL;
  requestId: string;
  headers: Record<string, string | undefined>;
}

/** A request to a tenant environment, past CORS. */
export interface TenantExchange extends Exchange {
  info: RequestInfo;
}

export interface Route<E extends Exchange> {
  /** Any method when absent. */
  method?: string;
  /** The exact path, a pattern (its groups are handed to `handle`) or a test. */
  path: string | RegExp | ((path: string) => boolean);
  handle(exchange: E, groups: readonly (string | undefined)[]): Promise<void> | void;
}

/** Answers with the first route that matches; false when none does. */
export async function answerWith<E extends Exchange>(routes: readonly Route<E>[], exchange: E): Promise<boolean> {
  const path = exchange.url.pathname;
  for (const route of routes) {
    if (route.method !== undefined && route.method !== exchange.method) continue;
    if (typeof route.path === 'string') {
      if (route.path !== path) continue;
      await route.handle(exchange, []);
    } else if (route.path instanceof RegExp) {
      const match = route.path.exec(path);
      if (!match) continue;
      await route.handle(exchange, match.slice(1));
    } else {
      if (!route.path(path)) continue;
      await route.handle(exchange, []);
    }
    return true;
  }
  return false;
}
