import type { AppErrorCode, ClientErrorCode, DeliveryReason, RateLimitReason } from '../../server/contract/errors.ts';
import type { CodeSent, Delivery, MfaMethod } from './api.ts';

export type { AppErrorCode, ClientErrorCode, DeliveryReason, RateLimitReason };

/** Context the server sends next to an error code. */
export interface AlderoErrorContext {
  attemptsRemaining?: number;
  sendsRemaining?: number;
  retryAfterSeconds?: number;
  /** ISO 8601 */
  expiresAt?: string;
  /** Why: a rate limit's (`MFA_RATE_LIMITED`), or why the SMS cannot go out (`MFA_DELIVERY_FAILED`: `opted_out`, ...). */
  reason?: RateLimitReason | DeliveryReason;
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
  readonly code: AppErrorCode | ClientErrorCode;
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
    data?: { appCode?: AppErrorCode; httpStatus?: number; context?: AlderoErrorContext };
  };
}

/** The code of an error answer without one of ours (a proxy, a gateway): the server's fault or the way there. */
const unreadableCode = (httpStatus: number) => (httpStatus >= 500 ? 'INTERNAL_ERROR' : 'NETWORK_ERROR');
const unreadableMessage = (httpStatus: number) => `The server answered ${httpStatus}.`;

/** Builds the AlderoError of a tRPC error response (`error.data.appCode` / `error.data.context`). */
export function errorFromTrpcBody(body: unknown, httpStatus: number): AlderoError {
  const error = (body as TrpcErrorBody | undefined)?.error;
  const data = error?.data;
  return new AlderoError(
    data?.appCode ?? unreadableCode(httpStatus),
    error?.message ?? unreadableMessage(httpStatus),
    data?.httpStatus ?? httpStatus,
    data?.context ?? {},
  );
}

/** Builds the AlderoError of a REST error answer (`{ error, message, ...context }`, the guide's shape). */
export function errorFromRestBody(body: unknown, httpStatus: number): AlderoError {
  const { error, message, ...context } = (body ?? {}) as { error?: AppErrorCode; message?: string } & AlderoErrorContext;
  return new AlderoError(error ?? unreadableCode(httpStatus), message ?? unreadableMessage(httpStatus), httpStatus, context);
}

export function isAlderoError(value: unknown): value is AlderoError {
  return value instanceof AlderoError;
}
