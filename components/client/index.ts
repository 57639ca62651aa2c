import type { MfaMethod, ProcedureKinds, ProcedurePaths, QueryPath, RouterInputs as In, RouterOutputs as Out } from './api.ts';
import { AlderoError, errorFromTrpcBody } from './errors.ts';

export type * from './api.ts';
export { AlderoError, errorFromRestBody, isAlderoError } from './errors.ts';
export type { AlderoErrorContext, AppErrorCode, ClientErrorCode, DeliveryReason, RateLimitReason } from './errors.ts';

export interface AlderoClientOptions {
  /** The tenant's slug, e.g. `acme`. */
  tenantSlug: string;
  /** Where tenants live: `aldero.io` → `https://acme.aldero.io`; `localhost:3000` → `http://acme.localhost:3000`. */
  domain?: string;
  /** Use the tenant's sandbox environment (`acme-sandbox`): codes land in the sandbox inbox. */
  sandbox?: boolean;
  /**
   * A fixed base URL (a reverse proxy, a custom domain, the page's own origin: `''`) instead of
   * the tenant subdomain; the tenant then travels in the `X-Aldero-Tenant` header.
   */
  apiBase?: string;
  /** The signed-in user's access token, for the calls that act for them. */
  accessToken?: string | null;
  /**
   * The tenant's admin key, for a back end's calls (`admin.*`, `sandbox.messages`). Never put it in
   * a browser: it acts for the whole tenant.
   */
  adminKey?: string;
  /** Defaults to the global `fetch` (browsers, Node 20). */
  fetch?: typeof fetch;
}

type Call<I, O> = [I] extends [void] ? () => Promise<O> : (input: I) => Promise<O>;

/** The SDK surface: the guide's calls, typed by the server's procedures. */
export interface AlderoAuthApi {
  signup: Call<In['auth']['signup'], Out['auth']['signup']>;
  /** Throws `AlderoError` `mfa_required` with `context.mfa_token` and `context.available_methods` when MFA is due. */
  login: Call<In['auth']['login'], Out['auth']['login']>;
  refresh: Call<In['auth']['refresh'], Out['auth']['refresh']>;
  logout: (input?: In['auth']['logout']) => Promise<Out['auth']['logout']>;
  me: Call<In['auth']['me'], Out['auth']['me']>;
  /** With the current password; ends the user's other sessions and trusted devices. */
  changePassword: Call<In['auth']['changePassword'], Out['auth']['changePassword']>;
  mfa: {
    sms: {
      setup: Call<In['auth']['mfa']['sms']['setup'], Out['auth']['mfa']['sms']['setup']>;
      confirm: Call<In['auth']['mfa']['sms']['confirm'], Out['auth']['mfa']['sms']['confirm']>;
      /** With a TOTP code or a recovery code. */
      disable: Call<In['auth']['mfa']['sms']['disable'], Out['auth']['mfa']['sms']['disable']>;
      /**
       * Where the enrollment in progress stands: the phone, sends and attempts left, and its SMS's
       * delivery (a failure learnt after the setup answered shows here with its reason).
       */
      status: () => Promise<Out['auth']['mfa']['sms']['status']>;
    };
    /** Sends (again) the login code by SMS. */
    challenge: Call<{ mfaToken: string; channel: 'sms' }, Out['auth']['mfa']['challenge']>;
    /** Where the login challenge stands: masked phone, sends and attempts left, delivery. */
    status: Call<{ mfaToken: string }, Out['auth']['mfa']['status']>;
    verify: Call<
      { mfaToken: string; method: MfaMethod; code: string; trustDevice?: boolean },
      Out['auth']['mfa']['verify']
    >;
    totp: {
      setup: () => Promise<Out['auth']['mfa']['totp']['setup']>;
      confirm: Call<In['auth']['mfa']['totp']['confirm'], Out['auth']['mfa']['totp']['confirm']>;
      disable: Call<In['auth']['mfa']['totp']['disable'], Out['auth']['mfa']['totp']['disable']>;
    };
    recoveryCodes: {
      /** Needs a session that completed MFA in the last 10 minutes. */
      regenerate: () => Promise<Out['auth']['mfa']['recoveryCodes']['regenerate']>;
    };
  };
  devices: {
    list: Call<In['auth']['devices']['list'], Out['auth']['devices']['list']>;
    revoke: Call<In['auth']['devices']['revoke'], Out['auth']['devices']['revoke']>;
  };
}

/** A back end's calls, one per procedure, typed by the router (`admin.tenant.get()`, ...). */
type Calls<I, O, Kinds> = {
  [K in keyof Kinds]: Kinds[K] extends string
    ? Call<I[K & keyof I], O[K & keyof O]>
    : Calls<I[K & keyof I], O[K & keyof O], Kinds[K]>;
};

/** The tenant's administration, with the admin key: users, sessions, audit, consents, settings. */
export type AlderoAdminApi = Calls<In['admin'], Out['admin'], ProcedureKinds['admin']>;
/** The sandbox environment's inbox (`sandbox.messages({ phone })`), with the admin key. */
export type AlderoSandboxApi = Calls<In['sandbox'], Out['sandbox'], ProcedureKinds['sandbox']>;
/** The tenant's public face (`tenant.get()`: brand, environment, methods, the disclosure), no credential. */
export type AlderoTenantApi = Calls<In['tenant'], Out['tenant'], ProcedureKinds['tenant']>;

/**
 * The parts of the router the SDK calls: a tenant's users, its back end and its public face. The
 * operator's `platform.*` (apex host, platform key) is the `aldero` CLI's, not a tenant's.
 */
type SdkNamespace = 'auth' | 'admin' | 'sandbox' | 'tenant';

/** The procedures that are tRPC queries (GET); every other one is a mutation (POST). */
const QUERY_PATHS = [
  'auth.me',
  'auth.devices.list',
  'admin.audit.list',
  'admin.consents.list',
  'admin.tenant.get',
  'sandbox.messages',
  'tenant.get',
] as const satisfies readonly QueryPath[];
const QUERIES: ReadonlySet<string> = new Set(QUERY_PATHS);
// The compiler checks the list against the router: a query added to the server without it here fails the build.
type MissingQueries = Exclude<Extract<QueryPath, `${SdkNamespace}.${string}`>, (typeof QUERY_PATHS)[number]>;
const everyQueryListed: [MissingQueries] extends [never] ? true : MissingQueries = true;
void everyQueryListed;

/** The dotted paths of an API's calls (`auth.mfa.sms.setup`). */
type CallPaths<Api, Prefix extends string> = {
  [K in keyof Api & string]: Api[K] extends (...args: never[]) => unknown ? `${Prefix}${K}` : CallPaths<Api[K], `${Prefix}${K}.`>;
}[keyof Api & string];
// And `AlderoAuthApi` against the router: an `auth.*` procedure added to the server without its call here fails the build.
type MissingAuthCalls = Exclude<ProcedurePaths<ProcedureKinds['auth'], string, 'auth.'>, CallPaths<AlderoAuthApi, 'auth.'>>;
const everyAuthCallListed: [MissingAuthCalls] extends [never] ? true : MissingAuthCalls = true;
void everyAuthCallListed;

/** The guide's camelCase calls whose procedure takes the OAuth-style snake_case body. */
const GUIDE_INPUTS: Record<string, (input: { mfaToken: string } & Record<string, unknown>) => unknown> = {
  'auth.mfa.challenge': ({ mfaToken, channel }) => ({ mfa_token: mfaToken, challenge_type: 'oob', oob_channel: channel }),
  'auth.mfa.status': ({ mfaToken }) => ({ mfa_token: mfaToken }),
  'auth.mfa.verify': ({ mfaToken, trustDevice, ...rest }) => ({ mfa_token: mfaToken, ...rest, trustDevice: !!trustDevice }),
};

/** Tenant hosts on a `localhost` domain with a port are served over plain http (development). */
const LOCAL_DOMAIN = /^([a-z0-9-]+\.)*localhost:\d+$/i;

/** The calls made with the tenant's admin key rather than a user's access token. */
const ADMIN_PREFIXES = ['admin.', 'sandbox.'];

/** The URL every call goes to, and the tenant header when the host alone does not say it. */
export function resolveEndpoint(options: AlderoClientOptions): { baseUrl: string; tenantHeader?: string } {
  const environment = options.tenantSlug + (options.sandbox ? '-sandbox' : '');
  if (options.apiBase !== undefined) {
    return { baseUrl: options.apiBase.replace(/\/+$/, ''), tenantHeader: environment };
  }
  if (!options.domain) {
    throw new AlderoError('CLIENT_NOT_CONFIGURED', 'AlderoClient needs a domain or an apiBase.', 0);
  }
  const scheme = LOCAL_DOMAIN.test(options.domain) ? 'http' : 'https';
  return { baseUrl: `${scheme}://${environment}.${options.domain}` };
}

/**
 * The Aldero SDK: the guide's calls (`aldero.auth.mfa.sms.setup({ phone })`, ...) over the
 * server's tRPC endpoint (`{base}/trpc`). Every failure is thrown as an `AlderoError`.
 *
 * Calls that return tokens (signup, login, refresh, MFA verify) keep the new access token for
 * the calls that follow; `logout()` forgets it. A back end with the tenant's `adminKey` also has
 * `admin.*` and `sandbox.messages`; anyone `tenant.get()`.
 */
export class AlderoClient {
  readonly options: Readonly<AlderoClientOptions>;
  readonly baseUrl: string;
  readonly auth: AlderoAuthApi;
  readonly admin: AlderoAdminApi;
  readonly sandbox: AlderoSandboxApi;
  readonly tenant: AlderoTenantApi;
  private readonly tenantHeader: string | undefined;
  private accessToken: string | null;

  constructor(options: AlderoClientOptions) {
    this.options = { ...options };
    const { baseUrl, tenantHeader } = resolveEndpoint(options);
    this.baseUrl = baseUrl;
    this.tenantHeader = tenantHeader;
    this.accessToken = options.accessToken ?? null;
    this.auth = this.procedures('auth') as AlderoAuthApi;
    this.admin = this.procedures('admin') as AlderoAdminApi;
    this.sandbox = this.procedures('sandbox') as AlderoSandboxApi;
    this.tenant = this.procedures('tenant') as AlderoTenantApi;
  }

  setAccessToken(token: string | null): void {
    this.accessToken = token;
  }

  getAccessToken(): string | null {
    return this.accessToken;
  }

  /** A client for the same tenant acting for another session (this one stays as it is). */
  withAccessToken(token: string | null): AlderoClient {
    return new AlderoClient({ ...this.options, accessToken: token });
  }

  /** `client.auth.mfa.sms.setup(input)` → the procedure `auth.mfa.sms.setup`, as tRPC's client proxy does. */
  private procedures(path: string): unknown {
    return new Proxy(() => undefined, {
      // Not a thenable: `await client.auth` must not become a call to `auth.then`.
      get: (_, key) => (typeof key === 'string' && key !== 'then' ? this.procedures(`${path}.${key}`) : undefined),
      apply: (_, __, [input]: unknown[]) => this.call(path, input),
    });
  }

  /**
   * One tRPC call over HTTP, exactly as tRPC's `httpLink` makes it (no batching, no transformer):
   * a query is `GET /trpc/{path}?input={json}`, a mutation `POST /trpc/{path}` with a JSON body;
   * the answer is `{ result: { data } }` or `{ error: { message, data: { appCode, context } } }`.
   * Cookies go along (`credentials: 'include'`) so a trusted-device cookie reaches the API.
   */
  private async call(path: string, input: unknown): Promise<unknown> {
    const guideInput = GUIDE_INPUTS[path];
    const body = JSON.stringify(guideInput ? guideInput(input as { mfaToken: string }) : (input ?? {}));
    const headers: Record<string, string> = {};
    const bearer = ADMIN_PREFIXES.some((prefix) => path.startsWith(prefix)) ? this.options.adminKey : this.accessToken;
    if (bearer) headers.authorization = `Bearer ${bearer}`;
    if (this.tenantHeader) headers['x-aldero-tenant'] = this.tenantHeader;
    let url = `${this.baseUrl}/trpc/${path}`;
    const init: RequestInit = { method: 'POST', headers, credentials: 'include', body };
    if (QUERIES.has(path)) {
      init.method = 'GET';
      delete init.body;
      if (input !== undefined) url += `?input=${encodeURIComponent(body)}`;
    } else {
      headers['content-type'] = 'application/json';
    }
    let response: Response;
    try {
      response = await (this.options.fetch ?? fetch)(url, init);
    } catch (cause) {
      throw new AlderoError('NETWORK_ERROR', 'The Aldero API could not be reached.', 0, {}, { cause });
    }
    const json = (await response.json().catch(() => undefined)) as { result?: { data: unknown } } | undefined;
    if (!response.ok || !json?.result) throw errorFromTrpcBody(json, response.status);
    const data = json.result.data as { accessToken?: unknown } | undefined;
    if (typeof data?.accessToken === 'string') this.accessToken = data.accessToken;
    if (path === 'auth.logout') this.accessToken = null;
    return data;
  }
}
