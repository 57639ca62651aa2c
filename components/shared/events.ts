import type { AppErrorCode, ClientErrorCode, DeliveryReason, RateLimitReason } from '../../server/contract/errors.ts';

/** Every event the elements fire, with its detail. All bubble and cross shadow roots. */
export interface AlderoEventMap {
  /** A code was sent (enrollment setup, login challenge, resend). */
  'aldero-code-sent': { maskedPhone: string; sendsRemaining: number; retryAfterSeconds: number; expiresAt: string };
  /** The SMS factor is enrolled (the phone, E.164). */
  'aldero-enrolled': { phone: string };
  /** The login challenge is passed: the session tokens. */
  'aldero-verified': { accessToken: string; refreshToken: string; expiresIn: number; trustedDevice: boolean };
  /** The user acknowledged saving the recovery codes; the codes are gone from the element. */
  'aldero-recovery-codes-saved': Record<string, never>;
  /**
   * A call failed, or a code's SMS did not go out: the error code, the message shown to the user,
   * and the reason when the server gave one (a rate limit's, or the SMS's: `opted_out`, ...).
   */
  'aldero-error': { code: AppErrorCode | ClientErrorCode; message: string; reason?: RateLimitReason | DeliveryReason; retryAfterSeconds?: number };
  /** The login challenge can no longer be answered (expired, or too many wrong codes). */
  'aldero-challenge-expired': Record<string, never>;
  /** The user asked to start the sign-in over. */
  'aldero-start-over': Record<string, never>;
}

export type AlderoEvent<K extends keyof AlderoEventMap> = CustomEvent<AlderoEventMap[K]>;

declare global {
  interface GlobalEventHandlersEventMap {
    'aldero-code-sent': AlderoEvent<'aldero-code-sent'>;
    'aldero-enrolled': AlderoEvent<'aldero-enrolled'>;
    'aldero-verified': AlderoEvent<'aldero-verified'>;
    'aldero-recovery-codes-saved': AlderoEvent<'aldero-recovery-codes-saved'>;
    'aldero-error': AlderoEvent<'aldero-error'>;
    'aldero-challenge-expired': AlderoEvent<'aldero-challenge-expired'>;
    'aldero-start-over': AlderoEvent<'aldero-start-over'>;
  }
}
