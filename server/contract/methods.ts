/** Second factors a user can answer a challenge with (`method` in verify, `available_methods` at login). */
export const MFA_METHODS = ['sms', 'totp', 'recovery_code'] as const;
export type MfaMethod = (typeof MFA_METHODS)[number];

/** Where an SMS is: `queued` … `delivered`, or `failed` / `dropped` with a reason. */
export const DELIVERY_STATUSES = ['queued', 'sending', 'sent', 'delivered', 'failed', 'dropped'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];
