/**
 * What a developer has to fix when a page sets an element up wrongly, worked out only after a
 * call has failed. Loaded on demand (`diagnosis()` in `api-element.ts`), so no page downloads it
 * before something went wrong. Each finding becomes a `CONFIG_*` error: the element shows the
 * user a neutral sentence and tells the developer the finding's message on the console.
 *
 * This module imports nothing at run time (only types): a module it shared with the element's
 * bundle would be split by the bundler into a third file that every page downloads up front.
 */
import type { ClientErrorCode } from '../../server/contract/errors.ts';
import type { AlderoClient, AlderoClientOptions } from '../client/index.ts';

export interface Finding {
  code: Extract<ClientErrorCode, `CONFIG_${string}`>;
  message: string;
}

const SANDBOX = '-sandbox';

/** `acme` or `acme-sandbox`: the environment a client talks to, as the API names it. */
function environmentOf({ options }: AlderoClient, otherOne = false): string {
  return options.tenantSlug + (options.sandbox !== otherOne ? SANDBOX : '');
}

function sandboxMismatch(api: AlderoClient, what: string): Finding {
  const fix = api.options.sandbox ? 'remove' : 'add';
  return { code: 'CONFIG_SANDBOX_MISMATCH', message: `The ${what} is ${environmentOf(api, true)}'s, not ${environmentOf(api)}'s: ${fix} the sandbox attribute.` };
}

/**
 * A call that found no server: when the public `GET /v1/tenant` (readable from any origin, no
 * cookies) answers, the server is up and it is CORS that refused this page's origin.
 */
export async function originRefused(api: AlderoClient): Promise<Finding | undefined> {
  // With an API base the host does not name the tenant: the header does, as the SDK sends it.
  const answered = await (api.options.fetch ?? fetch)(`${api.baseUrl}/v1/tenant`, {
    headers: api.options.apiBase === undefined ? {} : { 'x-aldero-tenant': environmentOf(api) },
    credentials: 'omit',
  }).then((response) => response.ok, () => false);
  if (!answered) return undefined;
  return {
    code: 'CONFIG_ORIGIN_NOT_ALLOWED',
    message: `${environmentOf(api)} refuses this page's origin: add ${location.origin} to the tenant's allowedOrigins (PATCH /v1/admin/tenant).`,
  };
}

/** An `mfa-token` this environment does not know and the other one does: the `sandbox` attribute is wrong. */
export async function tokenOfOtherEnvironment(api: AlderoClient, mfaToken: string): Promise<Finding | undefined> {
  // The same class as `api`, without importing it.
  const Client = api.constructor as new (options: AlderoClientOptions) => AlderoClient;
  const other = new Client({ ...api.options, sandbox: !api.options.sandbox });
  const known = await other.auth.mfa.status({ mfaToken }).then(() => true, () => false);
  return known ? sandboxMismatch(api, 'mfa-token') : undefined;
}

/** A refused access token issued by the other environment (its `iss` names `acme-sandbox`): the `sandbox` attribute is wrong. */
export function accessTokenOfOtherEnvironment(api: AlderoClient, token: string): Finding | undefined {
  let issuer: string | undefined;
  try {
    const payload = JSON.parse(atob(token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))) as { iss?: string };
    issuer = payload.iss && new URL(payload.iss).hostname.split('.')[0];
  } catch {
    return undefined;
  }
  return issuer === environmentOf(api, true) ? sandboxMismatch(api, 'access token') : undefined;
}
