/**
 * Small helpers of the security suites, kept here so these files do not depend on helpers that
 * are being restructured: raw HTTP calls (a `Host` header, `X-Forwarded-For`, cookies), sign-up
 * and SMS enrollment through the guide's calls, the sandbox inbox.
 */
import { request, type IncomingHttpHeaders } from 'node:http';
import { assertMatchesOpenApi } from '../helpers/openapi-validator.ts';

export interface ApiOptions {
  body?: unknown;
  token?: string;
  /** Sent as X-Aldero-Tenant (default `acme-sandbox`); null sends none (the Host decides). */
  tenant?: string | null;
  headers?: Record<string, string>;
  cookie?: string;
  /** The client address as a trusting proxy would report it (X-Forwarded-For). */
  forwardedFor?: string;
}

export interface ApiResult<T = Record<string, any>> {
  status: number;
  body: T;
  headers: IncomingHttpHeaders;
  cookies: string[];
}

/** One HTTP call through node:http, so that `Host` can be set like any header. */
export function api<T = Record<string, any>>(baseUrl: string, method: string, path: string, options: ApiOptions = {}): Promise<ApiResult<T>> {
  const url = new URL(baseUrl);
  const headers: Record<string, string> = { ...options.headers };
  const tenant = options.tenant === undefined ? 'acme-sandbox' : options.tenant;
  if (tenant) headers['x-aldero-tenant'] = tenant;
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.cookie) headers.cookie = options.cookie;
  if (options.forwardedFor) headers['x-forwarded-for'] = options.forwardedFor;
  const text = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  if (text !== undefined) {
    headers['content-type'] ??= 'application/json';
    headers['content-length'] = String(Buffer.byteLength(text));
  }
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const raw = Buffer.concat(chunks).toString('utf8');
        let body: unknown = raw;
        try {
          body = raw ? JSON.parse(raw) : null;
        } catch {
          // keep the text
        }
        const setCookie = res.headers['set-cookie'];
        const result = { status: res.statusCode ?? 0, body: body as T, headers: res.headers, cookies: Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [] };
        // Every answer as the OpenAPI document says (status, headers, body), as in test/helpers/http.ts.
        assertMatchesOpenApi({ method, path, status: result.status, headers: res.headers, body }).then(() => resolve(result), reject);
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(text);
  });
}

let serial = 0;
export function freshEmail(prefix = 'sec'): string {
  return `${prefix}-${Date.now().toString(36)}-${(serial++).toString(36)}-${Math.random().toString(36).slice(2, 7)}@example.com`;
}

/** A fictional US number (555 exchange) no other test uses. */
export function freshPhone(): string {
  return `+1555${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
}

/** A random address of TEST-NET-3 (RFC 5737), as a distinct client. */
export function freshIp(): string {
  return `203.0.113.${1 + Math.floor(Math.random() * 254)}`;
}

export interface Account {
  email: string;
  password: string;
  accessToken: string;
  refreshToken: string;
}

export async function createAccount(baseUrl: string, options: { tenant?: string; forwardedFor?: string } = {}): Promise<Account> {
  const email = freshEmail();
  const password = 'correct horse battery';
  const result = await api(baseUrl, 'POST', '/v1/auth/signup', { body: { email, password }, tenant: options.tenant, forwardedFor: options.forwardedFor });
  if (result.status !== 201) throw new Error(`signup answered ${result.status}: ${JSON.stringify(result.body)}`);
  return { email, password, accessToken: result.body.accessToken, refreshToken: result.body.refreshToken };
}

/** The newest code texted to `phone`, read from the sandbox inbox with the tenant admin key. */
export async function inboxCode(baseUrl: string, adminKey: string, phone: string, tenant = 'acme-sandbox'): Promise<string> {
  const inbox = await api<{ messages: { body: string }[] }>(baseUrl, 'GET', `/v1/sandbox/messages?phone=${encodeURIComponent(phone)}`, { token: adminKey, tenant });
  if (inbox.status !== 200) throw new Error(`inbox answered ${inbox.status}: ${JSON.stringify(inbox.body)}`);
  const match = /verification code is (\d{6})/.exec(inbox.body.messages[0]?.body ?? '');
  if (!match) throw new Error(`no code in the inbox of ${phone}`);
  return match[1]!;
}

/** A six-digit code that is not `code`. */
export function wrongCodeFor(code: string, offset = 1): string {
  return String((Number(code) + offset) % 1e6).padStart(6, '0');
}

export interface EnrolledAccount extends Account {
  phone: string;
  recoveryCodes: string[];
  userId: string;
}

/** An account with SMS enrolled through setup and confirm. */
export async function createEnrolledAccount(baseUrl: string, adminKey: string, options: { tenant?: string; forwardedFor?: string } = {}): Promise<EnrolledAccount> {
  const account = await createAccount(baseUrl, options);
  const phone = freshPhone();
  const setup = await api(baseUrl, 'POST', '/v1/auth/mfa/sms/setup', { body: { phone }, token: account.accessToken, tenant: options.tenant, forwardedFor: options.forwardedFor });
  if (setup.status !== 200) throw new Error(`setup answered ${setup.status}: ${JSON.stringify(setup.body)}`);
  const code = await inboxCode(baseUrl, adminKey, phone, options.tenant);
  const confirm = await api(baseUrl, 'POST', '/v1/auth/mfa/sms/confirm', { body: { code }, token: account.accessToken, tenant: options.tenant, forwardedFor: options.forwardedFor });
  if (confirm.status !== 200) throw new Error(`confirm answered ${confirm.status}: ${JSON.stringify(confirm.body)}`);
  const me = await api(baseUrl, 'GET', '/v1/auth/me', { token: account.accessToken, tenant: options.tenant });
  return { ...account, phone, recoveryCodes: confirm.body.recoveryCodes, userId: me.body.id };
}

/** Logs in with the password; returns the mfa_token of the challenge it opens. */
export async function openChallenge(baseUrl: string, account: Account, options: { tenant?: string; forwardedFor?: string } = {}): Promise<string> {
  const login = await api(baseUrl, 'POST', '/v1/auth/login', { body: { email: account.email, password: account.password }, ...options });
  if (login.status !== 403 || login.body.error !== 'mfa_required') throw new Error(`login answered ${login.status}: ${JSON.stringify(login.body)}`);
  return login.body.mfa_token as string;
}

/** The `name=value` of a Set-Cookie for `name`. */
export function cookieOf(cookies: string[], name: string): string {
  const found = cookies.find((cookie) => cookie.startsWith(`${name}=`));
  if (!found) throw new Error(`no ${name} cookie in ${JSON.stringify(cookies)}`);
  return found.split(';')[0]!;
}

/** The payload of an access token (not verified: the server checks signatures, the tests read claims). */
export function claimsOf(accessToken: string): Record<string, any> {
  return JSON.parse(Buffer.from(accessToken.split('.')[1]!, 'base64url').toString('utf8'));
}
