/**
 * The numbers of the guide, each in exactly one place: the server enforces them and the
 * elements show them.
 */

/** A challenge (login or enrollment) lives 5 minutes from its creation. */
export const CHALLENGE_TTL_SECONDS = 5 * 60;
/** At most 3 SMS per challenge, the login auto-send included; the 4th is refused. */
export const MAX_SENDS_PER_CHALLENGE = 3;
/** At most 5 wrong codes per challenge; then it is dead, even for the right code. */
export const MAX_FAILED_ATTEMPTS = 5;
/** A trusted device skips MFA for 30 days. */
export const TRUSTED_DEVICE_DAYS = 30;
/** 10 recovery codes per user. */
export const RECOVERY_CODE_COUNT = 10;
/** Regenerating recovery codes needs an MFA completed this recently. */
export const FRESH_MFA_WINDOW_SECONDS = 10 * 60;
