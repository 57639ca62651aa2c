/**
 * The demo app's state: where the API is, the signed-in session, the login in progress, and the
 * simulated phone. What a tenant's own front end would keep, and where:
 *
 * - Session tokens: `sessionStorage` (this tab only, gone when it closes), so a reload keeps you
 *   signed in. A production app would rather keep the refresh token in an HttpOnly cookie of its
 *   own backend; the demo has no backend of its own.
 * - The `mfa_token` of a login in progress: memory only.
 * - Recovery codes: never stored anywhere; the components show them once.
 */
import { AlderoClient, AlderoError, errorFromRestBody, isAlderoError, type Me, type MfaMethod, type Tokens } from '../../components/index.ts';

export interface DemoConfig {
  /** The tenant's slug (`acme`). */
  tenant: string;
  /** The tenant's brand, as its users know it (`Acme`); the SMS and the disclosure say it. */
  brand: string;
  sandbox: boolean;
  /**
   * The demo tenant's admin key, from `GET /demo-config.json` (served by the local server to this
   * machine only). The demo uses it for two things a tenant's backend would do server-side: the
   * sandbox inbox of the phone simulator and the fake IdP. Never do this in a real page.
   */
  adminKey: string | null;
}

export interface Session {
  accessToken: string;
  refreshToken: string;
  /** Epoch milliseconds. */
  expiresAt: number;
}

/** The claims of an access token the demo shows (informational: the API verifies tokens, not the page). */
export interface SessionClaims {
  amr: string[];
  authTime: number | null;
  mfaTime: number | null;
}

export interface PendingLogin {
  mfaToken: string;
  methods: MfaMethod[];
  email: string;
}

export interface SandboxMessage {
  id: string;
  to: string;
  from: string;
  body: string;
  createdAt: string;
  status: string;
}

const SESSION_KEY = 'aldero-demo:session';
const PHONE_KEY = 'aldero-demo:phone';
const IDP_KEY = 'aldero-demo:idp-directory';
/** Refresh the access token this long before it expires. */
const REFRESH_MARGIN_MS = 60_000;

/** A number from the fictional 555-01xx range, so each browser gets its own simulated phone. */
function randomFictionalNumber(): string {
  const areaCodes = ['206', '212', '303', '312', '415', '503', '512', '617', '646', '720'];
  const area = areaCodes[Math.floor(Math.random() * areaCodes.length)];
  const line = String(Math.floor(Math.random() * 100)).padStart(2, '0');
  return `+1${area}55501${line}`;
}

function decodeClaims(token: string): SessionClaims {
  try {
    const payload = token.split('.')[1] ?? '';
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const claims = JSON.parse(json) as { amr?: string[]; auth_time?: number; mfa_time?: number };
    return { amr: claims.amr ?? [], authTime: claims.auth_time ?? null, mfaTime: claims.mfa_time || null };
  } catch {
    return { amr: [], authTime: null, mfaTime: null };
  }
}

function readJson<T>(storage: Storage, key: string): T | null {
  try {
    const text = storage.getItem(key);
    return text ? (JSON.parse(text) as T) : null;
  } catch {
    return null;
  }
}

export class DemoStore {
  config: DemoConfig = { tenant: 'acme', brand: 'Acme', sandbox: true, adminKey: null };
  client!: AlderoClient;
  session: Session | null = null;
  me: Me | null = null;
  pendingLogin: PendingLogin | null = null;
  /** A one-time notice for the next page ("You are signed out."). */
  flash: string | null = null;
  /** Where to go once signed in (the page that asked for a sign-in, or the MFA settings after sign-up). */
  returnTo: string | null = null;
  /** The simulated phone's number (E.164). */
  phone: string;

  private readonly listeners = new Set<() => void>();
  private refreshTimer: ReturnType<typeof setTimeout> | undefined;
  private refreshing: Promise<boolean> | null = null;

  constructor() {
    this.phone = localStorage.getItem(PHONE_KEY) ?? randomFictionalNumber();
    localStorage.setItem(PHONE_KEY, this.phone);
  }

  /** Loads the demo configuration and restores the session of this tab. */
  async init(): Promise<void> {
    try {
      const response = await fetch('/demo-config.json', { headers: { accept: 'application/json' } });
      if (response.ok) this.config = { ...this.config, ...((await response.json()) as Partial<DemoConfig>) };
    } catch {
      // No demo configuration (a static host): the demo still signs in; the phone asks for a key.
    }
    this.client = new AlderoClient({ tenantSlug: this.config.tenant, sandbox: this.config.sandbox, apiBase: location.origin });
    const stored = readJson<Session>(sessionStorage, SESSION_KEY);
    if (stored) {
      this.setSession(stored);
      if (stored.expiresAt - Date.now() < REFRESH_MARGIN_MS) await this.refresh();
      if (this.session) await this.loadMe().catch(() => this.clearSession());
    }
    this.notify();
  }

  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  notify(): void {
    for (const listener of this.listeners) listener();
  }

  get signedIn(): boolean {
    return this.session !== null;
  }

  get claims(): SessionClaims | null {
    return this.session ? decodeClaims(this.session.accessToken) : null;
  }

  takeFlash(): string | null {
    const flash = this.flash;
    this.flash = null;
    return flash;
  }

  setPhone(phone: string): void {
    if (phone === this.phone) return;
    this.phone = phone;
    localStorage.setItem(PHONE_KEY, phone);
    this.notify();
  }

  async signUp(email: string, password: string): Promise<void> {
    await this.startSession(await this.client.auth.signup({ email, password }));
  }

  /** Signs in; `mfa` when the account has a factor and this device is not trusted. */
  async logIn(email: string, password: string): Promise<'signed-in' | 'mfa'> {
    try {
      const tokens = await this.client.auth.login({ email, password });
      if (decodeClaims(tokens.accessToken).amr.includes('device')) {
        this.flash = 'Signed in without a code: this browser is a trusted device.';
      }
      await this.startSession(tokens);
      return 'signed-in';
    } catch (error) {
      if (isAlderoError(error) && error.code === 'mfa_required' && error.context.mfa_token) {
        this.pendingLogin = {
          mfaToken: error.context.mfa_token,
          methods: error.context.available_methods ?? ['sms'],
          email,
        };
        this.notify();
        return 'mfa';
      }
      throw error;
    }
  }

  /** The challenge element verified the code: the session it returned. */
  async completeMfa(tokens: Tokens): Promise<void> {
    this.pendingLogin = null;
    await this.startSession(tokens);
  }

  /**
   * The fake identity provider of the demo: what a tenant's backend does after its own IdP login
   * (`POST /v1/admin/users` once, then `POST /v1/admin/sessions`), asked of the local server's
   * `/demo-idp/*`, which plays that back end and keeps the admin key out of the browser.
   */
  async continueWithIdp(email: string): Promise<void> {
    const directory = readJson<Record<string, string>>(localStorage, IDP_KEY) ?? {};
    const key = `${this.config.tenant}:${email.toLowerCase()}`;
    let userId: string | undefined = directory[key];
    let tokens: Tokens | null = null;
    if (userId) {
      tokens = await this.idp<Tokens>('sessions', { userId }).catch((error: unknown) => {
        // The server keeps its data in memory by default: a restart forgets the user.
        if (isAlderoError(error) && error.code === 'NOT_FOUND') return null;
        throw error;
      });
    }
    if (!tokens) {
      const user = await this.idp<{ id: string }>('users', { email, oauthProvider: 'demo-idp' });
      userId = user.id;
      directory[key] = userId;
      localStorage.setItem(IDP_KEY, JSON.stringify(directory));
      tokens = await this.idp<Tokens>('sessions', { userId });
    }
    await this.startSession(tokens);
  }

  async logOut(notice = 'You are signed out.'): Promise<void> {
    const refreshToken = this.session?.refreshToken;
    if (refreshToken) await this.client.auth.logout({ refreshToken }).catch(() => undefined);
    this.clearSession();
    this.flash = notice;
    this.notify();
    // Signing out on purpose is not "sign in to continue here" (the guard just remembered the page).
    this.returnTo = null;
  }

  /** After a sign-in: where to go (the route guard usually went there already). */
  takeReturnTo(fallback: string): string {
    const target = this.returnTo ?? fallback;
    this.returnTo = null;
    return target;
  }

  async loadMe(): Promise<Me> {
    const me = await this.authed((client) => client.auth.me());
    this.me = me;
    if (me.phone && me.phoneVerified) this.setPhone(me.phone);
    this.notify();
    return me;
  }

  /** Runs a call for the signed-in user; an expired access token is refreshed once and the call retried. */
  async authed<T>(call: (client: AlderoClient) => Promise<T>): Promise<T> {
    try {
      return await call(this.client);
    } catch (error) {
      if (!(isAlderoError(error) && error.code === 'UNAUTHORIZED' && this.session)) throw error;
      if (!(await this.refresh())) {
        this.flash = 'Your session has ended. Sign in again.';
        this.notify();
        throw error;
      }
      return call(this.client);
    }
  }

  /** A call to the demo's identity provider (`/demo-idp/*` of the local server: the tenant's back end). */
  private async idp<T>(resource: 'users' | 'sessions', body: unknown): Promise<T> {
    const response = await fetch(`/demo-idp/${resource}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const json = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    if (!response.ok) throw errorFromRestBody(json, response.status);
    return json as T;
  }

  /** A call to the tenant admin API with the demo's inbox key (the phone simulator only). */
  async admin<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    if (!this.config.adminKey) {
      throw new AlderoError('FORBIDDEN', 'The demo key is missing: open the demo from the machine that runs `npm start`.', 403);
    }
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.config.adminKey}`,
      'x-aldero-tenant': `${this.config.tenant}${this.config.sandbox ? '-sandbox' : ''}`,
    };
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const json = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    if (!response.ok) throw errorFromRestBody(json, response.status);
    return json as T;
  }

  /** The sandbox inbox of the simulated phone, newest first. */
  async inbox(phone: string): Promise<SandboxMessage[]> {
    const { messages } = await this.admin<{ messages: SandboxMessage[] }>('GET', `/v1/sandbox/messages?phone=${encodeURIComponent(phone)}`);
    return messages;
  }

  /** Lets the phone simulator work where /demo-config.json is not served (paste the printed key). */
  setAdminKey(adminKey: string): void {
    this.config = { ...this.config, adminKey: adminKey.trim() || null };
    this.notify();
  }

  private async startSession(tokens: Tokens): Promise<void> {
    this.setSession({ accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, expiresAt: Date.now() + tokens.expiresIn * 1000 });
    this.pendingLogin = null;
    await this.loadMe();
  }

  private setSession(session: Session): void {
    this.session = session;
    sessionStorage.setItem(SESSION_KEY, JSON.stringify(session));
    this.client.setAccessToken(session.accessToken);
    clearTimeout(this.refreshTimer);
    const delay = Math.max(5_000, session.expiresAt - Date.now() - REFRESH_MARGIN_MS);
    this.refreshTimer = setTimeout(() => void this.refresh().then(() => this.notify()), delay);
  }

  private clearSession(): void {
    clearTimeout(this.refreshTimer);
    this.session = null;
    this.me = null;
    sessionStorage.removeItem(SESSION_KEY);
    this.client.setAccessToken(null);
  }

  /** Rotates the refresh token (one at a time: a reused refresh token would revoke the family). */
  private refresh(): Promise<boolean> {
    if (this.refreshing) return this.refreshing;
    const refreshToken = this.session?.refreshToken;
    if (!refreshToken) return Promise.resolve(false);
    this.refreshing = this.client.auth
      .refresh({ refreshToken })
      .then((tokens) => {
        this.setSession({ accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, expiresAt: Date.now() + tokens.expiresIn * 1000 });
        return true;
      })
      .catch(() => {
        this.clearSession();
        return false;
      })
      .finally(() => {
        this.refreshing = null;
      });
    return this.refreshing;
  }
}

export const store = new DemoStore();
