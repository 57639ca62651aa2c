import { randomToken } from '../crypto.ts';
import { AppError } from '../errors.ts';
import type { Clock } from '../clock.ts';
import type { Env, TenantDoc } from '../store/documents.ts';
import { repositoriesOf, type Store } from '../store/index.ts';
import type { TenantSet } from '../store/tenants.ts';
import { AdminKeys, type AdminAccess, type AdminKeyDoc } from './keys.ts';
import { DEFAULT_QUOTAS, parseTenantLabel, realmOf, type TenantContext } from './model.ts';

/** How long a process trusts its copy of a tenant's settings; other processes' edits show up after it. */
export const TENANT_CACHE_MS = 2_000;

/** The label of the admin key `npm start` makes when ALDERO_ADMIN_KEY is unset (replaced at each start). */
const GENERATED_KEY_LABEL = 'npm start';

export interface NewTenant {
  slug: string;
  brand: string;
  allowedOrigins?: string[];
  allowedCountries?: string[];
  senderModel?: TenantDoc['senderModel'];
  /** Its sandbox accepts local development origins (the demo tenant). */
  localDevelopment?: boolean;
}

export class TenantService {
  private readonly cache = new Map<string, { doc: TenantDoc | null; at: number }>();

  /** The tenants' admin keys (several per tenant, scoped, checked against the database on every use). */
  readonly keys: AdminKeys;

  constructor(private readonly store: Store, private readonly clock: Clock) {
    this.keys = new AdminKeys(store, () => clock.now());
  }

  /**
   * The tenant environment for `acme` / `acme-sandbox`: TENANT_NOT_FOUND (also while its deletion
   * runs), or 403 TENANT_SUSPENDED while the operator has it suspended.
   */
  async resolve(label: string): Promise<TenantContext> {
    const parsed = parseTenantLabel(label);
    if (!parsed) throw new AppError('TENANT_NOT_FOUND', { tenant: label.slice(0, 64) });
    const tenant = await this.bySlug(parsed.slug);
    if (!tenant || tenant.deletingAt) throw new AppError('TENANT_NOT_FOUND', { tenant: parsed.slug });
    if (tenant.suspendedAt) throw new AppError('TENANT_SUSPENDED');
    return contextFor(tenant, parsed.env);
  }

  async bySlug(slug: string): Promise<TenantDoc | null> {
    const cached = this.cache.get(slug);
    const now = Date.now();
    if (cached && now - cached.at < TENANT_CACHE_MS) return cached.doc;
    const doc = await repositoriesOf(this.store).tenants.findBySlug(slug);
    this.cache.set(slug, { doc, at: now });
    return doc;
  }

  forget(slug: string): void {
    this.cache.delete(slug);
  }

  /** Creates a tenant and returns its first admin key (shown once, stored hashed). */
  async create(input: NewTenant, adminKey?: string): Promise<{ tenant: TenantDoc; adminKey: string }> {
    const tenant = newTenantDoc(input, this.clock.now());
    await repositoriesOf(this.store).tenants.insert(tenant);
    this.forget(input.slug);
    const { secret } = await this.keys.issue(tenant._id, { scope: 'all', label: 'first key', ...(adminKey ? { secret: adminKey } : {}) });
    return { tenant, adminKey: secret };
  }

  /**
   * Creates the tenant if missing (idempotent across restarts and processes) and makes `adminKey`
   * valid for it: added next to the existing keys when it was given, or replacing them when it
   * was generated for this start.
   */
  async ensure(input: NewTenant, adminKey: string | undefined): Promise<{ tenant: TenantDoc; adminKey: string; generated: boolean }> {
    // The slug comes from the filter when the upsert inserts.
    const { slug: _slug, ...fields } = newTenantDoc(input, this.clock.now());
    await repositoriesOf(this.store).tenants.ensureBySlug(input.slug, fields, input.localDevelopment);
    this.forget(input.slug);
    const tenant = await repositoriesOf(this.store).tenants.findBySlug(input.slug);
    if (!tenant) throw new Error(`tenant ${input.slug} vanished`);
    let key = adminKey;
    if (key) {
      await this.keys.ensure(tenant._id, key, { scope: 'all', label: 'ALDERO_ADMIN_KEY' });
    } else {
      const issued = await this.keys.issue(tenant._id, { scope: 'all', label: GENERATED_KEY_LABEL });
      await this.keys.revokeLabelled(tenant._id, GENERATED_KEY_LABEL, issued.key._id);
      key = issued.secret;
    }
    return { tenant, adminKey: key, generated: !adminKey };
  }

  /**
   * The admin key of a request (`Authorization: Bearer <key>`) for this tenant environment:
   * 401 UNAUTHORIZED when it is missing, unknown, revoked or another tenant's; 403 FORBIDDEN when
   * its scope does not cover this environment or this access (`inbox`: reading the sandbox inbox).
   */
  async authorizeAdmin(tenant: TenantContext, authorization: string | undefined, access: AdminAccess = 'admin'): Promise<AdminKeyDoc> {
    const key = bearerToken(authorization);
    const check = key ? await this.keys.check(tenant.tenant, tenant.env, key, access) : null;
    if (!check || (!check.ok && check.status === 'unauthorized')) {
      throw new AppError('UNAUTHORIZED', {}, 'Send the tenant admin key as `Authorization: Bearer <key>`.');
    }
    if (!check.ok) {
      throw new AppError('FORBIDDEN', { scope: check.scope }, `This admin key's scope (${check.scope}) does not allow this here.`);
    }
    return check.key;
  }

  async updateSettings(tenant: TenantDoc, patch: Partial<Pick<TenantDoc, 'brand' | 'allowedOrigins' | 'allowedCountries' | 'quotas' | 'senderModel' | 'webOtpHost' | 'byo'>>): Promise<TenantDoc> {
    const set: Record<string, unknown> = { updatedAt: this.clock.now() };
    for (const [field, value] of Object.entries(patch)) if (value !== undefined) set[field] = value;
    const updated = await repositoriesOf(this.store).tenants.updateSettings(tenant._id, set as TenantSet);
    this.forget(tenant.slug);
    if (!updated) throw new AppError('TENANT_NOT_FOUND');
    return updated;
  }

  /** Days the tenant's audit events are kept (applies to events recorded from now on). */
  async setAuditRetention(tenant: TenantDoc, days: number): Promise<void> {
    await repositoriesOf(this.store).tenants.setAuditRetention(tenant._id, days);
    this.forget(tenant.slug);
  }
}

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  return match ? match[1]! : null;
}

function contextFor(tenant: TenantDoc, env: Env): TenantContext {
  return { tenant, env, realm: realmOf(tenant._id, env), label: env === 'sandbox' ? `${tenant.slug}-sandbox` : tenant.slug };
}

/** A new tenant's document: the shared sender, the default quotas, no BYO sender yet. */
function newTenantDoc(input: NewTenant, now: Date): TenantDoc {
  return {
    _id: `ten_${randomToken(9)}`,
    slug: input.slug,
    brand: input.brand,
    senderModel: input.senderModel ?? 'shared',
    allowedOrigins: input.allowedOrigins ?? [],
    allowedCountries: input.allowedCountries ?? [],
    quotas: { ...DEFAULT_QUOTAS },
    webOtpHost: null,
    byo: null,
    createdAt: now,
    updatedAt: now,
  };
}
