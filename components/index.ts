/**
 * Aldero SMS MFA components: the three elements, the SDK they use, and their event types.
 * Importing this module defines `<aldero-sms-enroll>`, `<aldero-mfa-challenge>` and `<aldero-recovery-codes>`.
 */
export { AlderoSmsEnroll, DISCLOSURE_VERSION } from './aldero-sms-enroll.ts';
export { AlderoMfaChallenge } from './aldero-mfa-challenge.ts';
export { AlderoRecoveryCodes } from './aldero-recovery-codes.ts';
export * from './client/index.ts';
export type { AlderoEventMap, AlderoEvent } from './shared/events.ts';
export type { Message, StringOverrides } from './shared/i18n.ts';
