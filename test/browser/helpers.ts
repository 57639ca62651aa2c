/**
 * What the browser tests share: the real API (same origin, through the test runner's proxy), a
 * fresh user and phone per test, and the sandbox inbox where the codes land.
 */
import { expect } from '@open-wc/testing';
import { AlderoClient, AlderoError } from '../../components/client/index.ts';

export const TENANT = 'acme';
/** Every call of the tests and of the elements goes to the sandbox through the page's origin. */
export const API_BASE = '';

interface TestConfig {
  available: boolean;
  tenant?: string;
  adminKey?: string;
  /** The API's own address (`http://127.0.0.1:{port}`): another site than the test page's `localhost`. */
  url?: string;
  error?: string;
}

let config: Promise<TestConfig> | undefined;

async function testConfig(): Promise<Required<TestConfig>> {
  config ??= fetch('/__aldero/test-config').then((response) => response.json() as Promise<TestConfig>);
  const info = await config;
  if (!info.available || !info.adminKey || !info.url) throw new Error(info.error ?? 'The Aldero API is not available.');
  return info as Required<TestConfig>;
}

/** The server's admin key (for the sandbox inbox); fails the test, saying why, when there is no server. */
export async function adminKey(): Promise<string> {
  return (await testConfig()).adminKey;
}

/** The API's own address, not through the test page's origin: `http://127.0.0.1:{port}`. */
export async function apiUrl(): Promise<string> {
  return (await testConfig()).url;
}

/**
 * The `domain` under which the API serves its tenants directly: `localhost:{port}`, so
 * `acme-sandbox.localhost:{port}` (Chromium resolves `*.localhost` to this machine). Another
 * origin and another site than the test page's `http://localhost:{port}`, as `acme.aldero.io` is
 * for a tenant's own domain. (Not `api-base` with the API's 127.0.0.1 address: a CORS preflight
 * carries no `X-Aldero-Tenant`, so only a tenant host can answer it.)
 */
export async function tenantDomain(): Promise<string> {
  return `localhost:${new URL(await apiUrl()).port}`;
}

export function newClient(accessToken?: string): AlderoClient {
  return new AlderoClient({ tenantSlug: TENANT, sandbox: true, apiBase: API_BASE, accessToken });
}

const random = (digits: number) =>
  String(crypto.getRandomValues(new Uint32Array(1))[0] % 10 ** digits).padStart(digits, '0');

/** A fictional US number of its own for each test (the limits are per phone). */
export function uniquePhone(): string {
  return `+155501${random(5)}`;
}

export function uniqueEmail(): string {
  return `user-${Date.now()}-${random(6)}@example.test`;
}

export const PASSWORD = 'correct horse battery staple';

/** A new user with a password, signed in: a client that holds their access token. */
export async function signUp(): Promise<{ client: AlderoClient; email: string; accessToken: string }> {
  await adminKey();
  const client = newClient();
  const email = uniqueEmail();
  const { accessToken } = await client.auth.signup({ email, password: PASSWORD });
  return { client, email, accessToken };
}

export interface SandboxMessage {
  id: string;
  to: string;
  body: string;
  createdAt: string;
  status: string;
}

/**
 * Runs `run` with this page's origin also allowed by the tenant's live environment (its
 * `allowedOrigins`, which only the sandbox's local-development rule lets this page call
 * otherwise), then puts the list back. Set through the sandbox, which accepts this page.
 */
export async function withLiveOrigin(run: () => Promise<void>): Promise<void> {
  const headers = { authorization: `Bearer ${await adminKey()}`, 'x-aldero-tenant': 'acme-sandbox', 'content-type': 'application/json' };
  const settings = async (allowedOrigins?: string[]) => {
    const response = await fetch('/v1/admin/tenant', { method: allowedOrigins ? 'PATCH' : 'GET', headers, body: allowedOrigins && JSON.stringify({ allowedOrigins }) });
    expect(response.status, `${allowedOrigins ? 'PATCH' : 'GET'} /v1/admin/tenant`).to.equal(200);
    return ((await response.json()) as { allowedOrigins: string[] }).allowedOrigins;
  };
  const before = await settings();
  await settings([...before, location.origin]);
  try {
    await run();
  } finally {
    await settings(before);
  }
}

/** A real US mobile-format number of its own for each live test (the live environment refuses fictional 555-01xx ones). */
export function liveHandset(): string {
  return `+1202555${random(4)}`;
}

/**
 * The Telnyx emulator behind the live environment (api-server.ts): `invalid` (Telnyx answers 40310
 * for sends to `to`), `block` (40300, as after a STOP the server never heard of), `deliver` (the
 * newest message to `to` ends with `status`: its receipts are posted to the server).
 */
export async function telnyx(command: 'invalid' | 'block' | 'deliver', body: { to: string; status?: string }): Promise<unknown> {
  const response = await fetch(`/__aldero/telnyx/${command}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`telnyx ${command}: ${response.status} ${await response.text()}`);
  return response.json();
}

/** The messages the Telnyx emulator accepted for `to`, newest first. */
export async function telnyxMessages(to: string): Promise<{ id: string; to: string; text: string; status: string }[]> {
  const response = await fetch(`/__aldero/telnyx/messages?to=${encodeURIComponent(to)}`);
  if (!response.ok) throw new Error(`telnyx messages: ${response.status} ${await response.text()}`);
  return response.json();
}

/** The code in the newest SMS the Telnyx emulator accepted for `phone` (waits for it). */
export async function codeAtTelnyx(phone: string): Promise<string> {
  const message = await waitFor(async () => (await telnyxMessages(phone))[0], `an SMS to ${phone} at Telnyx`);
  const code = /code is (\d{6})/.exec(message.text)?.[1];
  if (!code) throw new Error(`no code in ${JSON.stringify(message.text)}`);
  return code;
}

/** A client of the live environment (the page's origin must be allowed there: `withLiveOrigin`). */
export function liveClient(): AlderoClient {
  return new AlderoClient({ tenantSlug: TENANT, apiBase: API_BASE });
}

/** The sandbox inbox of a phone, newest first. */
export async function inbox(phone: string): Promise<SandboxMessage[]> {
  const response = await fetch(`/v1/sandbox/messages?phone=${encodeURIComponent(phone)}`, {
    headers: { authorization: `Bearer ${await adminKey()}`, 'x-aldero-tenant': `${TENANT}-sandbox` },
  });
  if (!response.ok) throw new Error(`sandbox inbox: ${response.status} ${await response.text()}`);
  return ((await response.json()) as { messages: SandboxMessage[] }).messages;
}

/** Waits until `check` returns something other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(check: () => T | Promise<T>, what: string, timeoutMs = 10_000): Promise<Exclude<T, false | undefined | null>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false && value !== null) return value as Exclude<T, false | undefined | null>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The code of the newest SMS to `phone` (waits for it; `count` = how many messages must be there). */
export async function latestCode(phone: string, count = 1): Promise<string> {
  const messages = await waitFor(async () => {
    const list = await inbox(phone);
    return list.length >= count ? list : undefined;
  }, `${count} SMS to ${phone}`);
  const match = /verification code is (\d{6})/.exec(messages[0].body);
  if (!match) throw new Error(`no code in ${JSON.stringify(messages[0].body)}`);
  return match[1];
}

/** A signed-up user with SMS enrolled on a new phone, through the SDK and the sandbox inbox. */
export async function enrolledUser(): Promise<{ email: string; phone: string; recoveryCodes: string[] }> {
  const { client, email } = await signUp();
  const phone = uniquePhone();
  await client.auth.mfa.sms.setup({ phone });
  const { recoveryCodes } = await client.auth.mfa.sms.confirm({ code: await latestCode(phone) });
  return { email, phone, recoveryCodes };
}

/** Logs in with the password and returns the login challenge (`mfa_required`); on the sandbox unless another `client` is given. */
export async function loginChallenge(email: string, client = newClient()): Promise<{ mfaToken: string; availableMethods: string[] }> {
  try {
    await client.auth.login({ email, password: PASSWORD });
  } catch (error) {
    if (error instanceof AlderoError && error.code === 'mfa_required' && typeof error.context.mfa_token === 'string') {
      return { mfaToken: error.context.mfa_token, availableMethods: error.context.available_methods ?? [] };
    }
    throw error;
  }
  throw new Error('the login did not ask for MFA');
}

/** The element's shadow root, for queries. */
export function shadow(element: HTMLElement): ShadowRoot {
  if (!element.shadowRoot) throw new Error(`${element.localName} has no shadow root`);
  return element.shadowRoot;
}

export function part<T extends Element = HTMLElement>(element: HTMLElement, selector: string): T {
  const found = shadow(element).querySelector<T>(selector);
  if (!found) throw new Error(`${element.localName}: nothing matches ${selector}`);
  return found;
}

/** Types into a native input the way a user does: sets its value and fires `input`. */
export function type(input: HTMLInputElement, value: string): void {
  input.value = value;
  input.dispatchEvent(new InputEvent('input', { bubbles: true, composed: true, inputType: 'insertText', data: value }));
}

/** Collects every `name` event fired from (or through) `target` while the test runs. */
export function record<K extends keyof GlobalEventHandlersEventMap>(target: EventTarget, name: K): GlobalEventHandlersEventMap[K][] {
  const events: GlobalEventHandlersEventMap[K][] = [];
  target.addEventListener(name, (event) => events.push(event as GlobalEventHandlersEventMap[K]));
  return events;
}
