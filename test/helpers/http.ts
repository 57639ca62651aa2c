/**
 * Plain HTTP calls against a running server, as a tenant's app or curl would make them. Every
 * answer of `call` is checked against the OpenAPI document (status, headers, body): an
 * undocumented one fails the test that got it. `nodeRequest` is the raw call over node:http for
 * what fetch cannot send (a `Host` header).
 */
import { request, type IncomingHttpHeaders } from 'node:http';
import { assertMatchesOpenApi } from './openapi-validator.ts';

export interface CallOptions {
  body?: unknown;
  /** Raw body text (to send malformed JSON). */
  raw?: string;
  token?: string;
  /** `acme` or `acme-sandbox` (sent as X-Aldero-Tenant); default `acme-sandbox`. */
  tenant?: string | null;
  headers?: Record<string, string>;
  cookie?: string;
  /** The client address as a trusting proxy would report it (X-Forwarded-For). */
  forwardedFor?: string;
}

export interface CallResult<T = Record<string, any>> {
  status: number;
  body: T;
  headers: Headers;
  /** `Set-Cookie` values. */
  cookies: string[];
}

export async function call<T = Record<string, any>>(baseUrl: string, method: string, path: string, options: CallOptions = {}): Promise<CallResult<T>> {
  const headers = headersFor(options);
  let body: string | undefined;
  if (options.raw !== undefined) body = options.raw;
  else if (options.body !== undefined) body = JSON.stringify(options.body);
  if (body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
  const response = await fetch(baseUrl + path, { method, headers, body });
  const parsed = parsedBody(await response.text());
  await assertMatchesOpenApi({ method, path, status: response.status, headers: response.headers, body: parsed });
  return { status: response.status, body: parsed as T, headers: response.headers, cookies: response.headers.getSetCookie() };
}

/** The request headers `options` stand for, over `options.headers`. */
export function headersFor(options: Omit<CallOptions, 'body' | 'raw'>): Record<string, string> {
  const headers: Record<string, string> = { ...options.headers };
  const tenant = options.tenant === undefined ? 'acme-sandbox' : options.tenant;
  if (tenant) headers['x-aldero-tenant'] = tenant;
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.cookie) headers.cookie = options.cookie;
  if (options.forwardedFor) headers['x-forwarded-for'] = options.forwardedFor;
  return headers;
}

export interface NodeAnswer<T = Record<string, any>> {
  status: number;
  body: T;
  headers: IncomingHttpHeaders;
  /** `Set-Cookie` values. */
  cookies: string[];
}

/**
 * One request over node:http on a connection of its own, with exactly these headers (`Host`
 * included, which fetch will not send) and `text` as the body (its content-length set). Not
 * checked against the OpenAPI document: the callers decide.
 */
export function nodeRequest<T = Record<string, any>>(baseUrl: string, method: string, path: string, headers: Record<string, string>, text?: string): Promise<NodeAnswer<T>> {
  const url = new URL(baseUrl);
  if (text !== undefined) headers = { ...headers, 'content-length': String(Buffer.byteLength(text)) };
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path, method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const setCookie = res.headers['set-cookie'];
        resolve({
          status: res.statusCode ?? 0,
          body: parsedBody(Buffer.concat(chunks).toString('utf8')) as T,
          headers: res.headers,
          cookies: Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [],
        });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(text);
  });
}

/** An answer's body: its JSON, null when empty, or the text itself when it is not JSON. */
function parsedBody(text: string): unknown {
  try {
    return text ? JSON.parse(text) : null;
  } catch {
    return text;
  }
}

/** A unique fictional US number (555-01xx style exchange) so per-phone limits never collide between tests. */
export function uniquePhone(): string {
  return `+1555${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
}

export function uniqueEmail(prefix = 'user'): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}@example.com`;
}

/** The newest code texted to `phone` in the sandbox inbox (read as the tenant admin would). */
export async function latestCode(baseUrl: string, adminKey: string, phone: string, tenant = 'acme-sandbox'): Promise<string> {
  const inbox = await call<{ messages: { body: string }[] }>(baseUrl, 'GET', `/v1/sandbox/messages?phone=${encodeURIComponent(phone)}`, { token: adminKey, tenant });
  if (inbox.status !== 200) throw new Error(`inbox answered ${inbox.status}: ${JSON.stringify(inbox.body)}`);
  const match = /verification code is (\d{6})/.exec(inbox.body.messages[0]?.body ?? '');
  if (!match) throw new Error(`no code in the inbox of ${phone}`);
  return match[1]!;
}

/** A six-digit code that is not `code`. */
export function wrongCodeFor(code: string, offset = 1): string {
  return String((Number(code) + offset) % 1e6).padStart(6, '0');
}

/** Where the sign-up and enrollment calls come from, behind a trusting proxy. */
export type Via = Pick<CallOptions, 'forwardedFor'>;

/** Signs up a user and returns its tokens. */
export async function signUp(baseUrl: string, tenant = 'acme-sandbox', email = uniqueEmail(), password = 'correct horse battery', via: Via = {}) {
  const result = await call<{ accessToken: string; refreshToken: string }>(baseUrl, 'POST', '/v1/auth/signup', { body: { email, password }, tenant, ...via });
  if (result.status !== 201) throw new Error(`signup answered ${result.status}: ${JSON.stringify(result.body)}`);
  return { email, password, ...result.body };
}

/** A user with SMS enrolled (through the guide's two calls); returns its phone and recovery codes. */
export async function enrolledUser(baseUrl: string, adminKey: string, tenant = 'acme-sandbox', via: Via = {}) {
  const user = await signUp(baseUrl, tenant, undefined, undefined, via);
  const phone = uniquePhone();
  const setup = await call(baseUrl, 'POST', '/v1/auth/mfa/sms/setup', { body: { phone }, token: user.accessToken, tenant, ...via });
  if (setup.status !== 200) throw new Error(`setup answered ${setup.status}: ${JSON.stringify(setup.body)}`);
  const code = await latestCode(baseUrl, adminKey, phone, tenant);
  const confirm = await call<{ recoveryCodes: string[] }>(baseUrl, 'POST', '/v1/auth/mfa/sms/confirm', { body: { code }, token: user.accessToken, tenant, ...via });
  if (confirm.status !== 200) throw new Error(`confirm answered ${confirm.status}: ${JSON.stringify(confirm.body)}`);
  return { ...user, phone, recoveryCodes: confirm.body.recoveryCodes };
}
