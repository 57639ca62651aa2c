import type { Config } from '../config.ts';
import { decrypt, encrypt, hmac, sha256 } from '../crypto.ts';
import type { SenderModel, TenantDoc } from '../store/documents.ts';
import { repositoriesOf } from '../store/index.ts';
import type { TenantContext } from '../tenants/model.ts';
import { OptOuts } from './opt-outs.ts';
import { SANDBOX_FROM, SANDBOX_NUMBERS, SandboxProvider } from './sandbox.ts';
import { DEFAULT_DELIVERY_SETTINGS, type DeliverySettings } from './settings.ts';
import { TelnyxProvider } from './telnyx.ts';
import type { DeliveryDeps, DeliveryReason, SenderRoute, SmsProvider, SmsProviderName } from './types.ts';

/** The encryption purpose of a BYO tenant's Telnyx API key at rest (`tenant.byo.apiKeyEncrypted`). */
const BYO_API_KEY_PURPOSE = 'byo-telnyx-api-key';

/** Seals a BYO tenant's Telnyx API key for `tenant.byo.apiKeyEncrypted` (admin API). */
export function sealByoApiKey(secret: string, apiKey: string): string {
  return encrypt(secret, BYO_API_KEY_PURPOSE, apiKey);
}

function openByoApiKey(secret: string, sealed: string): string {
  return decrypt(secret, BYO_API_KEY_PURPOSE, sealed);
}

export const SHARED_ACCOUNT = 'shared';

export function byoAccountKey(tenantId: string): string {
  return `byo:${tenantId}`;
}

/** The sender model an outbox message records for its provider, and back. */
export function senderModelOf(provider: SmsProviderName): SenderModel {
  return provider === 'telnyx-byo' ? 'byo' : 'shared';
}

function providerOf(model: SenderModel): SmsProviderName {
  return model === 'byo' ? 'telnyx-byo' : 'telnyx-shared';
}

/**
 * How a tenant environment's message leaves (DESIGN.md §7): a sandbox environment's into its
 * sandbox inbox; a live one's from Aldero's shared toll-free number and messaging profile, or
 * from the tenant's own number, profile and account (BYO). A reason when the tenant's sender
 * model cannot send (nothing to queue).
 */
export function senderRouteFor(
  context: Pick<TenantContext, 'tenant' | 'env'>,
  config: Config,
  settings: Pick<DeliverySettings, 'sharedSenderVerified'>,
): SenderRoute | DeliveryReason {
  const { tenant } = context;
  if (context.env === 'sandbox') {
    return { provider: 'sandbox', delivery: 'inline', from: SANDBOX_FROM, messagingProfileId: null, accountKey: 'sandbox', verified: true };
  }
  if (tenant.senderModel === 'byo') {
    if (!tenant.byo) return 'sender_not_configured';
    return {
      provider: 'telnyx-byo',
      delivery: 'outbox',
      from: tenant.byo.fromNumber,
      messagingProfileId: tenant.byo.messagingProfileId,
      accountKey: byoAccountKey(tenant._id),
      verified: tenant.byo.verified,
    };
  }
  if (!config.telnyx.apiKey) return 'provider_not_configured';
  return {
    provider: 'telnyx-shared',
    delivery: 'outbox',
    from: config.telnyx.sharedFromNumber,
    messagingProfileId: config.telnyx.sharedMessagingProfileId ?? null,
    accountKey: SHARED_ACCOUNT,
    verified: settings.sharedSenderVerified,
  };
}

/**
 * The number this tenant environment's codes leave from: the sandbox's, Aldero's shared
 * toll-free number, or the tenant's own (BYO). Null when the tenant cannot send (no provider or
 * sender configured). A pure function of the tenant and the configuration (consent records).
 */
export function senderNumberFor(context: Pick<TenantContext, 'tenant' | 'env'>, config: Config): string | null {
  const route = senderRouteFor(context, config, DEFAULT_DELIVERY_SETTINGS);
  return typeof route === 'string' ? null : route.from;
}

const TENANT_CACHE_MS = 5_000;

/** A message's provider, and the account whose rate cap it counts against. */
export interface ResolvedProvider {
  provider: SmsProvider;
  /**
   * The account lane: `shared`, or one per BYO API key (an HMAC of it, never the key), so tenants
   * that share one Telnyx account share its cap.
   */
  accountLane: string;
}

export type ProviderDeps = Pick<DeliveryDeps, 'store' | 'clock' | 'config' | 'keys'>;

/**
 * The one factory of SMS providers. `routeFor` picks, per tenant environment, the provider and
 * sending identity of a message when it is dispatched; `resolve` gives that provider with the
 * credentials it sends with now: the sandbox inbox, the shared account from configuration, a
 * BYO tenant's from its (sealed) key, read fresh every few seconds so a rotated key takes
 * effect without a restart. Telnyx clients are kept per key.
 */
export class SmsProviders {
  private readonly sandbox: SandboxProvider;
  private readonly telnyx = new Map<string, TelnyxProvider>();
  private readonly tenants = new Map<string, { doc: TenantDoc | null; at: number }>();
  private readonly optOuts: OptOuts;

  constructor(
    private readonly deps: ProviderDeps,
    private readonly settings: DeliverySettings,
  ) {
    this.sandbox = new SandboxProvider(deps.store, deps.clock, deps.keys.secret);
    this.optOuts = new OptOuts(deps.store);
  }

  /** Where a tenant environment's message goes, or why it cannot be sent (`ALDERO_SMS=sandbox` sends no live message). */
  routeFor(context: Pick<TenantContext, 'tenant' | 'env'>): SenderRoute | DeliveryReason {
    if (context.env !== 'sandbox' && this.deps.config.smsMode === 'sandbox') return 'provider_not_configured';
    return senderRouteFor(context, this.deps.config, this.settings);
  }

  /**
   * Whether the handset replied STOP to the route's number: the opt-outs recorded from replies
   * and 40300 answers, or, in the sandbox, its opted-out magic number (DESIGN.md §2), which is
   * refused exactly like a real opted-out number (no message, not even in the inbox).
   */
  async isOptedOut(route: SenderRoute, to: string): Promise<boolean> {
    if (route.provider === 'sandbox') return to === SANDBOX_NUMBERS.optedOut;
    return this.optOuts.isOptedOut(route.from, to);
  }

  /** The provider of an outbox message, as of now. */
  forMessage(message: { senderModel: SenderModel; tenantId: string }): Promise<ResolvedProvider | DeliveryReason> {
    return this.resolve(providerOf(message.senderModel), message.tenantId);
  }

  async resolve(name: SmsProviderName, tenantId: string): Promise<ResolvedProvider | DeliveryReason> {
    if (name === 'sandbox') return { provider: this.sandbox, accountLane: 'sandbox' };
    if (name === 'telnyx-shared') {
      const apiKey = this.deps.config.telnyx.apiKey;
      return apiKey ? { provider: this.client(name, apiKey), accountLane: SHARED_ACCOUNT } : 'provider_not_configured';
    }
    const tenant = await this.tenant(tenantId);
    if (!tenant?.byo) return 'sender_not_configured';
    let apiKey: string;
    try {
      apiKey = openByoApiKey(this.deps.keys.secret, tenant.byo.apiKeyEncrypted);
    } catch {
      return 'sender_not_configured';
    }
    return { provider: this.client(name, apiKey), accountLane: `byo:${hmac(this.deps.keys.secret, `telnyx-account:${apiKey}`).slice(0, 22)}` };
  }

  private client(name: 'telnyx-shared' | 'telnyx-byo', apiKey: string): TelnyxProvider {
    const id = `${name}:${sha256(apiKey)}`;
    let provider = this.telnyx.get(id);
    if (!provider) {
      provider = new TelnyxProvider(name, { apiKey, baseURL: this.deps.config.telnyx.baseURL, timeoutMs: this.settings.callTimeoutMs });
      this.telnyx.set(id, provider);
    }
    return provider;
  }

  private async tenant(id: string): Promise<TenantDoc | null> {
    const cached = this.tenants.get(id);
    if (cached && Date.now() - cached.at < TENANT_CACHE_MS) return cached.doc;
    const doc = await repositoriesOf(this.deps.store).tenants.findById(id);
    this.tenants.set(id, { doc, at: Date.now() });
    return doc;
  }
}
