import { MongoServerError } from 'mongodb';
import type { AuditPayloads, AuditSink } from '../audit/sink.ts';
import type { Clock } from '../clock.ts';
import { randomToken } from '../crypto.ts';
import { AppError } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { SendQuotas, TenantDoc } from '../store/documents.ts';
import { repositoriesOf, type IndexSpec, type Store } from '../store/index.ts';
import type { TenantSet } from '../store/tenants.ts';
import { DEFAULT_QUOTAS, realmOf } from '../tenants/model.ts';
import { vetBrand } from './brand.ts';
import { eraseTenantData, totalOf, type ErasureCounts } from './erasure.ts';
import { ADMIN_KEY_INDEXES, type AdminKeys, type AdminKeyDoc, type AdminKeyScope } from '../tenants/keys.ts';
import { TENANT_CACHE_MS, type NewTenant, type TenantService } from '../tenants/service.ts';
import { slugViolation } from './slug.ts';

/**
 * The operator's side of tenants (DESIGN.md §2): create, list, change, suspend, resume and delete
 * tenants, and manage their admin keys. The platform router adapts it to tRPC and REST; the CLI
 * calls that router over HTTP.
 *
 * Tenant documents are cached for a moment by every process (`TenantService`), so a change
 * reaches other processes within `TENANT_CACHE_GRACE_MS`; admin keys are not cached at all (a
 * revoked key is refused at once everywhere). Deleting a tenant first marks it (every process
 * stops serving it once its cache turns over), waits that long, and only then erases: a request
 * that resolved the tenant just before the mark cannot write after the sweep.
 */

/** Longer than the tenant cache of a process (`TENANT_CACHE_MS`) plus a request's duration. */
export const TENANT_CACHE_GRACE_MS = TENANT_CACHE_MS + 500;

/** The fields the platform adds to a tenant document. */
export interface PlatformTenantFields {
  /** Set while the tenant is suspended: its routes answer 403 TENANT_SUSPENDED and no SMS leaves. */
  suspendedAt?: Date | null;
  /** Set when a deletion started: the tenant is no longer served, and its erasure is under way. */
  deletingAt?: Date | null;
}

export type PlatformTenant = TenantDoc & PlatformTenantFields;

export type TenantStatus = 'active' | 'suspended' | 'deleting';

export function statusOf(tenant: PlatformTenant): TenantStatus {
  if (tenant.deletingAt) return 'deleting';
  return tenant.suspendedAt ? 'suspended' : 'active';
}

export interface NewPlatformTenant {
  slug: string;
  brand: string;
  senderModel?: TenantDoc['senderModel'];
  allowedOrigins?: string[];
  allowedCountries?: string[];
  quotas?: Partial<SendQuotas>;
}

export type TenantPatch = Partial<Omit<NewPlatformTenant, 'slug'>>;

export interface TenantPage {
  tenants: PlatformTenant[];
  nextCursor: string | null;
}

export interface TenantErasure {
  slug: string;
  erased: ErasureCounts;
  total: number;
}

export const PLATFORM_INDEXES: IndexSpec[] = [...ADMIN_KEY_INDEXES];

/** The label of the demo's inbox key (`/demo-config.json`), replaced at each start. */
export const DEMO_INBOX_KEY_LABEL = 'npm start: demo inbox';
/** Inbox keys of earlier starts older than this are revoked at a start. */
const DEMO_INBOX_KEY_DAYS = 1;

function isDuplicateKey(error: unknown): boolean {
  return error instanceof MongoServerError && error.code === 11000;
}

function vetSlug(slug: string): void {
  const violation = slugViolation(slug);
  if (violation) {
    throw new AppError('VALIDATION_ERROR', { rule: violation.rule, issues: [{ path: 'slug', rule: violation.rule, message: violation.message }] }, `slug: ${violation.message}`);
  }
}

export interface PlatformServiceDeps {
  store: Store;
  clock: Clock;
  log: Logger;
  /** The tenants of this process: its cache (dropped after each change here) and the admin keys. */
  tenants: TenantService;
  /** The tenants' audit trails: what the platform API did to a tenant is in both of its environments' trails. */
  audit?: AuditSink;
  /** How long to wait between marking a tenant deleted and erasing it (tests of the wait pass it). */
  deletionGraceMs?: number;
}

export class PlatformService {
  readonly keys: AdminKeys;

  constructor(private readonly deps: PlatformServiceDeps) {
    this.keys = deps.tenants.keys;
  }

  private forget(slug: string): void {
    this.deps.tenants.forget(slug);
  }

  private get tenants() {
    return repositoriesOf(this.deps.store).tenants;
  }

  /** A tenant by slug (deleting ones too: a repeated delete finishes an interrupted erasure), or NOT_FOUND. */
  async get(slug: string): Promise<PlatformTenant> {
    const tenant = await this.tenants.findBySlug(slug);
    if (!tenant) throw new AppError('NOT_FOUND', { slug: slug.slice(0, 64) }, `No tenant ${slug.slice(0, 64)}.`);
    return tenant;
  }

  private async getServed(slug: string): Promise<PlatformTenant> {
    const tenant = await this.get(slug);
    if (tenant.deletingAt) throw new AppError('NOT_FOUND', { slug }, `The tenant ${slug} is being deleted.`);
    return tenant;
  }

  /** Creates a tenant and its first admin key (scope `all`), returned once. Slug taken: 409. */
  async create(input: NewPlatformTenant): Promise<{ tenant: PlatformTenant; adminKey: string; key: AdminKeyDoc }> {
    vetSlug(input.slug);
    const now = this.deps.clock.now();
    const tenant: PlatformTenant = {
      _id: `ten_${randomToken(9)}`,
      slug: input.slug,
      brand: vetBrand(input.brand),
      senderModel: input.senderModel ?? 'shared',
      allowedOrigins: input.allowedOrigins ?? [],
      allowedCountries: input.allowedCountries ?? [],
      quotas: { ...DEFAULT_QUOTAS, ...input.quotas },
      webOtpHost: null,
      byo: null,
      suspendedAt: null,
      deletingAt: null,
      createdAt: now,
      updatedAt: now,
    };
    try {
      await this.tenants.insert(tenant);
    } catch (error) {
      if (isDuplicateKey(error)) throw new AppError('TENANT_SLUG_TAKEN', { slug: input.slug });
      throw error;
    }
    this.forget(tenant.slug);
    const { key, secret } = await this.keys.issue(tenant._id, { scope: 'all', label: 'first key' });
    this.deps.log.info('platform: tenant created', { tenant: tenant.slug, tenantId: tenant._id });
    await this.audited(tenant._id, 'platform.tenant_created', { slug: tenant.slug });
    await this.audited(tenant._id, 'platform.admin_key_created', { keyId: key._id, scope: key.scope, label: key.label ?? null });
    return { tenant, adminKey: secret, key };
  }

  /** Tenants by slug, `limit` at a time; `cursor` is the last slug of the previous page. */
  async list(options: { limit?: number; cursor?: string | null } = {}): Promise<TenantPage> {
    const limit = options.limit ?? 50;
    const page = await this.tenants.listBySlug(options.cursor, limit + 1);
    const more = page.length > limit;
    const tenants = more ? page.slice(0, limit) : page;
    return { tenants, nextCursor: more ? tenants[tenants.length - 1]!.slug : null };
  }

  async update(slug: string, patch: TenantPatch): Promise<PlatformTenant> {
    const current = await this.getServed(slug);
    const set: Record<string, unknown> = { updatedAt: this.deps.clock.now() };
    if (patch.brand !== undefined) set.brand = vetBrand(patch.brand);
    if (patch.senderModel !== undefined) set.senderModel = patch.senderModel;
    if (patch.allowedOrigins !== undefined) set.allowedOrigins = patch.allowedOrigins;
    if (patch.allowedCountries !== undefined) set.allowedCountries = patch.allowedCountries;
    if (patch.quotas !== undefined) set.quotas = { ...current.quotas, ...patch.quotas };
    const updated = await this.tenants.updateServed(current._id, set as TenantSet);
    this.forget(slug);
    if (!updated) throw new AppError('NOT_FOUND', { slug }, `No tenant ${slug}.`);
    await this.audited(current._id, 'platform.tenant_updated', { fields: Object.keys(set).filter((field) => field !== 'updatedAt') });
    return updated;
  }

  /** Suspends the tenant: its hosts answer 403 TENANT_SUSPENDED, and queued SMS are not sent. Idempotent. */
  async suspend(slug: string): Promise<PlatformTenant> {
    const current = await this.getServed(slug);
    const now = this.deps.clock.now();
    const updated =
      (await this.tenants.suspend(current._id, now)) ??
      (await this.tenants.findById(current._id));
    this.forget(slug);
    this.deps.log.info('platform: tenant suspended', { tenant: slug });
    await this.audited(current._id, 'platform.tenant_suspended', {});
    return updated ?? current;
  }

  async resume(slug: string): Promise<PlatformTenant> {
    const current = await this.getServed(slug);
    const updated = await this.tenants.resume(current._id, this.deps.clock.now());
    this.forget(slug);
    this.deps.log.info('platform: tenant resumed', { tenant: slug });
    await this.audited(current._id, 'platform.tenant_resumed', {});
    return updated ?? current;
  }

  /**
   * Deletes the tenant and erases every document of both its environments. Marks it first (no
   * process serves it past its cache), waits out the caches, then sweeps every collection.
   */
  async delete(slug: string): Promise<TenantErasure> {
    const current = await this.get(slug);
    const marked = current.deletingAt
      ? current
      : await this.tenants.markDeleting(current._id, this.deps.clock.now());
    this.forget(slug);
    if (!marked) throw new AppError('NOT_FOUND', { slug }, `No tenant ${slug}.`);
    const grace = this.deps.deletionGraceMs ?? TENANT_CACHE_GRACE_MS;
    if (grace > 0) await new Promise((resolve) => setTimeout(resolve, grace));
    const erased = await eraseTenantData(this.deps.store, marked);
    this.forget(slug);
    const total = totalOf(erased);
    this.deps.log.info('platform: tenant deleted', { tenant: slug, tenantId: marked._id, documents: total });
    return { slug, erased, total };
  }

  async createKey(slug: string, options: { scope?: AdminKeyScope; label?: string | null }): Promise<{ key: AdminKeyDoc; secret: string }> {
    const tenant = await this.getServed(slug);
    const issued = await this.keys.issue(tenant._id, options);
    this.deps.log.info('platform: admin key created', { tenant: slug, keyId: issued.key._id, scope: issued.key.scope });
    await this.audited(tenant._id, 'platform.admin_key_created', { keyId: issued.key._id, scope: issued.key.scope, label: issued.key.label ?? null });
    return issued;
  }

  async listKeys(slug: string, options: { includeRevoked?: boolean } = {}): Promise<AdminKeyDoc[]> {
    const tenant = await this.getServed(slug);
    return this.keys.list(tenant._id, options);
  }

  async revokeKey(slug: string, keyId: string): Promise<AdminKeyDoc> {
    const tenant = await this.getServed(slug);
    const revoked = await this.keys.revoke(tenant._id, keyId);
    if (!revoked) throw new AppError('NOT_FOUND', { keyId: keyId.slice(0, 64) }, 'No such active key of this tenant.');
    this.deps.log.info('platform: admin key revoked', { tenant: slug, keyId });
    await this.audited(tenant._id, 'platform.admin_key_revoked', { keyId });
    return revoked;
  }

  /** Records what the platform API did in the tenant's audit trails, live and sandbox (actor `platform`). */
  private async audited<T extends Extract<keyof AuditPayloads, `platform.${string}`>>(
    tenantId: string,
    type: T,
    payload: AuditPayloads[T],
  ): Promise<void> {
    const audit = this.deps.audit;
    if (!audit) return;
    await Promise.all((['live', 'sandbox'] as const).map((env) => audit.recordSystem({ realm: realmOf(tenantId, env), actor: 'platform', userId: null, type, payload })));
  }

  /** Moves admin keys kept in tenant documents (before key documents) to `adminKeys`; run at start-up. */
  migrateLegacyKeys(): Promise<number> {
    return this.keys.migrateLegacy(this.tenants);
  }

  /**
   * The demo tenant of `npm start` (`TenantService.ensure`: idempotent, with the configured or a
   * generated admin key), and a `sandbox-inbox` key for the demo's phone simulator
   * (`/demo-config.json`): it reads the sandbox inbox and nothing else. Inbox keys of starts more
   * than a day ago are revoked.
   */
  async ensureDemoTenant(input: NewTenant, adminKey: string | undefined): Promise<{ tenant: TenantDoc; adminKey: string; generated: boolean; inboxKey: string }> {
    // The demo's sandbox serves pages on this machine (any localhost port) with no set-up.
    const demo = await this.deps.tenants.ensure({ ...input, brand: vetBrand(input.brand), localDevelopment: true }, adminKey);
    const inbox = await this.keys.issue(demo.tenant._id, { scope: 'sandbox-inbox', label: DEMO_INBOX_KEY_LABEL });
    // Other processes on this database serve their own demo configuration: only keys of starts long past go.
    await this.keys.revokeLabelled(demo.tenant._id, DEMO_INBOX_KEY_LABEL, inbox.key._id, new Date(this.deps.clock.now().getTime() - DEMO_INBOX_KEY_DAYS * 86_400_000));
    return { ...demo, inboxKey: inbox.secret };
  }
}
