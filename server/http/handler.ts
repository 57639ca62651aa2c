import type { IncomingMessage, ServerResponse } from 'node:http';
import type { TRPCError } from '@trpc/server';
import { nodeHTTPRequestHandler } from '@trpc/server/adapters/node-http';
import { AUDIT_EXPORT_PATH, exportAuditEvents } from '../audit/export.ts';
import { createContext, type Context, type RequestInfo } from '../context.ts';
import type { AppDeps } from '../deps.ts';
import { AppError } from '../errors.ts';
import { appRouter } from '../router.ts';
import { tenantLabelFromRequest, type TenantContext } from '../tenants/model.ts';
import { toAppError } from '../trpc.ts';
import { CORS_ALLOWED_HEADERS, CORS_EXPOSED_HEADERS, originAllowed, sameOrigin } from './cors.ts';
import { openApiDocument } from './openapi.ts';
import { clientIp, flatHeaders, parseCookies, parseJsonObject, readBody, requestIdOf } from './request.ts';
import { callRoute, errorResult, matchRoute } from './rest.ts';
import { serveStatic } from './static.ts';
import { callDirect, directCallFor } from './trpc-direct.ts';

export type WebhookHandler = (deps: AppDeps, input: { rawBody: string; headers: Record<string, string>; slug?: string }) => Promise<{ status: number; body: unknown }>;

export interface HttpOptions {
  /** Built demo to serve at `/` (npm start). */
  demoDir?: string;
  /** The Telnyx webhook receiver (from the delivery feature). */
  webhooks?: WebhookHandler;
  /**
   * `GET /demo-config.json` for the local demo (its phone simulator reads the sandbox inbox with
   * the demo tenant's key). Served only outside production and only to loopback clients.
   */
  demoConfig?: () => Record<string, unknown>;
  /**
   * Answer plain tRPC calls (one procedure, JSON, as `httpLink` and the SDK send them) without
   * tRPC's fetch adapter (default true; false sends every call through it, for the parity test).
   */
  trpcDirect?: boolean;
}

function isLoopback(address: string | undefined): boolean {
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';
}

const API_PREFIXES = ['/v1/', '/trpc/', '/.well-known/'];

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string | string[]> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    ...headers,
  });
  res.end(text);
}

/**
 * The whole HTTP surface of one process: health, the demo, CORS, tenant resolution, then tRPC at
 * `/trpc` and the guide's REST routes at `/v1`. Thin on purpose: it adapts requests, the
 * procedures decide.
 */
export function createHttpHandler(deps: AppDeps, options: HttpOptions = {}) {
  const { config, log } = deps;

  async function resolveTenant(req: IncomingMessage, headers: Record<string, string | undefined>): Promise<TenantContext> {
    const label = tenantLabelFromRequest(headers.host, headers['x-aldero-tenant'], config.domain);
    if (!label) {
      throw new AppError('TENANT_NOT_FOUND', {}, `Call the API at {slug}.${config.domain} or {slug}-sandbox.${config.domain}, or send X-Aldero-Tenant.`);
    }
    return deps.tenants.resolve(label);
  }

  function requestInfo(req: IncomingMessage, headers: Record<string, string | undefined>, tenant: TenantContext, requestId: string): RequestInfo {
    const hostname = (headers.host ?? '').replace(/:\d+$/, '').toLowerCase();
    const forwardedProto = config.trustProxy ? headers['x-forwarded-proto'] : undefined;
    return {
      requestId,
      ip: clientIp(req, config.trustProxy),
      userAgent: headers['user-agent']?.slice(0, 512) ?? null,
      headers,
      cookies: parseCookies(headers.cookie),
      secure: forwardedProto === 'https' || Boolean((req.socket as { encrypted?: boolean }).encrypted),
      hostname,
      tenant,
    };
  }

  /** Status and headers of a tRPC answer: the AppError's status, `Retry-After`, cookies set by the procedure. */
  function trpcResponseMeta(context: Context | undefined, errors: readonly unknown[]): { status?: number; headers: Record<string, string | string[]> } {
    const headers: Record<string, string | string[]> = { 'cache-control': 'no-store' };
    if (context?.res.cookies.length) headers['set-cookie'] = context.res.cookies;
    const first = errors[0];
    if (!first) return { headers };
    // tRPC answers some refusals (an unsupported content type) as text/plain: the body is JSON.
    headers['content-type'] = 'application/json';
    const appError = toAppError(first);
    if (appError.retryAfterSeconds !== undefined) headers['retry-after'] = String(appError.retryAfterSeconds);
    return { status: appError.status, headers };
  }

  function logTrpcFailure(info: RequestInfo, error: TRPCError): void {
    if (toAppError(error).status >= 500) log.error('procedure failed', { requestId: info.requestId, error: error.cause?.stack ?? error.stack });
  }

  async function handleTrpc(req: IncomingMessage, res: ServerResponse, info: RequestInfo, path: string, url: URL): Promise<void> {
    const direct = options.trpcDirect === false ? null : directCallFor(req.method ?? 'GET', path, info.headers, url.searchParams);
    if (direct) {
      const context = createContext(deps, info);
      const result = await callDirect(direct, { req, path, searchParams: url.searchParams, ctx: context, maxBodyBytes: config.maxBodyBytes });
      if (result.error) logTrpcFailure(info, result.error);
      const meta = trpcResponseMeta(context, result.error ? [result.error] : []);
      return send(res, meta.status ?? 200, result.body, { vary: 'trpc-accept, accept', ...meta.headers });
    }
    let context: Context | undefined;
    await nodeHTTPRequestHandler({
      router: appRouter,
      req,
      res,
      path,
      maxBodySize: config.maxBodyBytes,
      createContext: () => (context = createContext(deps, info)),
      responseMeta: ({ errors }) => trpcResponseMeta(context, errors),
      onError: ({ error }) => logTrpcFailure(info, error),
    });
  }

  async function handleRest(req: IncomingMessage, res: ServerResponse, info: RequestInfo, method: string, url: URL): Promise<void> {
    const match = matchRoute(method, url.pathname);
    if (!match) throw new AppError('NOT_FOUND', {}, `No route ${method} ${url.pathname}.`);
    const text = await readBody(req, config.maxBodyBytes);
    const body = parseJsonObject(text, info.headers['content-type']);
    const query = url.search ? Object.fromEntries(url.searchParams) : undefined;
    const context = createContext(deps, info);
    const result = await callRoute(context, match, body ?? query);
    if (result.status >= 500) log.error('route failed', { requestId: info.requestId, path: url.pathname });
    const headers: Record<string, string | string[]> = { ...result.headers };
    if (context.res.cookies.length) headers['set-cookie'] = context.res.cookies;
    send(res, result.status, result.body, headers);
  }

  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = requestIdOf(req);
    res.setHeader('x-request-id', requestId);
    const method = req.method ?? 'GET';
    try {
      const url = new URL(req.url ?? '/', 'http://internal');
      const path = url.pathname;
      if (path === '/healthz') return send(res, 200, { ok: true });
      if (path === '/demo-config.json' && options.demoConfig && !config.production) {
        if (!isLoopback(req.socket.remoteAddress)) throw new AppError('FORBIDDEN', {}, 'The demo configuration is served to this machine only.');
        return send(res, 200, options.demoConfig());
      }
      if (!API_PREFIXES.some((prefix) => path.startsWith(prefix))) {
        if (options.demoDir && (method === 'GET' || method === 'HEAD')) return await serveStatic(req, res, options.demoDir, path);
        throw new AppError('NOT_FOUND', {}, `No route ${method} ${path}.`);
      }
      const headers = flatHeaders(req);

      // Telnyx posts to one URL for every tenant; BYO tenants to their own.
      const webhook = /^\/v1\/webhooks\/telnyx(?:\/([a-z0-9-]+))?$/.exec(path);
      if (webhook && method === 'POST' && options.webhooks) {
        const rawBody = await readBody(req, 256 * 1024);
        const plain: Record<string, string> = {};
        for (const [name, value] of Object.entries(headers)) if (value !== undefined) plain[name] = value;
        const result = await options.webhooks(deps, { rawBody, headers: plain, slug: webhook[1] });
        return send(res, result.status, result.body);
      }

      const tenant = await resolveTenant(req, headers);
      const origin = headers.origin;
      if (origin && origin !== 'null') {
        const allowed = sameOrigin(origin, headers.host) || originAllowed(tenant, origin);
        if (!allowed) throw new AppError('ORIGIN_NOT_ALLOWED', { origin: origin.slice(0, 256) });
        res.setHeader('access-control-allow-origin', origin);
        res.setHeader('access-control-allow-credentials', 'true');
        res.setHeader('access-control-expose-headers', CORS_EXPOSED_HEADERS);
        res.setHeader('vary', 'Origin');
      }
      if (method === 'OPTIONS') {
        res.writeHead(204, {
          'access-control-allow-methods': 'GET, POST, PATCH, DELETE, OPTIONS',
          'access-control-allow-headers': CORS_ALLOWED_HEADERS,
          'access-control-max-age': '600',
        });
        return void res.end();
      }
      if (path === '/.well-known/jwks.json') return send(res, 200, deps.tokens.jwks, { 'cache-control': 'public, max-age=300' });
      if (path === '/v1/openapi.json') return send(res, 200, openApiDocument(deps, tenant), { 'cache-control': 'public, max-age=300' });

      const info = requestInfo(req, headers, tenant, requestId);
      // JSON lines, not one JSON document: streamed outside the REST adapter.
      if (path === AUDIT_EXPORT_PATH && method === 'GET') return await exportAuditEvents(createContext(deps, info), url, res);
      if (path.startsWith('/trpc/')) return await handleTrpc(req, res, info, path.slice('/trpc/'.length), url);
      return await handleRest(req, res, info, method, url);
    } catch (error) {
      const appError = toAppError(error);
      if (appError.status >= 500) log.error('request failed', { requestId, error: (error as Error)?.stack });
      if (res.headersSent) return void res.end();
      const result = errorResult(appError);
      send(res, result.status, result.body, result.headers);
    }
  };
}
