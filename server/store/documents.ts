/**
 * The shape of every document the server keeps in MongoDB. Every document that belongs to a
 * tenant carries `realm` (`{tenantId}/{env}`): live and sandbox never mix, and every query is
 * scoped by it. Secrets appear only as HMACs or memory-hard hashes.
 */
import type { DeliveryReason } from '../contract/errors.ts';
import type { DeliveryStatus, MfaMethod } from '../contract/methods.ts';

export type { DeliveryStatus, MfaMethod };
export type Env = 'live' | 'sandbox';
export type Realm = `${string}/${Env}`;
export type SenderModel = 'shared' | 'byo';

export interface SendQuotas {
  phonePerHour: number;
  phonePerDay: number;
  userPerHour: number;
  ipPerHour: number;
  /** Every SMS of the tenant environment in a UTC day (the budget's circuit breaker). */
  tenantPerDay: number;
  /** Minimum seconds between two sends of one challenge (0: none). */
  minIntervalSeconds: number;
}

export interface TenantDoc {
  _id: string;
  slug: string;
  brand: string;
  senderModel: SenderModel;
  allowedOrigins: string[];
  /** ISO 3166 alpha-2 codes; empty means every country. */
  allowedCountries: string[];
  /** Legacy: admin keys kept whole in the tenant, before key documents (`adminKeys` collection); moved at start-up. */
  adminKeys?: { hash: string; prefix: string; createdAt: Date }[];
  /** Set while the operator has the tenant suspended: its hosts answer 403 TENANT_SUSPENDED and no SMS leaves. */
  suspendedAt?: Date | null;
  /** Set when the tenant's deletion started: it is no longer served, and its erasure is under way. */
  deletingAt?: Date | null;
  quotas: SendQuotas;
  /**
   * Its sandbox serves local development: it also reflects `http://localhost:*`, loopback and
   * `http://*.localhost:*` origins (with credentials). The demo tenant's is on; others list origins.
   */
  localDevelopment?: boolean;
  /** Append the WebOTP line `@host #code` to SMS bodies. */
  webOtpHost: string | null;
  byo: {
    fromNumber: string;
    messagingProfileId: string | null;
    apiKeyEncrypted: string;
    publicKey: string | null;
    helpLine: string;
    verified: boolean;
  } | null;
  /** Days an audit event is kept (default `DEFAULT_AUDIT_RETENTION_DAYS`); applies to events recorded after a change. */
  auditRetentionDays?: number;
  /** Where credential-change notifications go, per environment (sandbox and live have their own). */
  notificationWebhooks?: Partial<Record<Env, NotificationWebhookSettings>>;
  createdAt: Date;
  updatedAt: Date;
}

/** A tenant's notification webhook: the URL and its signing secret, sealed (shown once when made). */
export interface NotificationWebhookSettings {
  url: string;
  secretSealed: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface UserDoc {
  _id: string;
  realm: Realm;
  email: string;
  passwordHash: string | null;
  oauthProvider: string | null;
  phone: string | null;
  phoneVerified: boolean;
  mfa: {
    sms: { enabledAt: Date } | null;
    totp: { secretEncrypted: string; enabledAt: Date; lastUsedStep: number } | null;
    /** A TOTP secret waiting for its first code. */
    pendingTotp: { secretEncrypted: string; createdAt: Date } | null;
    /**
     * When 100 wrong codes in a row locked the factors. A hint for sign-in (no SMS code is sent
     * that could not be used); the user's code counter in rateCounters decides. Absent: never.
     */
    lockedAt?: Date | null;
  };
  /** Recovery codes: one salt per user so an attempt costs one hash, then a lookup. */
  recoveryCodes: { salt: string; hashes: string[]; generatedAt: Date } | null;
  /** Bumped on password change and "sign out everywhere"; devices and sessions of older versions are dead. */
  credentialsVersion: number;
  createdAt: Date;
}

export interface SessionDoc {
  _id: string;
  realm: Realm;
  userId: string;
  familyId: string;
  tokenHash: string;
  /** RFC 8176 values (`pwd`, `sms`, `otp`, `rc`, `device`, `fed`). */
  amr: string[];
  authTime: Date;
  /** When the family last completed MFA; carried through rotations. */
  mfaTime: Date | null;
  createdAt: Date;
  expiresAt: Date;
  rotatedAt: Date | null;
  /**
   * The refresh token that replaced this one, sealed (never in plain form): within the grace
   * window a concurrent refresh with this token answers the same successor.
   */
  successorSealed?: string | null;
  revokedAt: Date | null;
  ip: string | null;
  userAgent: string | null;
}

export type ChallengeKind = 'login' | 'enroll';

export interface DeliveryState {
  status: DeliveryStatus;
  reason: DeliveryReason | null;
  messageId: string | null;
  updatedAt: Date;
}

export interface ChallengeDoc {
  _id: string;
  realm: Realm;
  kind: ChallengeKind;
  userId: string;
  /** HMAC of the mfa_token (login challenges); null for enrollment. */
  tokenHash: string | null;
  phone: string | null;
  /** HMAC of `{challengeId}:{code}`. */
  codeHash: string;
  /** The code sealed with the server key, so a resend can send the same code. */
  codeSealed: string;
  sends: number;
  failedAttempts: number;
  status: 'pending' | 'verified';
  availableMethods: MfaMethod[];
  createdAt: Date;
  expiresAt: Date;
  lastSentAt: Date | null;
  delivery: DeliveryState | null;
  verifiedAt: Date | null;
  ip: string | null;
  userAgent: string | null;
  /** Opened at sign-in for a user whose factors were locked: no SMS code is sent for it. */
  factorsLocked?: true;
}

export interface TrustedDeviceDoc {
  _id: string;
  realm: Realm;
  userId: string;
  tokenHash: string;
  credentialsVersion: number;
  userAgent: string | null;
  ip: string | null;
  createdAt: Date;
  lastUsedAt: Date;
  expiresAt: Date;
  revokedAt: Date | null;
}

export interface RateCounterDoc {
  _id: string;
  count: number;
  expiresAt: Date;
  /**
   * A second, windowed count on a counter whose own has no window: the account-level code
   * limits keep a user's streak of wrong codes in `count` and the hour's wrong codes here, in one
   * document, so one atomic update checks and counts both (server/abuse/code-attempts.ts).
   */
  windowCount?: number;
  windowEndsAt?: Date;
}

export interface KeyDoc {
  _id: string;
  value: string;
  createdAt: Date;
}

export interface SandboxMessageDoc {
  _id: string;
  realm: Realm;
  to: string;
  from: string;
  body: string;
  status: DeliveryStatus;
  challengeId: string | null;
  createdAt: Date;
}
