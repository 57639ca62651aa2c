/**
 * What an operator asks of every request, before the API handler sees it: one access-log line
 * and the request metrics when its answer ends, `GET /readyz` (readiness), and `GET /metrics`
 * (Prometheus, platform key). The API handler stays as it was; this wraps it (server/app.ts).
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Db } from 'mongodb';
import type { Config } from '../config.ts';
import type { Logger } from '../log.ts';
import { tenantLabelFromRequest } from '../tenants/model.ts';
import { pingDatabase } from './database.ts';
import type { Metrics } from './metrics.ts';

export interface OpsOptions {
  config: Pick<Config, 'domain'>;
  log: Logger;
  metrics: Metrics;
  /** The database readiness pings. */
  db: Db;
  /** Each background worker of the process and whether it runs. */
  workers: () => Record<string, boolean>;
  /** True once the process is stopping (readiness answers 503 so the load balancer moves on). */
  draining: () => boolean;
  /** The route template of a request, for labels and the log (never the raw path: ids, phones). */
  routeOf: (method: string, path: string) => string;
  /** Whether a bearer key is the platform key (`/metrics` on the API port asks for it): configured or generated. */
  isPlatformKey: (candidate: string) => Promise<boolean>;
}

/** How long readiness waits for the database's answer to a ping. */
export const READINESS_PING_MS = 1_000;

function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store', ...headers });
  res.end(text);
}

/** The code and reason of an error answer, from its body (REST `{error, reason}`, tRPC `{error: {data: {appCode, context}}}`). */
function refusalOf(body: string): { code: string; reason: string } | null {
  try {
    let parsed = JSON.parse(body) as unknown;
    if (Array.isArray(parsed)) parsed = parsed[0];
    const error = (parsed as { error?: unknown })?.error;
    if (typeof error === 'string') return { code: error, reason: String((parsed as { reason?: unknown }).reason ?? '') };
    const data = (error as { data?: { appCode?: unknown; context?: { reason?: unknown } } } | undefined)?.data;
    if (typeof data?.appCode === 'string') return { code: data.appCode, reason: String(data.context?.reason ?? '') };
  } catch {
    // not JSON: not one of ours
  }
  return null;
}

export function createOpsHandler(options: OpsOptions) {
  const { log, metrics } = options;

  async function readiness(res: ServerResponse): Promise<void> {
    const workers = options.workers();
    const stopping = options.draining();
    const database = stopping ? null : await pingDatabase(options.db, READINESS_PING_MS);
    const workersOk = Object.values(workers).every(Boolean);
    const ok = !stopping && database?.ok === true && workersOk;
    const checks = { database: database ?? { ok: false, error: 'the process is stopping' }, workers, stopping };
    sendJson(res, ok ? 200 : 503, { ok, checks }, ok ? {} : { 'retry-after': '5' });
  }

  async function metricsAnswer(res: ServerResponse): Promise<void> {
    const text = await metrics.render().catch((error: unknown) => {
      log.error('metrics: a collector failed', { error: String(error) });
      return null;
    });
    if (text === null) return sendJson(res, 500, { error: 'INTERNAL_ERROR', message: 'The metrics could not be collected.' });
    res.writeHead(200, { 'content-type': metrics.contentType, 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
    res.end(text);
  }

  async function authorized(req: IncomingMessage): Promise<boolean> {
    const header = req.headers.authorization ?? '';
    return header.startsWith('Bearer ') && options.isPlatformKey(header.slice('Bearer '.length));
  }

  async function metricsRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!(await authorized(req))) {
      return sendJson(res, 401, { error: 'UNAUTHORIZED', message: 'Send the platform key: Authorization: Bearer $ALDERO_PLATFORM_KEY.' }, { 'www-authenticate': 'Bearer' });
    }
    await metricsAnswer(res);
  }

  /** Records the request's answer when it ends: one log line, the request metrics, refusals by reason. */
  function observe(req: IncomingMessage, res: ServerResponse, path: string): void {
    const started = process.hrtime.bigint();
    const method = req.method ?? 'GET';
    let refusal: { code: string; reason: string } | null = null;
    const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
    // Error answers are small JSON: read their code and reason as they leave (429s and 503s only).
    res.end = ((...args: unknown[]) => {
      const chunk = args[0];
      if ((res.statusCode === 429 || res.statusCode === 503) && (typeof chunk === 'string' || Buffer.isBuffer(chunk)) && chunk.length < 16_384) {
        refusal = refusalOf(String(chunk));
      }
      return end(...args);
    }) as ServerResponse['end'];
    res.once('close', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = options.routeOf(method, path);
      const status = res.writableFinished ? res.statusCode : 0;
      metrics.request(route, method, status, seconds);
      if (refusal && res.statusCode === 429) metrics.rateLimited(refusal.code, refusal.reason);
      log.info('request', {
        requestId: res.getHeader('x-request-id'),
        tenant: tenantLabelFromRequest(req.headers.host, req.headers['x-aldero-tenant'] as string | undefined, options.config.domain),
        method,
        route,
        status,
        durationMs: Math.round(seconds * 10_000) / 10,
        ...(refusal ? { errorCode: refusal.code } : {}),
        ...(status === 0 ? { aborted: true } : {}),
      });
    });
  }

  return {
    /**
     * Observes every request; answers `/readyz` and `/metrics` itself (true), or leaves the
     * request to the API handler (false).
     */
    intercept(req: IncomingMessage, res: ServerResponse): boolean {
      const path = (req.url ?? '/').split('?', 1)[0]!;
      observe(req, res, path);
      if (path !== '/readyz' && path !== '/metrics') return false;
      // Answered here, not by the API handler: name the request the same way it does.
      const given = req.headers['x-request-id'];
      res.setHeader('x-request-id', typeof given === 'string' && /^[\w.-]{1,64}$/.test(given) ? given : `req_${randomUUID().replaceAll('-', '').slice(0, 16)}`);
      if (path === '/readyz') {
        void readiness(res);
        return true;
      }
      if (path === '/metrics') {
        metricsRequest(req, res).catch((error: unknown) => {
          log.error('metrics: the request failed', { error: String(error) });
          if (!res.headersSent) sendJson(res, 500, { error: 'INTERNAL_ERROR', message: 'The metrics could not be collected.' });
        });
      }
      return true;
    },
    /** The separate `ALDERO_METRICS_PORT` listener: `/metrics` without a key, nothing else. */
    metricsListener(req: IncomingMessage, res: ServerResponse): void {
      if ((req.url ?? '/').split('?', 1)[0] === '/metrics') void metricsAnswer(res);
      else sendJson(res, 404, { error: 'NOT_FOUND', message: 'Only /metrics is served here.' });
    },
  };
}
