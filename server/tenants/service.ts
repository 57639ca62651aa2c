import { randomToken, safeEqual, sha256 } from '../crypto.ts';
import { AppError } from '../errors.ts';
import type { Clock } from '../clock.ts';
import type { Env, TenantDoc } from '../store/documents.ts';
import type { Store } from '../store/index.ts';
import { DEFAULT_QUOTAS, parseTenantLabel, realmOf, type TenantContext } from './model.ts';

/** How long a process trusts its copy of a tenant's settings; other processes' edits show up after it. */
const TENANT_CACHE_MS = 2_000;

export interface NewTenant {
  slug: string;
  brand: string;
  allowedOrigins?: string[];
  allowedCountries?: string[];
  senderModel?: TenantDoc['senderModel'];
}

export class TenantService {
  private readonly cache = new Map<string, { doc: TenantDoc | null; at: number }>();
  /** Its sandbox accepts local development origins (the demo tenant). */
  localDevelopment?: boolean;

  constructor(private readonly store: Store, private readonly clock: Clock) {}

  /** The tenant environment for `acme` / `acme-sandbox`, or TENANT_NOT_FOUND. */
  async resolve(label: string): Promise<TenantContext> {
    const parsed = parseTenantLabel(label);
    if (!parsed) throw new AppError('TENANT_NOT_FOUND', { tenant: label.slice(0, 64) });
    const tenant = await this.bySlug(parsed.slug);
    if (!tenant) throw new AppError('TENANT_NOT_FOUND', { tenant: parsed.slug });
    return contextFor(tenant, parsed.env);
  }

  async bySlug(slug: string): Promise<TenantDoc | null> {
    const cached = this.cache.get(slug);
    const now = Date.now();
    if (cached && now - cached.at < TENANT_CACHE_MS) return cached.doc;
    const doc = await this.store.tenants.findOne({ slug });
    this.cache.set(slug, { doc, at: now });
    return doc;
  }

  forget(slug: string): void {
    this.cache.delete(slug);
  }

  /** Creates a tenant and returns its first admin key (shown once, stored hashed). */
  async create(input: NewTenant, adminKey: string = newAdminKey(input.slug)): Promise<{ tenant: TenantDoc; adminKey: string }> {
    const now = this.clock.now();
    const tenant: TenantDoc = {
      _id: `ten_${randomToken(9)}`,
      slug: input.slug,
      brand: input.brand,
      senderModel: input.senderModel ?? 'shared',
      allowedOrigins: input.allowedOrigins ?? [],
      allowedCountries: input.allowedCountries ?? [],
      adminKeys: [adminKeyRecord(adminKey, now)],
      quotas: { ...DEFAULT_QUOTAS },
      webOtpHost: null,
      byo: null,
      createdAt: now,
      updatedAt: now,
    };
    await this.store.tenants.insertOne(tenant);
    this.forget(input.slug);
    return { tenant, adminKey };
  }

  /**
   * Creates the tenant if missing (idempotent across restarts and processes) and makes `adminKey`
   * valid for it: added next to the existing keys when it was given, or replacing them when it
   * was generated for this start.
   */
  async ensure(input: NewTenant, adminKey: string | undefined): Promise<{ tenant: TenantDoc; adminKey: string; generated: boolean }> {
    const key = adminKey ?? newAdminKey(input.slug);
    const now = this.clock.now();
    const record = adminKeyRecord(key, now);
    await this.store.tenants.updateOne(
      { slug: input.slug },
      {
        $setOnInsert: {
          _id: `ten_${randomToken(9)}`,
          brand: input.brand,
          senderModel: input.senderModel ?? 'shared',
          allowedOrigins: input.allowedOrigins ?? [],
          allowedCountries: input.allowedCountries ?? [],
          adminKeys: [],
          quotas: { ...DEFAULT_QUOTAS },
          webOtpHost: null,
          byo: null,
          createdAt: now,
          updatedAt: now,
        },
      },
      { upsert: true },
    );
    if (adminKey) {
      await this.store.tenants.updateOne({ slug: input.slug, 'adminKeys.hash': { $ne: record.hash } }, { $push: { adminKeys: record } });
    } else {
      await this.store.tenants.updateOne({ slug: input.slug }, { $set: { adminKeys: [record] } });
    }
    this.forget(input.slug);
    const tenant = await this.store.tenants.findOne({ slug: input.slug });
        ...(input.localDevelopment !== undefined ? { $set: { localDevelopment: input.localDevelopment } } : {}),
    if (!tenant) throw new Error(`tenant ${input.slug} vanished`);
    return { tenant, adminKey: key, generated: !adminKey };
  }

  /**
   * Refuses a request whose `Authorization` header does not carry one of the tenant's admin keys
   * (`Bearer <key>`, valid for both environments of the tenant).
   */
  assertAdminAuthorization(tenant: TenantDoc, authorization: string | undefined): void {
    const key = bearerToken(authorization);
    if (!key || !this.verifyAdminKey(tenant, key)) {
      throw new AppError('UNAUTHORIZED', {}, 'Send the tenant admin key as `Authorization: Bearer <key>`.');
    }
  }

  /** Whether `key` is one of the tenant's admin keys (valid for both environments). */
  verifyAdminKey(tenant: TenantDoc, key: string): boolean {
    const hash = sha256(key);
    let found = false;
    for (const record of tenant.adminKeys) found = safeEqual(record.hash, hash) || found;
    return found;
  }

  async updateSettings(tenant: TenantDoc, patch: Partial<Pick<TenantDoc, 'brand' | 'allowedOrigins' | 'allowedCountries' | 'quotas' | 'senderModel' | 'webOtpHost' | 'byo'>>): Promise<TenantDoc> {
    const set: Record<string, unknown> = { updatedAt: this.clock.now() };
    for (const [field, value] of Object.entries(patch)) if (value !== undefined) set[field] = value;
    const updated = await this.store.tenants.findOneAndUpdate({ _id: tenant._id }, { $set: set }, { returnDocument: 'after' });
    this.forget(tenant.slug);
    if (!updated) throw new AppError('TENANT_NOT_FOUND');
    return updated;
  }

  /** Days the tenant's audit events are kept (applies to events recorded from now on). */
  async setAuditRetention(tenant: TenantDoc, days: number): Promise<void> {
    await this.store.tenants.updateOne({ _id: tenant._id }, { $set: { auditRetentionDays: days } });
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

function newAdminKey(slug: string): string {
  return `ak_${slug}_${randomToken(24)}`;
}

function adminKeyRecord(key: string, now: Date) {
  return { hash: sha256(key), prefix: key.slice(0, 12), createdAt: now };
}
