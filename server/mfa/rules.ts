/**
 * The numbers of the guide, each in exactly one place.
 */
/** A challenge (login or enrollment) lives 5 minutes from its creation. */
export const CHALLENGE_TTL_MS = 5 * 60_000;
/** At most 3 SMS per challenge, the login auto-send included; the 4th is refused. */
export const MAX_SENDS_PER_CHALLENGE = 3;
/** At most 5 wrong codes per challenge; then it is dead, even for the right code. */
export const MAX_FAILED_ATTEMPTS = 5;
/** Codes are 6 digits. */
export const CODE_DIGITS = 6;
/** A trusted device skips MFA for 30 days. */
export const TRUSTED_DEVICE_TTL_SECONDS = 30 * 86_400;
/** 10 recovery codes of 8 hex digits, `xxxx-xxxx`. */
export const RECOVERY_CODE_COUNT = 10;
/** Regenerating recovery codes needs an MFA completed this recently. */
export const FRESH_MFA_WINDOW_SECONDS = 10 * 60;
/** The trusted-device cookie. */
export const DEVICE_COOKIE = 'mfa_device';
