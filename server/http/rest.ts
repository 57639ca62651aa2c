import { callTRPCProcedure, type AnyProcedure } from '@trpc/server';
import type { Context } from '../context.ts';
import { AppError } from '../errors.ts';
import type { Meta } from '../trpc.ts';
import { toAppError } from '../trpc.ts';
import { appRouter } from '../router.ts';

interface Route {
  method: string;
  pattern: RegExp;
  params: string[];
  procedurePath: string;
  procedureType: 'query' | 'mutation';
  successStatus: number;
}

/**
 * The guide's REST routes, read from each procedure's `openapi` meta: the same procedures as
 * tRPC, so every rule has one implementation. Only the envelope differs: REST answers with the
 * guide's bodies and statuses (`{ "error": CODE, "message", ...context }`).
 */
function buildRoutes(): Route[] {
  const routes: Route[] = [];
  const procedures = appRouter._def.procedures as unknown as Record<string, AnyProcedure>;
  for (const [procedurePath, procedure] of Object.entries(procedures)) {
    const meta = procedure._def.meta as Meta | undefined;
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
      procedureType: procedure._def.type === 'query' ? 'query' : 'mutation',
      successStatus: meta.successStatus ?? 200,
    });
  }
  return routes;
}

const routes = buildRoutes();

export interface RestMatch {
  route: Route;
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

/** The route for a method and path; METHOD_NOT_ALLOWED when the path exists under another method. */
export function matchRoute(method: string, path: string): RestMatch | null {
  let pathExists = false;
  for (const route of routes) {
    const match = route.pattern.exec(path);
    if (!match) continue;
    pathExists = true;
    if (route.method !== method) continue;
    const pathParams: Record<string, string> = {};
    route.params.forEach((name, index) => (pathParams[name] = decodePathParam(name, match[index + 1]!)));
    return { route, pathParams };
  }
  if (pathExists) throw new AppError('METHOD_NOT_ALLOWED');
  return null;
}

export interface RestResult {
  status: number;
  body: unknown;
  headers: Record<string, string>;
}

/** Calls the procedure behind a REST route and shapes its answer. */
export async function callRoute(ctx: Context, match: RestMatch, input: Record<string, unknown> | undefined): Promise<RestResult> {
  const merged = input || match.route.params.length > 0 ? { ...input, ...match.pathParams } : undefined;
  try {
    // The procedure by its path, as a server-side caller would call it, without building a
    // caller proxy for every request.
    const body = await callTRPCProcedure({
      router: appRouter,
      path: match.route.procedurePath,
      getRawInput: async () => merged,
      ctx,
      type: match.route.procedureType,
      signal: undefined,
      batchIndex: 0,
    });
    return { status: match.route.successStatus, body, headers: {} };
  } catch (error) {
    return errorResult(toAppError(error));
  }
}

export function errorResult(error: AppError): RestResult {
  const headers: Record<string, string> = {};
  if (error.retryAfterSeconds !== undefined) headers['retry-after'] = String(error.retryAfterSeconds);
  return { status: error.status, body: error.toBody(), headers };
}

export function restRoutes(): readonly Route[] {
  return routes;
}
