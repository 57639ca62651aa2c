import type { AppErrorCode } from '../../server/errors.ts';
import type { CodeSent, Delivery, MfaMethod } from './api.ts';

/** Codes the SDK itself produces when no server answer could be read. */
export type ClientErrorCode = 'NETWORK_ERROR' | 'CLIENT_NOT_CONFIGURED';

/** Why the server refused a send or an attempt (`MFA_RATE_LIMITED.reason`). */
export type RateLimitReason =
  | 'challenge_send_limit'
  | 'challenge_attempt_limit'
  | 'phone_hourly'
  | 'phone_daily'
  | 'user_hourly'
  | 'ip_hourly'
  | 'tenant_daily_budget'
  | 'country_not_allowed'
  | 'min_interval'
  | 'login_attempts';

/** Context the server sends next to an error code. */
export interface AlderoErrorContext {
  attemptsRemaining?: number;
  sendsRemaining?: number;
  retryAfterSeconds?: number;
  /** ISO 8601 */
  expiresAt?: string;
  reason?: RateLimitReason | (string & {});
  delivery?: Delivery;
  issues?: { path: string; message: string }[];
  /** `mfa_required` (login): the token for the challenge and what the user can answer with. */
  mfa_token?: string;
  available_methods?: MfaMethod[];
  codeSent?: CodeSent;
  [key: string]: unknown;
}

/** The one error the SDK throws: a stable code, a human message, the HTTP status and context. */
export class AlderoError extends Error {
  readonly code: AppErrorCode | ClientErrorCode | (string & {});
  /** HTTP status; 0 when the server could not be reached. */
  readonly status: number;
  readonly context: AlderoErrorContext;

  constructor(
    code: AlderoError['code'],
    message: string,
    status: number,
    context: AlderoErrorContext = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'AlderoError';
    this.code = code;
    this.status = status;
    this.context = context;
  }

  /** Seconds to wait before trying again, when the server said so. */
  get retryAfterSeconds(): number | undefined {
    return this.context.retryAfterSeconds;
  }
}

interface TrpcErrorBody {
  error?: {
    message?: string;
    code?: number;
    data?: { appCode?: string; code?: string; httpStatus?: number; context?: AlderoErrorContext };
  };
}

/** Builds the AlderoError of a tRPC error response (`error.data.appCode` / `error.data.context`). */
export function errorFromTrpcBody(body: unknown, httpStatus: number): AlderoError {
  const error = (body as TrpcErrorBody | undefined)?.error;
  const data = error?.data;
  const code = data?.appCode ?? data?.code ?? (httpStatus >= 500 ? 'INTERNAL_ERROR' : 'NETWORK_ERROR');
  const message = error?.message ?? `The server answered ${httpStatus}.`;
  return new AlderoError(code, message, data?.httpStatus ?? httpStatus, data?.context ?? {});
}

export function isAlderoError(value: unknown): value is AlderoError {
  return value instanceof AlderoError;
}
