import type { IncomingMessage, ServerResponse } from 'node:http';
import { AUDIT_EXPORT_PATH, exportAuditEvents } from '../audit/export.ts';
import { createContext, type RequestInfo } from '../context.ts';
import type { WebhookAnswer, WebhookInput } from '../delivery/webhooks.ts';
import type { AppDeps } from '../deps.ts';
import { AppError } from '../errors.ts';
import { isApexRequest, tenantLabelFromRequest, type TenantContext } from '../tenants/model.ts';
import { toAppError } from '../trpc.ts';
import { CORS_ALLOWED_HEADERS, CORS_EXPOSED_HEADERS, originAllowed, sameOrigin } from './cors.ts';
import { DEFAULT_ELEMENTS_DIR, ELEMENTS_ROUTE, serveElements } from './elements.ts';
import { isApiDocsPath, serveApiDocs } from './openapi/docs.ts';
import { serveOpenApiDocument } from './openapi/route.ts';
import { clientIp, flatHeaders, parseCookies, readBody, requestIdOf } from './request.ts';
import { sendError, sendJson } from './respond.ts';
import { serveRest } from './rest.ts';
import { answerWith, type Exchange, type Route, type TenantExchange } from './route.ts';
import { serveStatic } from './static.ts';
import { serveTrpc } from './trpc-route.ts';

/** The Telnyx webhook receiver: the body to answer 200 with; a refusal is thrown as an AppError. */
type WebhookHandler = (deps: AppDeps, input: WebhookInput) => Promise<WebhookAnswer>;

interface HttpOptions {
  /** Built demo to serve at `/` (npm start). */
  demoDir?: string;
  /** The built elements served at `/v1/elements/` (default dist/components, from `npm run build`). */
  elementsDir?: string;
  /** The Telnyx webhook receiver (from the delivery feature). */
  webhooks?: WebhookHandler;
  /**
   * `GET /demo-config.json` for the local demo (its phone simulator reads the sandbox inbox with
   * the demo tenant's key). Served only outside production and only to loopback clients.
   */
  demoConfig?: () => Record<string, unknown>;
  /**
   * The demo's fake identity provider (`POST /demo-idp/users`, `POST /demo-idp/sessions`): the
   * tenant back end a real app would have, which holds the admin key where no browser sees it.
   * It answers as the admin API's `POST /v1/admin/users` and `/v1/admin/sessions` on the demo
   * tenant's sandbox; served like `demoConfig`: outside production, to this machine only.
   */
  demoIdp?: { tenantLabel: string; adminKey: string };
  /**
   * Answer plain tRPC calls without tRPC's adapter (default true; false sends every call
   * through it, for the parity test and the bench's A/B).
   */
  trpcDirect?: boolean;
}

const API_PREFIXES = ['/v1/', '/trpc/', '/.well-known/'];
const WEBHOOK_BODY_LIMIT = 256 * 1024;
const PUBLIC_CACHE = { 'cache-control': 'public, max-age=300' };

/** A route that answers one method: any other gets 405 with `Allow` (RFC 9110 §15.5.6). */
function only<E extends Exchange>(method: string, route: Omit<Route<E>, 'method'>): Route<E>[] {
  return [
    { ...route, method },
    { path: route.path, handle: ({ res }) => sendError(res, new AppError('METHOD_NOT_ALLOWED'), { allow: method }) },
  ];
}

function isLoopback(address: string | undefined): boolean {
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';
}

/** Headers a reverse proxy adds: a request carrying one came from elsewhere, whatever its peer address. */
const FORWARDING_HEADERS = ['forwarded', 'x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'x-real-ip', 'via'];

/** The platform API (`/v1/platform/...`, tRPC `platform.*`): served on the apex host only. */
const PLATFORM_PATH = /^\/(?:v1\/platform(?:\/|$)|trpc\/platform\.)/;

/** The tenant's public face: any origin may read it (no credentials). */
const PUBLIC_FACE_PATH = '/v1/tenant';

/**
 * The request info of an apex request: no tenant. A procedure that needs one (anything but the
 * platform's) is refused as a tenant-less request always was, with TENANT_NOT_FOUND.
 */
function withoutTenant(info: Omit<RequestInfo, 'tenant'>, domain: string): RequestInfo {
  return Object.defineProperty(info, 'tenant', {
    enumerable: false,
    get(): TenantContext {
      throw new AppError('TENANT_NOT_FOUND', {}, `Call the API at {slug}.${domain} or {slug}-sandbox.${domain}, or send X-Aldero-Tenant.`);
    },
  }) as RequestInfo;
}

/**
 * The whole HTTP surface of one process, as two route tables: what is answered before the
 * tenant is known (health, the demo, Telnyx's webhooks), then, past tenant resolution and CORS,
 * the tenant's API (preflight, JWKS, OpenAPI, the audit export, tRPC at `/trpc`, the guide's
 * REST routes at `/v1`). Thin on purpose: it adapts requests, the procedures decide. Every
 * refusal, thrown as an AppError anywhere below, is answered by the one error path at the end.
 */
export function createHttpHandler(deps: AppDeps, options: HttpOptions = {}) {
  const { config, log } = deps;
  const trpcDirect = options.trpcDirect !== false;

  const { demoConfig, demoIdp, webhooks, demoDir, elementsDir = DEFAULT_ELEMENTS_DIR } = options;

  /** The demo's own routes are for a browser on this machine, never through a proxy. */
  function assertLocalPeer(req: IncomingMessage, what: string): void {
    const forwarded = FORWARDING_HEADERS.some((name) => req.headers[name] !== undefined);
    if (!isLoopback(req.socket.remoteAddress) || forwarded) throw new AppError('FORBIDDEN', {}, `${what} is served to this machine only.`);
  }

  const beforeTenant: Route<Exchange>[] = [
    { path: '/healthz', handle: ({ res }) => sendJson(res, 200, { ok: true }) },
    // The elements for a tenant's <script type="module">: every host, any origin, no tenant.
    { path: ELEMENTS_ROUTE, handle: ({ req, res }, [name]) => serveElements(req, res, elementsDir, name!) },
    ...(demoConfig && !config.production
      ? [
          {
            path: '/demo-config.json',
            handle: ({ req, res }: Exchange) => {
              assertLocalPeer(req, 'The demo configuration');
              sendJson(res, 200, demoConfig());
            },
          },
        ]
      : []),
    ...(demoIdp && !config.production
      ? only<Exchange>('POST', {
          path: /^\/demo-idp\/(users|sessions)$/,
          handle: async (exchange: Exchange, [resource]: readonly (string | undefined)[]) => {
            assertLocalPeer(exchange.req, 'The demo identity provider');
            const headers = { ...exchange.headers, authorization: `Bearer ${demoIdp.adminKey}`, origin: undefined, 'x-aldero-tenant': demoIdp.tenantLabel };
            const tenant = await deps.tenants.resolve(demoIdp.tenantLabel);
            const admin: Exchange = { ...exchange, headers, url: new URL(`/v1/admin/${resource}`, exchange.url) };
            await serveRest(deps, admin, { ...requestInfoOf(admin), tenant });
          },
        })
      : []),
    // The API reference and the guide's "Try it live" link, on every host.
    { path: isApiDocsPath, handle: ({ req, res, url }) => serveApiDocs(req, res, url.pathname, { demoServed: Boolean(demoDir) }) },
    // The API's description, on every host (the apex host too).
    ...only<Exchange>('GET', { path: '/v1/openapi.json', handle: (exchange) => serveOpenApiDocument(deps, exchange) }),
    {
      path: (path) => !API_PREFIXES.some((prefix) => path.startsWith(prefix)),
      handle: async ({ req, res, method, url }) => {
        if (demoDir && (method === 'GET' || method === 'HEAD')) return serveStatic(req, res, demoDir, url.pathname);
        throw new AppError('NOT_FOUND', {}, `No route ${method} ${url.pathname}.`);
      },
    },
    // Telnyx posts to one URL for every tenant; BYO tenants to their own.
    ...(webhooks
      ? only<Exchange>('POST', {
          path: /^\/v1\/webhooks\/telnyx(?:\/([a-z0-9-]+))?$/,
          handle: async ({ req, res, headers }: Exchange, [slug]: readonly (string | undefined)[]) => {
            const rawBody = await readBody(req, WEBHOOK_BODY_LIMIT);
            const plain: Record<string, string> = {};
            for (const [name, value] of Object.entries(headers)) if (value !== undefined) plain[name] = value;
            sendJson(res, 200, await webhooks(deps, { rawBody, headers: plain, slug }));
          },
        })
      : []),
  ];

  const tenantApi: Route<TenantExchange>[] = [
    {
      method: 'OPTIONS',
      path: () => true,
      handle: ({ res }) => {
        res.writeHead(204, {
          'access-control-allow-methods': 'GET, POST, PATCH, DELETE, OPTIONS',
          'access-control-allow-headers': CORS_ALLOWED_HEADERS,
          'access-control-max-age': '600',
        });
        res.end();
      },
    },
    ...only<TenantExchange>('GET', { path: '/.well-known/jwks.json', handle: ({ res }) => sendJson(res, 200, deps.tokens.jwks, PUBLIC_CACHE) }),
    // JSON lines, not one JSON document: streamed outside the REST adapter.
    ...only<TenantExchange>('GET', { path: AUDIT_EXPORT_PATH, handle: ({ res, url, info }) => exportAuditEvents(createContext(deps, info), url, res) }),
    { path: /^\/trpc\/(.*)$/s, handle: (exchange, [path]) => serveTrpc(deps, exchange, path!, trpcDirect) },
    { path: () => true, handle: (exchange) => serveRest(deps, exchange, exchange.info) },
  ];

  /** The operator's API on the apex host: tRPC `platform.*` and REST `/v1/platform/...`, same-origin only. */
  const platformApi: Route<TenantExchange>[] = [
    { path: /^\/trpc\/(.*)$/s, handle: (exchange, [path]) => serveTrpc(deps, exchange, path!, trpcDirect) },
    { path: () => true, handle: (exchange) => serveRest(deps, exchange, exchange.info) },
  ];

  function requestInfoOf(exchange: Exchange): Omit<RequestInfo, 'tenant'> {
    const { req, headers } = exchange;
    const forwardedProto = config.trustProxy ? headers['x-forwarded-proto'] : undefined;
    return {
      requestId: exchange.requestId,
      ip: clientIp(req, config.trustedProxies),
      userAgent: headers['user-agent']?.slice(0, 512) ?? null,
      headers,
      cookies: parseCookies(headers.cookie),
      secure: forwardedProto === 'https' || Boolean((req.socket as { encrypted?: boolean }).encrypted),
      hostname: (headers.host ?? '').replace(/:\d+$/, '').toLowerCase(),
    };
  }

  /** An apex request for the platform API, or null. Browsers of other origins get nothing. */
  function enterPlatform(exchange: Exchange): TenantExchange | null {
    const { headers } = exchange;
    if (!PLATFORM_PATH.test(exchange.url.pathname) || !isApexRequest(headers.host, headers['x-aldero-tenant'], config.domain)) return null;
    const origin = headers.origin;
    const info = requestInfoOf(exchange);
    if (origin && origin !== 'null' && !sameOrigin(origin, headers.host, info.secure)) throw new AppError('ORIGIN_NOT_ALLOWED', { origin: origin.slice(0, 256) });
    return { ...exchange, info: withoutTenant(info, config.domain) };
  }

  /** The tenant environment the request is for, and CORS for its origin. */
  async function enterTenant(exchange: Exchange): Promise<TenantExchange> {
    const { res, headers } = exchange;
    const label = tenantLabelFromRequest(headers.host, headers['x-aldero-tenant'], config.domain);
    if (!label) {
      throw new AppError('TENANT_NOT_FOUND', {}, `Call the API at {slug}.${config.domain} or {slug}-sandbox.${config.domain}, or send X-Aldero-Tenant.`);
    }
    const tenant = await deps.tenants.resolve(label);
    const info = requestInfoOf(exchange);
    const origin = headers.origin;
    if (origin && origin !== 'null' && exchange.url.pathname === PUBLIC_FACE_PATH) {
      // The public face is the same for every reader: any origin, no credentials.
      res.setHeader('access-control-allow-origin', '*');
      res.setHeader('access-control-expose-headers', CORS_EXPOSED_HEADERS);
    } else if (origin && origin !== 'null') {
      const allowed = sameOrigin(origin, headers.host, info.secure) || originAllowed(tenant, origin);
      if (!allowed) throw new AppError('ORIGIN_NOT_ALLOWED', { origin: origin.slice(0, 256) });
      res.setHeader('access-control-allow-origin', origin);
      res.setHeader('access-control-allow-credentials', 'true');
      res.setHeader('access-control-expose-headers', CORS_EXPOSED_HEADERS);
      res.setHeader('vary', 'Origin');
    }
    return { ...exchange, info: { ...info, tenant } };
  }

  /**
   * A preflight to a host that names no tenant, for a request that will name it in
   * `X-Aldero-Tenant` (a page using `api-base`): the preflight itself cannot carry that header,
   * so it is allowed here and the request that follows is checked against that tenant's
   * allowed origins before anything runs (refused with ORIGIN_NOT_ALLOWED otherwise).
   */
  function answerTenantlessPreflight({ res, method, headers }: Exchange): boolean {
    const origin = headers.origin;
    if (method !== 'OPTIONS' || !origin || origin === 'null') return false;
    if (tenantLabelFromRequest(headers.host, headers['x-aldero-tenant'], config.domain)) return false;
    const requested = (headers['access-control-request-headers'] ?? '').toLowerCase().split(',').map((name) => name.trim());
    if (!requested.includes('x-aldero-tenant')) return false;
    res.writeHead(204, {
      'access-control-allow-origin': origin,
      'access-control-allow-credentials': 'true',
      'access-control-allow-methods': 'GET, POST, PATCH, DELETE, OPTIONS',
      'access-control-allow-headers': CORS_ALLOWED_HEADERS,
      'access-control-max-age': '600',
      vary: 'Origin',
    });
    res.end();
    return true;
  }

  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = requestIdOf(req);
    res.setHeader('x-request-id', requestId);
    try {
      const exchange: Exchange = { req, res, method: req.method ?? 'GET', url: new URL(req.url ?? '/', 'http://internal'), requestId, headers: flatHeaders(req) };
      if (await answerWith(beforeTenant, exchange)) return;
      const platform = enterPlatform(exchange);
      if (platform) return void (await answerWith(platformApi, platform));
      if (answerTenantlessPreflight(exchange)) return;
      await answerWith(tenantApi, await enterTenant(exchange));
    } catch (error) {
      const appError = toAppError(error);
      if (appError.status >= 500) log.error('request failed', { requestId, error: (error as Error)?.stack });
      if (res.headersSent) return void res.end();
      sendError(res, appError);
    }
  };
}
