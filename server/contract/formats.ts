/** The shapes of what users type and what the API accepts. */

/** SMS and TOTP codes are 6 digits. */
export const CODE_DIGITS = 6;
export const CODE_PATTERN = /^\d{6}$/;

/** A recovery code: 8 lowercase hex digits, `xxxx-xxxx`. */
export const RECOVERY_CODE_PATTERN = /^[0-9a-f]{4}-[0-9a-f]{4}$/;
/** Its length as typed, with the dash. */
export const RECOVERY_CODE_LENGTH = 9;

/** E.164: a plus, a non-zero digit, then up to 14 digits. */
export const E164_PATTERN = /^\+[1-9]\d{1,14}$/;
