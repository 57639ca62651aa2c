import { createContext, type RequestInfo } from '../context.ts';
import type { AppDeps } from '../deps.ts';
import { AppError } from '../errors.ts';
import { callProcedure, procedures, type ProcedureType } from './dispatch.ts';
import { parseJsonObject, readBody } from './request.ts';
import { sendError, sendJson, type ResponseHeaders } from './respond.ts';
import type { Exchange } from './route.ts';

export interface RestRoute {
  method: string;
  pattern: RegExp;
  params: string[];
  procedurePath: string;
  procedureType: ProcedureType;
  successStatus: number;
}

/**
 * The guide's REST routes, read from each procedure's `openapi` meta: the same procedures as
 * tRPC, so every rule has one implementation. Only the envelope differs: REST answers with the
 * guide's bodies and statuses (`{ "error": CODE, "message", ...context }`).
 */
function buildRoutes(): RestRoute[] {
  const routes: RestRoute[] = [];
  for (const { path: procedurePath, type, meta } of procedures.values()) {
    if (!meta?.openapi) continue;
    const params: string[] = [];
    const source = meta.openapi.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{(\w+)\\?\}/g, (_match, name: string) => {
      params.push(name);
      return '([^/]+)';
    });
    routes.push({
      method: meta.openapi.method,
      pattern: new RegExp(`^${source}$`),
      params,
      procedurePath,
      procedureType: type === 'query' ? 'query' : 'mutation',
      successStatus: meta.successStatus ?? 200,
    });
  }
  return routes;
}

const routes: readonly RestRoute[] = buildRoutes();

/** Every REST route, in the order they are matched. */
export function restRoutes(): readonly RestRoute[] {
  return routes;
}

interface RestMatch {
  route: RestRoute;
  pathParams: Record<string, string>;
}

/** A percent-decoded path segment; malformed encoding (`%zz`, a cut UTF-8 sequence) is the client's error. */
function decodePathParam(name: string, raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new AppError('VALIDATION_ERROR', { issues: [{ path: name, message: 'Malformed percent-encoding' }] }, `The ${name} in the path is not valid percent-encoding.`);
  }
}

/** The route for a method and path; when the path exists only under other methods, those methods (for `Allow`). */
function matchRoute(method: string, path: string): RestMatch | { allow: string[] } | null {
  const allow: string[] = [];
  for (const route of routes) {
    const match = route.pattern.exec(path);
    if (!match) continue;
    if (route.method !== method) {
      allow.push(route.method);
      continue;
    }
    const pathParams: Record<string, string> = {};
    route.params.forEach((name, index) => (pathParams[name] = decodePathParam(name, match[index + 1]!)));
    return { route, pathParams };
  }
  return allow.length ? { allow } : null;
}

/** A REST call: the procedure behind the route, its input from the JSON body, the query string and the path. */
export async function serveRest(deps: AppDeps, exchange: Exchange, info: RequestInfo): Promise<void> {
  const { req, res, method, url } = exchange;
  const match = matchRoute(method, url.pathname);
  if (!match) throw new AppError('NOT_FOUND', {}, `No route ${method} ${url.pathname}.`);
  if ('allow' in match) return sendError(res, new AppError('METHOD_NOT_ALLOWED'), { allow: match.allow.join(', ') });
  const text = await readBody(req, deps.config.maxBodyBytes);
  const body = parseJsonObject(text, info.headers['content-type']);
  const query = url.search ? Object.fromEntries(url.searchParams) : undefined;
  const input = body ?? query;
  const merged = input || match.route.params.length > 0 ? { ...input, ...match.pathParams } : undefined;
  const context = createContext(deps, info);
  const outcome = await callProcedure(match.route.procedurePath, match.route.procedureType, context, async () => merged);
  const headers: ResponseHeaders = {};
  if (context.res.cookies.length) headers['set-cookie'] = context.res.cookies;
  if (outcome.ok) return sendJson(res, match.route.successStatus, outcome.data, headers);
  if (outcome.error.status >= 500) {
    // A 500 is a fault: its cause, for the operator (a 503 is the database away, logged by the driver's error name only).
    const cause = outcome.fault.cause instanceof Error ? outcome.fault.cause : outcome.fault;
    deps.log.error('route failed', { requestId: info.requestId, path: url.pathname, error: outcome.error.status === 500 ? cause.stack : cause.name });
  }
  sendError(res, outcome.error, headers);
}
