import type { Config } from '../config.ts';
import { decrypt, encrypt, hmac, sha256 } from '../crypto.ts';
import type { TenantDoc } from '../store/documents.ts';
import type { Store } from '../store/index.ts';
import type { DeliverySettings } from './settings.ts';
import { TelnyxProvider } from './telnyx.ts';
import type { DeliveryReason, OutboxMessageDoc, SenderRoute, SmsProvider } from './types.ts';

/** The encryption purpose of a BYO tenant's Telnyx API key at rest (`tenant.byo.apiKeyEncrypted`). */
const BYO_API_KEY_PURPOSE = 'byo-telnyx-api-key';

/** Seals a BYO tenant's Telnyx API key for `tenant.byo.apiKeyEncrypted` (admin API). */
export function sealByoApiKey(secret: string, apiKey: string): string {
  return encrypt(secret, BYO_API_KEY_PURPOSE, apiKey);
}

export function openByoApiKey(secret: string, sealed: string): string {
  return decrypt(secret, BYO_API_KEY_PURPOSE, sealed);
}

export const SHARED_ACCOUNT = 'shared';

export function byoAccountKey(tenantId: string): string {
  return `byo:${tenantId}`;
}

/**
 * How a live tenant's message leaves (DESIGN.md §7): Aldero's shared toll-free number and
 * messaging profile, or the tenant's own number, profile and account. A reason when the
 * tenant's sender model cannot send (nothing to queue).
 */
export function senderRouteFor(tenant: TenantDoc, config: Config, settings: DeliverySettings): SenderRoute | DeliveryReason {
  if (tenant.senderModel === 'byo') {
    if (!tenant.byo) return 'sender_not_configured';
    return {
      model: 'byo',
      from: tenant.byo.fromNumber,
      messagingProfileId: tenant.byo.messagingProfileId,
      accountKey: byoAccountKey(tenant._id),
      verified: tenant.byo.verified,
    };
  }
  if (!config.telnyx.apiKey) return 'provider_not_configured';
  return {
    model: 'shared',
    from: config.telnyx.sharedFromNumber,
    messagingProfileId: config.telnyx.sharedMessagingProfileId ?? null,
    accountKey: SHARED_ACCOUNT,
    verified: settings.sharedSenderVerified,
  };
}

const TENANT_CACHE_MS = 5_000;

/** A message's provider, and the Telnyx account whose rate cap it counts against. */
export interface ResolvedProvider {
  provider: SmsProvider;
  /**
   * The account lane: `shared`, or one per BYO API key (an HMAC of it, never the key), so tenants
   * that share one Telnyx account share its cap.
   */
  accountLane: string;
}

/**
 * The provider of each queued message, resolved when it is sent: the shared account from
 * configuration, a BYO tenant's from its (sealed) key, read fresh every few seconds so a
 * rotated key takes effect without a restart. Clients are kept per key.
 */
export class ProviderDirectory {
  private readonly providers = new Map<string, TelnyxProvider>();
  private readonly tenants = new Map<string, { doc: TenantDoc | null; at: number }>();

  constructor(
    private readonly store: Store,
    private readonly config: Config,
    private readonly secret: string,
    private readonly settings: DeliverySettings,
  ) {}

  async providerFor(message: Pick<OutboxMessageDoc, 'senderModel' | 'tenantId'>): Promise<ResolvedProvider | DeliveryReason> {
    if (message.senderModel === 'shared') {
      const apiKey = this.config.telnyx.apiKey;
      return apiKey ? { provider: this.client('telnyx-shared', apiKey), accountLane: SHARED_ACCOUNT } : 'provider_not_configured';
    }
    const tenant = await this.tenant(message.tenantId);
    if (!tenant?.byo) return 'sender_not_configured';
    let apiKey: string;
    try {
      apiKey = openByoApiKey(this.secret, tenant.byo.apiKeyEncrypted);
    } catch {
      return 'sender_not_configured';
    }
    return { provider: this.client('telnyx-byo', apiKey), accountLane: `byo:${hmac(this.secret, `telnyx-account:${apiKey}`).slice(0, 22)}` };
  }

  private client(name: 'telnyx-shared' | 'telnyx-byo', apiKey: string): TelnyxProvider {
    const id = `${name}:${sha256(apiKey)}`;
    let provider = this.providers.get(id);
    if (!provider) {
      provider = new TelnyxProvider(name, { apiKey, baseURL: this.config.telnyx.baseURL, timeoutMs: this.settings.callTimeoutMs });
      this.providers.set(id, provider);
    }
    return provider;
  }

  private async tenant(id: string): Promise<TenantDoc | null> {
    const cached = this.tenants.get(id);
    if (cached && Date.now() - cached.at < TENANT_CACHE_MS) return cached.doc;
    const doc = await this.store.tenants.findOne({ _id: id });
    this.tenants.set(id, { doc, at: Date.now() });
    return doc;
  }
}
