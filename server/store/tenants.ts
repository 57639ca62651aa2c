import type { FindCursor, WithId } from 'mongodb';
import type { Env, NotificationWebhookSettings, TenantDoc } from './documents.ts';
import { Repository } from './repository.ts';
import type { TypedFilter } from './typed.ts';

/** The fields a settings update may set (`updatedAt` always among them). */
export type TenantSet = Partial<Omit<TenantDoc, '_id' | 'slug' | 'createdAt'>>;

/**
 * `tenants`: one document per tenant (both its environments). Looked up by slug (unique) or id;
 * the platform's lifecycle (suspend, resume, delete) is conditional where a race matters.
 */
export class TenantRepository extends Repository<TenantDoc> {
  findBySlug(slug: string): Promise<TenantDoc | null> {
    return this.collection.findOne({ slug });
  }

  /** The tenant's audit retention only (the rest of the document is not read). */
  findAuditRetention(id: string): Promise<Pick<TenantDoc, 'auditRetentionDays'> | null> {
    return this.collection.findOne({ _id: id }, { projection: { auditRetentionDays: 1 } });
  }

  /** Inserts the tenant; a taken slug throws the driver's 11000. */
  async insert(tenant: TenantDoc): Promise<void> {
    await this.collection.insertOne(tenant);
  }

  /**
   * Creates the tenant of `slug` with `fields` unless it exists (an upsert: idempotent across
   * restarts and processes); `localDevelopment`, when given, is set either way.
   */
  async ensureBySlug(slug: string, fields: Omit<TenantDoc, 'slug'>, localDevelopment: boolean | undefined): Promise<void> {
    await this.collection.updateOne(
      { slug },
      {
        $setOnInsert: fields,
        ...(localDevelopment !== undefined ? { $set: { localDevelopment } } : {}),
      },
      { upsert: true },
    );
  }

  /** Sets `set` on the tenant; the document after, or null when it is gone. */
  updateSettings(id: string, set: TenantSet): Promise<TenantDoc | null> {
    return this.collection.findOneAndUpdate({ _id: id }, { $set: set }, { returnDocument: 'after' });
  }

  /** Sets `set` unless the tenant's deletion started; the document after, or null. */
  updateServed(id: string, set: TenantSet): Promise<TenantDoc | null> {
    return this.collection.findOneAndUpdate({ _id: id, deletingAt: null }, { $set: set }, { returnDocument: 'after' });
  }

  /** Marks the tenant suspended unless it is already; the document after, or null when it was. */
  suspend(id: string, now: Date): Promise<TenantDoc | null> {
    return this.collection.findOneAndUpdate({ _id: id, suspendedAt: null }, { $set: { suspendedAt: now, updatedAt: now } }, { returnDocument: 'after' });
  }

  resume(id: string, now: Date): Promise<TenantDoc | null> {
    return this.collection.findOneAndUpdate({ _id: id }, { $set: { suspendedAt: null, updatedAt: now } }, { returnDocument: 'after' });
  }

  /** Marks the tenant's deletion started; the document after, or null when it is gone. */
  markDeleting(id: string, now: Date): Promise<TenantDoc | null> {
    return this.collection.findOneAndUpdate({ _id: id }, { $set: { deletingAt: now } }, { returnDocument: 'after' });
  }

  /** Tenants by slug, after `cursor` (a slug) when given, at most `limit`. */
  listBySlug(cursor: string | null | undefined, limit: number): Promise<WithId<TenantDoc>[]> {
    const filter: TypedFilter<TenantDoc> = cursor ? { slug: { $gt: cursor } } : {};
    return this.collection.find(filter).sort({ slug: 1 }).limit(limit).toArray();
  }

  async setAuditRetention(id: string, days: number): Promise<void> {
    await this.collection.updateOne({ _id: id }, { $set: { auditRetentionDays: days } });
  }

  /** Sets the notification webhook of the tenant's environment `env`. */
  async setNotificationWebhook(id: string, env: Env, settings: NotificationWebhookSettings): Promise<void> {
    await this.collection.updateOne({ _id: id }, { $set: webhookField(env, settings) });
  }

  /** Removes the notification webhook of the tenant's environment `env`. */
  async clearNotificationWebhook(id: string, env: Env): Promise<void> {
    await this.collection.updateOne({ _id: id }, { $unset: webhookField(env, '' as const) });
  }

  /** Tenants still holding admin keys in the legacy `adminKeys` array. */
  withLegacyAdminKeys(): FindCursor<WithId<TenantDoc>> {
    // An array index is not among the document's declared paths: the one cast of this repository.
    return this.collection.find({ 'adminKeys.0': { $exists: true } } as TypedFilter<TenantDoc>);
  }

  async clearLegacyAdminKeys(id: string): Promise<void> {
    await this.collection.updateOne({ _id: id }, { $set: { adminKeys: [] } });
  }
}

/** `{ 'notificationWebhooks.<env>': value }`, typed by the path. */
function webhookField<V>(env: Env, value: V): { 'notificationWebhooks.live'?: V; 'notificationWebhooks.sandbox'?: V } {
  return { [`notificationWebhooks.${env}`]: value };
}
