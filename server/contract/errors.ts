/**
 * The one table of error codes. The server answers with these codes (REST body `error`, tRPC
 * `error.data.appCode`); the SDK and the elements map each to a message. A code's HTTP status
 * and its default sentence live here and nowhere else.
 */
export const ERROR_CODES = {
  VALIDATION_ERROR: { status: 400, message: 'The request is not valid.' },
  UNAUTHORIZED: { status: 401, message: 'Authentication is required.' },
  INVALID_CREDENTIALS: { status: 401, message: 'The email or password is incorrect.' },
  INVALID_REFRESH_TOKEN: { status: 401, message: 'The refresh token is not valid.' },
  FORBIDDEN: { status: 403, message: 'This action is not allowed.' },
  mfa_required: { status: 403, message: 'Multi-factor authentication is required.' },
  MFA_PASSWORD_REQUIRED: {
    status: 403,
    message: 'OAuth-only users cannot enroll SMS: they rely on their identity provider for security.',
  },
  MFA_FRESH_AUTH_REQUIRED: {
    status: 403,
    message: 'This action needs a session that completed multi-factor authentication recently.',
  },
  ORIGIN_NOT_ALLOWED: { status: 403, message: 'This origin is not allowed for the tenant.' },
  TENANT_NOT_FOUND: { status: 404, message: 'No tenant is served at this host.' },
  TENANT_SUSPENDED: { status: 403, message: 'This tenant is suspended.' },
  NOT_FOUND: { status: 404, message: 'Not found.' },
  METHOD_NOT_ALLOWED: { status: 405, message: 'This method is not allowed on this route.' },
  EMAIL_TAKEN: { status: 409, message: 'An account with this email already exists.' },
  TENANT_SLUG_TAKEN: { status: 409, message: 'A tenant with this slug already exists.' },
  MFA_ALREADY_ENABLED: { status: 409, message: 'SMS is already verified for this user.' },
  MFA_SETUP_REQUIRED: { status: 409, message: 'Start the setup before confirming it.' },
  MFA_NOT_ENABLED: { status: 409, message: 'This factor is not enabled for the user.' },
  MFA_INVALID_CODE: { status: 400, message: 'The code is incorrect.' },
  MFA_CHALLENGE_EXPIRED: {
    status: 410,
    message: 'More than 5 minutes have passed since the challenge was created. Start over.',
  },
  MFA_DELIVERY_FAILED: { status: 422, message: 'The SMS could not be delivered to this number.' },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'The request body is too large.' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'Send the body as application/json.' },
  MFA_RATE_LIMITED: { status: 429, message: 'Too many attempts. Try again later.' },
  RATE_LIMITED: { status: 429, message: 'Too many requests. Try again later.' },
  INVALID_SIGNATURE: { status: 400, message: 'The webhook signature is not valid.' },
  INVALID_PAYLOAD: { status: 400, message: 'The webhook is not a Telnyx event.' },
  INTERNAL_ERROR: { status: 500, message: 'Something went wrong on our side.' },
  /** The database did not answer in time; `Retry-After` says when to try again. */
  SERVICE_UNAVAILABLE: { status: 503, message: 'The service is unavailable for a moment. Try again shortly.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type AppErrorCode = keyof typeof ERROR_CODES;

export const APP_ERROR_CODES = Object.keys(ERROR_CODES) as AppErrorCode[];

/** Codes the SDK itself produces when no server answer could be read. */
export const CLIENT_ERROR_CODES = [
  'NETWORK_ERROR',
  'CLIENT_NOT_CONFIGURED',
  // The elements' configuration faults: each logs what to fix (console.error) and tells the user
  // only that verification is unavailable.
  /** No `tenant` attribute, no `client`, and not loaded from a tenant host. */
  'CONFIG_TENANT_MISSING',
  /** `<aldero-mfa-challenge>` without an `mfa-token`. */
  'CONFIG_MFA_TOKEN_MISSING',
  /** `<aldero-sms-enroll>` without the user's `accessToken` (property) or a `client` holding one. */
  'CONFIG_ACCESS_TOKEN_MISSING',
  /** The API answers `GET /v1/tenant` but refuses the page's origin (not in the tenant's `allowedOrigins`). */
  'CONFIG_ORIGIN_NOT_ALLOWED',
  /** The token belongs to the other environment: `sandbox` set or forgotten. */
  'CONFIG_SANDBOX_MISMATCH',
  /** The opt-in disclosure is not visible beside the phone field (hidden, transparent, too faint): nothing is sent. */
  'CONFIG_DISCLOSURE_HIDDEN',
] as const;
export type ClientErrorCode = (typeof CLIENT_ERROR_CODES)[number];

/** Why a send or an attempt was refused: `reason` beside `MFA_RATE_LIMITED` (and `RATE_LIMITED` at login). */
export const RATE_LIMIT_REASONS = [
  'challenge_send_limit',
  'challenge_attempt_limit',
  'phone_hourly',
  'phone_daily',
  'user_hourly',
  'ip_hourly',
  'tenant_daily_budget',
  'country_not_allowed',
  'min_interval',
  'login_attempts',
  'code_attempts',
  'user_code_attempts',
  'factor_locked',
  'signup_attempts',
] as const;
export type RateLimitReason = (typeof RATE_LIMIT_REASONS)[number];

/** Why an SMS did not reach the phone: `delivery.reason` when its status is `failed` or `dropped`. */
export const DELIVERY_REASONS = [
  'invalid_number',
  'opted_out',
  'sender_daily_limit',
  'provider_unavailable',
  'provider_auth_failed',
  'provider_rejected',
  'provider_not_configured',
  'sender_not_configured',
  'challenge_expired',
  'challenge_completed',
  'delivery_failed',
  'sending_failed',
  'delivery_unconfirmed',
  'tenant_suspended',
] as const;
export type DeliveryReason = (typeof DELIVERY_REASONS)[number];
