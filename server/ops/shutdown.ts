/**
 * Graceful stop of an HTTP server: stop accepting connections, let the requests in flight finish
 * (answered with `Connection: close`, so keep-alive clients reconnect elsewhere), and after the
 * deadline close whatever is left.
 */
import type { Server, ServerResponse } from 'node:http';

export interface RequestTracker {
  /** Requests whose answer is not finished yet. */
  readonly inFlight: number;
  /** Whether `drain` has begun (readiness answers 503 from then on). */
  readonly draining: boolean;
  /**
   * Stops accepting, waits for the requests in flight up to `deadlineMs`, then closes every
   * connection left. Resolves with how many were answered and how many were cut off.
   */
  drain(deadlineMs: number): Promise<{ answered: number; cutOff: number }>;
}

/** Tracks the requests of `server` from now on. */
export function trackRequests(server: Server): RequestTracker {
  const open = new Set<ServerResponse>();
  let draining = false;
  let answeredWhileDraining = 0;
  let settle: (() => void) | null = null;

  server.on('request', (_req, res: ServerResponse) => {
    open.add(res);
    if (draining && !res.headersSent) res.setHeader('connection', 'close');
    res.once('close', () => {
      open.delete(res);
      if (draining) {
        answeredWhileDraining += 1;
        server.closeIdleConnections();
        if (open.size === 0) settle?.();
      }
    });
  });

  return {
    get inFlight() {
      return open.size;
    },
    get draining() {
      return draining;
    },
    async drain(deadlineMs) {
      if (draining) throw new Error('already draining');
      draining = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const res of open) if (!res.headersSent) res.setHeader('connection', 'close');
      server.closeIdleConnections();
      if (open.size > 0) {
        await new Promise<void>((resolve) => {
          settle = resolve;
          setTimeout(resolve, deadlineMs).unref();
        });
      }
      const result = { answered: answeredWhileDraining, cutOff: open.size };
      server.closeAllConnections();
      await closed;
      return result;
    },
  };
}
