/**
 * The tenant platform (DESIGN.md §2): the operator's API over tenants and their admin keys, on the
 * apex host under `/v1/platform`, authenticated by the platform key; tenant admin keys with
 * scopes; brand and slug rules; erasure of a tenant or a user.
 */
import type { AuditSink } from '../audit/sink.ts';
import type { Clock } from '../clock.ts';
import type { Logger } from '../log.ts';
import type { Store } from '../store/index.ts';
import type { TenantService } from '../tenants/service.ts';
import { PlatformKey } from './platform-key.ts';
import { PLATFORM_INDEXES, PlatformService } from './service.ts';

export { brandInput, brandViolations, vetBrand, type BrandRule } from './brand.ts';
export { eraseTenantData, eraseUser, totalOf, type ErasureCounts } from './erasure.ts';
export { ADMIN_KEY_SCOPES, AdminKeys, scopeAllows, type AdminAccess, type AdminKeyDoc, type AdminKeyScope, type KeyCheck } from '../tenants/keys.ts';
export { PLATFORM_KEY_MIN_LENGTH, PlatformKey } from './platform-key.ts';
export { DEMO_INBOX_KEY_LABEL, PLATFORM_INDEXES, PlatformService, statusOf, type PlatformTenant, type PlatformTenantFields } from './service.ts';
export { RESERVED_SLUGS, slugViolation } from './slug.ts';

/** What a process holds of the platform: the service and the key that guards its API. */
export interface Platform {
  service: PlatformService;
  key: PlatformKey;
  /** The platform key generated for this start (ALDERO_PLATFORM_KEY unset), for the start-up banner; null when configured. */
  generatedKey: string | null;
}

export interface PlatformDeps {
  store: Store;
  clock: Clock;
  log: Logger;
  production: boolean;
  /** `ALDERO_PLATFORM_KEY`; unset outside production: one is generated for this start. */
  platformKey: string | undefined;
  tenants: TenantService;
  audit?: AuditSink;
}

/**
 * The platform of one process: its indexes, legacy keys moved to key documents, and the platform
 * key (configured, or generated for this start outside production).
 */
export async function createPlatform(deps: PlatformDeps): Promise<Platform> {
  await deps.store.ensureIndexes(PLATFORM_INDEXES);
  const service = new PlatformService({ store: deps.store, clock: deps.clock, log: deps.log, tenants: deps.tenants, audit: deps.audit });
  await service.migrateLegacyKeys();
  const { platformKey, generated } = await PlatformKey.load(deps.store, { configured: deps.platformKey, production: deps.production });
  return { service, key: platformKey, generatedKey: generated };
}
