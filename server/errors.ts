/**
 * The one table of error codes. The server answers with these codes (REST body `error`,
 * tRPC `error.data.appCode`); the SDK and the components import the type and map each code
 * to a message. A code's HTTP status lives here and nowhere else.
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
  NOT_FOUND: { status: 404, message: 'Not found.' },
  METHOD_NOT_ALLOWED: { status: 405, message: 'This method is not allowed on this route.' },
  EMAIL_TAKEN: { status: 409, message: 'An account with this email already exists.' },
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
  INTERNAL_ERROR: { status: 500, message: 'Something went wrong on our side.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type AppErrorCode = keyof typeof ERROR_CODES;

/** Context carried next to an error code, e.g. `{ attemptsRemaining: 3 }`. JSON-serialisable. */
export type ErrorContext = Record<string, unknown>;

/** An application error: a stable code, a human message and context. Safe to show to clients. */
export class AppError extends Error {
  readonly code: AppErrorCode;
  readonly status: number;
  readonly context: ErrorContext;
  /** Seconds the client should wait; sent as `Retry-After` and in the body. */
  readonly retryAfterSeconds: number | undefined;

  constructor(code: AppErrorCode, context: ErrorContext = {}, message?: string) {
    // An AppError is an answer, not a fault: its stack is never shown or logged, and capturing
    // one (then formatting it through source maps in tRPC) cost ~100 µs per refused request.
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    super(message ?? ERROR_CODES[code].message);
    Error.stackTraceLimit = limit;
    this.name = 'AppError';
    this.code = code;
    this.status = ERROR_CODES[code].status;
    this.context = context;
    const retry = context.retryAfterSeconds;
    this.retryAfterSeconds = typeof retry === 'number' ? Math.max(1, Math.ceil(retry)) : undefined;
  }

  /** The public JSON body: `{ error, message, ...context }`. */
  toBody(): Record<string, unknown> {
    const body: Record<string, unknown> = { error: this.code, message: this.message };
    for (const [key, value] of Object.entries(this.context)) {
      if (value !== undefined) body[key] = value;
    }
    if (this.retryAfterSeconds !== undefined) body.retryAfterSeconds = this.retryAfterSeconds;
    return body;
  }
}

export function isAppError(value: unknown): value is AppError {
  return value instanceof AppError;
}
