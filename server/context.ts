import type { AppDeps } from './deps.ts';
import type { TenantContext } from './tenants/model.ts';

/** What the HTTP layer knows about a request before any procedure runs. */
export interface RequestInfo {
  requestId: string;
  ip: string;
  userAgent: string | null;
  /** Lower-cased header names. */
  headers: Record<string, string | undefined>;
  cookies: Record<string, string>;
  /** Whether the client reached us over TLS (or a trusted proxy says so). */
  secure: boolean;
  /** Hostname without port, to decide cookie flags. */
  hostname: string;
  tenant: TenantContext;
}

/** The context every procedure gets: dependencies, the tenant environment and the request. */
export interface Context {
  deps: AppDeps;
  req: RequestInfo;
  /** `Set-Cookie` values and other headers the procedure wants on its response. */
  res: { cookies: string[]; headers: Record<string, string> };
}

export function createContext(deps: AppDeps, req: RequestInfo): Context {
  return { deps, req, res: { cookies: [], headers: {} } };
}
