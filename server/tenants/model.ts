import type { Env, Realm, SendQuotas, TenantDoc } from '../store/documents.ts';

/** The tenant environment a request is served for. */
export interface TenantContext {
  tenant: TenantDoc;
  env: Env;
  realm: Realm;
  /** `acme` or `acme-sandbox`: what `X-Aldero-Tenant` carries. */
  label: string;
}

export const DEFAULT_QUOTAS: SendQuotas = {
  phonePerHour: 10,
  phonePerDay: 20,
  userPerHour: 10,
  ipPerHour: 30,
  tenantPerDay: 10_000,
  minIntervalSeconds: 0,
};

export function realmOf(tenantId: string, env: Env): Realm {
  return `${tenantId}/${env}`;
}

/** A slug of any tenant (1–40 characters; new ones are held to the platform's stricter rules). */
const SLUG = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;

/** Splits `acme` / `acme-sandbox` into slug and environment. */
export function parseTenantLabel(label: string): { slug: string; env: Env } | null {
  const lower = label.toLowerCase();
  const sandbox = lower.endsWith('-sandbox');
  const slug = sandbox ? lower.slice(0, -'-sandbox'.length) : lower;
  if (!SLUG.test(slug)) return null;
  return { slug, env: sandbox ? 'sandbox' : 'live' };
}

/**
 * The tenant label from the request: the `X-Aldero-Tenant` header when present, otherwise the
 * first label of a `Host` under the configured domain (`acme-sandbox.localhost:3000`).
 */
export function tenantLabelFromRequest(host: string | undefined, header: string | undefined, domain: string): string | null {
  if (header) return header.trim();
  if (!host) return null;
  const hostname = host.replace(/:\d+$/, '').toLowerCase();
  const suffix = `.${domain.toLowerCase()}`;
  if (!hostname.endsWith(suffix)) return null;
  const label = hostname.slice(0, -suffix.length);
  return label.includes('.') || label === '' ? null : label;
}

/** Whether the request is for the apex host (`{domain}` itself, no tenant label, no `X-Aldero-Tenant`): the platform's. */
export function isApexRequest(host: string | undefined, header: string | undefined, domain: string): boolean {
  if (header || !host) return false;
  return host.replace(/:\d+$/, '').toLowerCase() === domain.toLowerCase();
}

/**
 * The issuer of a tenant environment's tokens, also where its JWKS is published:
 * `https://acme.example.com`, or `http://acme-sandbox.localhost:3000` on a local domain. With a
 * public URL configured (`ALDERO_PUBLIC_URL`, the address clients use behind a load balancer)
 * the issuer follows it, so every process behind it issues and accepts the same tokens
 * whatever port it listens on.
 */
export function issuerFor(config: { domain: string; port: number; publicUrl?: string | undefined }, label: string): string {
  if (config.publicUrl) {
    const url = new URL(config.publicUrl);
    return `${url.protocol}//${label}.${url.host}`;
  }
  const { domain, port } = config;
  const local = domain === 'localhost' || domain.endsWith('.localhost') || domain.startsWith('127.');
  return local ? `http://${label}.${domain}:${port}` : `https://${label}.${domain}`;
}
