import type { DeliveryStatus, MfaMethod, Realm } from '../store/documents.ts';

/**
 * The audit trail's vocabulary: every event type and its payload. Payloads are small and never
 * hold a secret (codes, tokens, recovery codes, keys) nor a full phone number (masked only).
 */

/** Who acted: the end user (or someone trying to be them), the tenant's back end, or Aldero itself. */
export type AuditActor = 'end_user' | 'admin' | 'system' | 'platform';

/** What a code was checked for. */
export type CodePurpose = 'login' | 'enroll_sms' | 'enroll_totp' | 'disable_sms' | 'disable_totp';

export type DeviceRevocationReason = 'user' | 'factor_disabled' | 'password_changed' | 'signed_out_everywhere';

export interface AuditPayloads {
  'user.signed_up': { method: 'password' };
  'user.password_changed': Record<string, never>;
  'login.succeeded': { amr: string[] };
  'login.failed': { email: string; reason: 'unknown_user' | 'wrong_password' | 'no_password' };
  'login.mfa_required': { challengeId: string; availableMethods: MfaMethod[]; codeSent: boolean; sendRefusedReason: string | null };
  'mfa.code.sent': {
    challengeId: string;
    purpose: 'login' | 'enroll_sms';
    maskedPhone: string;
    /** The number the SMS leaves from (sandbox, Aldero's shared number, or the tenant's own). */
    sender: string | null;
    messageId: string | null;
    deliveryStatus: DeliveryStatus;
    deliveryReason: string | null;
    sendsRemaining: number;
  };
  /** A later state of a sent code (receipts, retries, permanent failures), from the delivery feature. */
  'mfa.code.delivery_updated': {
    challengeId: string | null;
    messageId: string;
    maskedPhone: string;
    sender: string | null;
    deliveryStatus: DeliveryStatus;
    deliveryReason: string | null;
  };
  'mfa.verify.succeeded': { purpose: CodePurpose; method: MfaMethod; challengeId: string | null };
  'mfa.verify.failed': {
    purpose: CodePurpose;
    /** Null when the user gave a code that could have been either a TOTP or a recovery code. */
    method: MfaMethod | null;
    challengeId: string | null;
    reason: 'invalid_code' | 'challenge_expired';
    /** Wrong codes left on the challenge; null where the limit is a time window (factor changes). */
    attemptsRemaining: number | null;
  };
  /** The 5th wrong code: the challenge is dead, even for the right code. */
  'mfa.challenge.invalidated': { challengeId: string; purpose: CodePurpose; failedAttempts: number };
  'consent.recorded': { consentId: string; maskedPhone: string; disclosureVersion: string | null; source: 'component' | 'api' };
  'mfa.sms.enrolled': { maskedPhone: string; consentId: string | null };
  'mfa.sms.disabled': { maskedPhone: string | null; verifiedWith: 'totp' | 'recovery_code' };
  'mfa.totp.enrolled': Record<string, never>;
  'mfa.totp.disabled': { verifiedWith: 'totp' | 'recovery_code' };
  'mfa.recovery_codes.generated': { count: number; reason: 'enrollment' | 'regenerated' };
  'mfa.recovery_code.used': { purpose: CodePurpose; remaining: number };
  'device.trusted': { deviceId: string; expiresAt: string };
  'device.used': { deviceId: string };
  'device.revoked': { deviceId: string | null; reason: DeviceRevocationReason; count: number };
  /** STOP (and its synonyms) from the handset to a sender number, from the delivery feature. */
  'sms.opted_out': { maskedPhone: string; sender: string; keyword: string };
  /** START / UNSTOP. */
  'sms.opted_in': { maskedPhone: string; sender: string; keyword: string };
  /** 100 wrong second-factor codes in a row: SMS and TOTP refused until a recovery code or the admin unlocks them. */
  'mfa.factor.locked': { consecutiveFailures: number };
  'mfa.factor.unlocked': { by: 'recovery_code' | 'code' | 'admin' };
  'rate_limit.refused': { reason: string; errorCode: 'MFA_RATE_LIMITED' | 'RATE_LIMITED'; procedure: string; retryAfterSeconds: number | null };
  'admin.user_created': { email: string; oauthProvider: string | null };
  'admin.session_minted': { amr: string[] };
  /** Field names only; the webhook's secret never appears, its URL does. */
  'admin.tenant_settings_changed': { fields: string[]; notificationWebhookUrl?: string | null; notificationWebhookSecretIssued?: boolean };
  /** The operator's platform API acted on the tenant (actor `platform`, in both environments' trails). */
  'platform.tenant_created': { slug: string };
  'platform.tenant_updated': { fields: string[] };
  'platform.tenant_suspended': Record<string, never>;
  'platform.tenant_resumed': Record<string, never>;
  /** The key's id, scope and label; never the key. */
  'platform.admin_key_created': { keyId: string; scope: string; label: string | null };
  'platform.admin_key_revoked': { keyId: string };
}

export type AuditEventType = keyof AuditPayloads;

export const AUDIT_EVENT_TYPES = [
  'user.signed_up',
  'user.password_changed',
  'login.succeeded',
  'login.failed',
  'login.mfa_required',
  'mfa.code.sent',
  'mfa.code.delivery_updated',
  'mfa.verify.succeeded',
  'mfa.verify.failed',
  'mfa.challenge.invalidated',
  'consent.recorded',
  'mfa.sms.enrolled',
  'mfa.sms.disabled',
  'mfa.totp.enrolled',
  'mfa.totp.disabled',
  'mfa.recovery_codes.generated',
  'mfa.recovery_code.used',
  'device.trusted',
  'device.used',
  'device.revoked',
  'sms.opted_out',
  'sms.opted_in',
  'mfa.factor.locked',
  'mfa.factor.unlocked',
  'rate_limit.refused',
  'admin.user_created',
  'admin.session_minted',
  'admin.tenant_settings_changed',
  'platform.tenant_created',
  'platform.tenant_updated',
  'platform.tenant_suspended',
  'platform.tenant_resumed',
  'platform.admin_key_created',
  'platform.admin_key_revoked',
] as const satisfies readonly AuditEventType[];

// Every type is listed above (the compiler checks both directions).
type Missing = Exclude<AuditEventType, (typeof AUDIT_EVENT_TYPES)[number]>;
const _allListed: [Missing] extends [never] ? true : Missing = true;
void _allListed;

interface AuditEventBase {
  /** ObjectId hex from the event's time: sorts by time, then by creation within a process. */
  _id: string;
  realm: Realm;
  time: Date;
  actor: AuditActor;
  /** The user the event is about (the subject), when known. */
  userId: string | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  /** The TTL index removes the event then (the tenant's retention). */
  expiresAt: Date;
}

/** A stored event (`auditEvents`): a discriminated union on `type`. */
export type AuditEventDoc = { [T in AuditEventType]: AuditEventBase & { type: T; payload: AuditPayloads[T] } }[AuditEventType];

/** An event as the admin API shows it. */
export interface PublicAuditEvent {
  id: string;
  time: string;
  type: AuditEventType;
  actor: AuditActor;
  userId: string | null;
  ip: string | null;
  userAgent: string | null;
  requestId: string | null;
  payload: Record<string, unknown>;
}

export function publicAuditEvent(event: AuditEventDoc): PublicAuditEvent {
  return {
    id: event._id,
    time: event.time.toISOString(),
    type: event.type,
    actor: event.actor,
    userId: event.userId,
    ip: event.ip,
    userAgent: event.userAgent,
    requestId: event.requestId,
    payload: event.payload as Record<string, unknown>,
  };
}
