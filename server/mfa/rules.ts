/**
 * The MFA feature's own numbers, which no client shows. The guide's numbers (5 minutes, 3 sends,
 * 5 wrong codes, 6 digits, 30 days, 10 recovery codes, the fresh-MFA window) are in
 * `server/contract/`, shared with the elements.
 */

/** Wrong TOTP / recovery codes given to change a factor: at most `MAX_FAILED_ATTEMPTS` in this window. */
export const CODE_CHECK_WINDOW_SECONDS = 15 * 60;
/** A TOTP code belongs to a 30-second step (RFC 6238's default, what authenticator apps use). */
export const TOTP_PERIOD_SECONDS = 30;
