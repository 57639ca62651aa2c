import { typed, type TypedCollection } from '../store/typed.ts';
import { randomToken, safeEqual, sha256 } from '../crypto.ts';
import type { Env, TenantDoc } from '../store/documents.ts';
import type { IndexSpec, Store } from '../store/index.ts';
import type { TenantRepository } from '../store/tenants.ts';

/**
 * Tenant admin keys (`adminKeys`): several per tenant, so a key rotates without downtime (create
 * the new one, deploy it, revoke the old one). A key is `ak_` and 43 random base64url characters
 * (256 bits), shown once when it is made; the database keeps its SHA-256 and the first
 * `KEY_PREFIX_LENGTH` characters (not secret: `ak_` and 5 random characters), to tell keys apart
 * in a list. Keys are looked up in the database on every request (one indexed read), so a revoked
 * key is refused at once by every process.
 *
 * Scopes: `all` (both environments, the default), `live` or `sandbox` (one environment), and
 * `sandbox-inbox`: only reading the sandbox inbox (what the demo's phone simulator gets).
 */

export const ADMIN_KEY_SCOPES = ['all', 'live', 'sandbox', 'sandbox-inbox'] as const;
export type AdminKeyScope = (typeof ADMIN_KEY_SCOPES)[number];
export const KEY_PREFIX_LENGTH = 8;
/** A key's `lastUsedAt` is written at most this often (a write per admin request would cost more than the read). */
const LAST_USED_RESOLUTION_MS = 60_000;

export interface AdminKeyDoc {
  _id: string;
  tenantId: string;
  /** SHA-256 (base64url) of the key. */
  hash: string;
  /** The first characters of the key, for lists; never enough to use it. */
  prefix: string;
  scope: AdminKeyScope;
  /** A note of the operator (`ci`, `rotation 2026-11`); `npm start`'s own keys say so here. */
  label: string | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export const ADMIN_KEY_INDEXES: IndexSpec[] = [
  ['adminKeys', { hash: 1 }, { unique: true }],
  ['adminKeys', { tenantId: 1, createdAt: 1 }],
];

/** What a request may do with the key it sent. */
export type AdminAccess = 'admin' | 'inbox';

export type KeyCheck =
  | { ok: true; key: AdminKeyDoc }
  /** No such key, revoked, or another tenant's: 401. */
  | { ok: false; status: 'unauthorized' }
  /** This tenant's key, but its scope does not cover the request: 403. */
  | { ok: false; status: 'forbidden'; scope: AdminKeyScope };

export function newAdminKeySecret(): string {
  return `ak_${randomToken(32)}`;
}

export function keyPrefixOf(key: string): string {
  return key.slice(0, KEY_PREFIX_LENGTH);
}

/** Whether a key of `scope` may do `access` in environment `env`. */
export function scopeAllows(scope: AdminKeyScope, env: Env, access: AdminAccess): boolean {
  switch (scope) {
    case 'all':
      return true;
    case 'live':
    case 'sandbox':
      return scope === env;
    case 'sandbox-inbox':
      return env === 'sandbox' && access === 'inbox';
  }
}

/** The repository of `adminKeys`: the only code that writes its filters and updates. */
export class AdminKeys {
  private readonly collection: TypedCollection<AdminKeyDoc>;

  constructor(store: Store, private readonly now: () => Date = () => new Date()) {
    this.collection = typed(store.collection<AdminKeyDoc>('adminKeys'));
  }

  /** Makes a key for the tenant; the secret is returned once and never stored. */
  async issue(tenantId: string, options: { scope?: AdminKeyScope; label?: string | null; secret?: string } = {}): Promise<{ key: AdminKeyDoc; secret: string }> {
    const secret = options.secret ?? newAdminKeySecret();
    const key: AdminKeyDoc = {
      _id: `key_${randomToken(12)}`,
      tenantId,
      hash: sha256(secret),
      prefix: keyPrefixOf(secret),
      scope: options.scope ?? 'all',
      label: options.label ?? null,
      createdAt: this.now(),
      lastUsedAt: null,
      revokedAt: null,
    };
    await this.collection.insertOne(key);
    return { key, secret };
  }

  /**
   * Makes `secret` a valid key of the tenant (idempotent: a configured key such as
   * `ALDERO_ADMIN_KEY`, met again at every start and by every process). A revoked one comes back.
   */
  async ensure(tenantId: string, secret: string, options: { scope?: AdminKeyScope; label?: string | null } = {}): Promise<AdminKeyDoc> {
    const hash = sha256(secret);
    const doc = await this.collection.findOneAndUpdate(
      { hash, tenantId },
      {
        $setOnInsert: {
          _id: `key_${randomToken(12)}`,
          prefix: keyPrefixOf(secret),
          scope: options.scope ?? 'all',
          label: options.label ?? null,
          createdAt: this.now(),
          lastUsedAt: null,
        },
        $set: { revokedAt: null },
      },
      { upsert: true, returnDocument: 'after' },
    );
    if (!doc) throw new Error('could not store the admin key');
    return doc;
  }

  /** The tenant's keys, oldest first (revoked ones too: a list says when each ended). */
  list(tenantId: string, options: { includeRevoked?: boolean } = {}): Promise<AdminKeyDoc[]> {
    const filter = options.includeRevoked ? { tenantId } : { tenantId, revokedAt: null };
    return this.collection.find(filter).sort({ createdAt: 1, _id: 1 }).toArray();
  }

  /** Revokes one key of the tenant; false when it has no such live key. */
  async revoke(tenantId: string, keyId: string): Promise<AdminKeyDoc | null> {
    return this.collection.findOneAndUpdate({ _id: keyId, tenantId, revokedAt: null }, { $set: { revokedAt: this.now() } }, { returnDocument: 'after' });
  }

  /** Revokes the tenant's live keys carrying `label` (the keys `npm start` generated at earlier starts), made before `createdBefore` if given. */
  async revokeLabelled(tenantId: string, label: string, except: string | null = null, createdBefore?: Date): Promise<number> {
    const result = await this.collection.updateMany(
      { tenantId, label, revokedAt: null, ...(except ? { _id: { $ne: except } } : {}), ...(createdBefore ? { createdAt: { $lt: createdBefore } } : {}) },
      { $set: { revokedAt: this.now() } },
    );
    return result.modifiedCount;
  }

  /**
   * Checks the key a request sent for the tenant environment it is served for. The lookup is by
   * hash (an index); the tenant is compared in constant time. A key of another tenant is
   * unknown here (401), never "forbidden": nothing tells a caller it is valid elsewhere.
   */
  async check(tenant: Pick<TenantDoc, '_id'>, env: Env, secret: string, access: AdminAccess): Promise<KeyCheck> {
    const key = await this.collection.findOne({ hash: sha256(secret), revokedAt: null });
    if (!key || !safeEqual(key.tenantId, tenant._id)) return { ok: false, status: 'unauthorized' };
    if (!scopeAllows(key.scope, env, access)) return { ok: false, status: 'forbidden', scope: key.scope };
    const now = this.now();
    if (!key.lastUsedAt || now.getTime() - key.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) {
      await this.collection.updateOne({ _id: key._id, revokedAt: null }, { $set: { lastUsedAt: now } });
    }
    return { ok: true, key };
  }

  /** Removes every key of the tenant (erasure). */
  async removeAll(tenantId: string): Promise<number> {
    return (await this.collection.deleteMany({ tenantId })).deletedCount;
  }

  /**
   * Moves keys kept the old way (whole, hashed, in the tenant document's `adminKeys` array) to key
   * documents, once; idempotent and safe to run in every process at start-up.
   */
  async migrateLegacy(tenants: TenantRepository): Promise<number> {
    let moved = 0;
    for await (const tenant of tenants.withLegacyAdminKeys()) {
      for (const record of (tenant.adminKeys ?? []) as { hash: string; prefix: string; createdAt: Date }[]) {
        const result = await this.collection.updateOne(
          { hash: record.hash },
          {
            $setOnInsert: {
              _id: `key_${randomToken(12)}`,
              tenantId: tenant._id,
              prefix: record.prefix.slice(0, KEY_PREFIX_LENGTH),
              scope: 'all',
              label: 'migrated',
              createdAt: record.createdAt,
              lastUsedAt: null,
              revokedAt: null,
            },
          },
          { upsert: true },
        );
        moved += result.upsertedCount;
      }
      await tenants.clearLegacyAdminKeys(tenant._id);
    }
    return moved;
  }
}
