import { ERROR_CODES, type AppErrorCode } from './contract/errors.ts';

export { ERROR_CODES, type AppErrorCode };

/** Context carried next to an error code, e.g. `{ attemptsRemaining: 3 }`. JSON-serialisable. */
type ErrorContext = Record<string, unknown>;

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
