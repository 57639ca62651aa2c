/**
 * Helpers of the security suites over test/helpers/http.ts: `api` (node:http, so that `Host` can
 * be set; answers checked against the OpenAPI document like `call`'s), client addresses, accounts
 * signed up and enrolled from a chosen address, challenges, cookies and token claims.
 */
import { assertMatchesOpenApi } from '../helpers/openapi-validator.ts';
import { call, enrolledUser, headersFor, nodeRequest, signUp, uniqueEmail, type CallOptions, type NodeAnswer } from '../helpers/http.ts';

/** As `call`'s options; a string body is sent as it is. */
export type ApiOptions = Omit<CallOptions, 'raw'>;

/** One HTTP call through node:http, so that `Host` can be set like any header. */
export async function api<T = Record<string, any>>(baseUrl: string, method: string, path: string, options: ApiOptions = {}): Promise<NodeAnswer<T>> {
  const headers = headersFor(options);
  const text = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
  if (text !== undefined) headers['content-type'] ??= 'application/json';
  const answer = await nodeRequest<T>(baseUrl, method, path, headers, text);
  await assertMatchesOpenApi({ method, path, status: answer.status, headers: answer.headers, body: answer.body });
  return answer;
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

export interface AccountOptions {
  tenant?: string;
  /** The address the sign-up (and enrollment) comes from, behind a trusting proxy. */
  forwardedFor?: string;
}

export function createAccount(baseUrl: string, options: AccountOptions = {}): Promise<Account> {
  return signUp(baseUrl, options.tenant, uniqueEmail('sec'), undefined, { forwardedFor: options.forwardedFor });
}

export interface EnrolledAccount extends Account {
  phone: string;
  recoveryCodes: string[];
  userId: string;
}

/** An account with SMS enrolled through setup and confirm. */
export async function createEnrolledAccount(baseUrl: string, adminKey: string, options: AccountOptions = {}): Promise<EnrolledAccount> {
  const user = await enrolledUser(baseUrl, adminKey, options.tenant, { forwardedFor: options.forwardedFor });
  const me = await call(baseUrl, 'GET', '/v1/auth/me', { token: user.accessToken, tenant: options.tenant });
  return { ...user, userId: me.body.id };
}

/** Logs in with the password; returns the mfa_token of the challenge it opens. */
export async function openChallenge(baseUrl: string, account: Account, options: AccountOptions = {}): Promise<string> {
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
