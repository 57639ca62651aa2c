import { z } from 'zod';
import { APP_ERROR_CODES, DELIVERY_REASONS, ERROR_CODES, MFA_METHODS, RATE_LIMIT_REASONS, type AppErrorCode } from '../../contract/index.ts';
import { codeSentOutput } from '../../schemas.ts';

/**
 * The error answers of the REST surface, as the document describes them: every answer is
 * `{ "error": CODE, "message": "<sentence>", ...context }` with the status of the code in the one
 * error table (server/contract/errors.ts). This file says which context each code carries, and
 * which codes every route can answer whatever its procedure does.
 */

const issue = z.object({
  /** The field, dotted (`notificationWebhook.url`); empty for the body as a whole. */
  path: z.string(),
  message: z.string(),
});

const retryAfterSeconds = z.number().int().min(1).describe('Seconds to wait; the same value as the `Retry-After` header.');
const requestId = z.string().optional().describe('The request, as in `X-Request-Id` and the server log (REST answers of a server-side failure).');

/**
 * The context fields of each code, beside `error` and `message`. A code missing here answers no
 * context; an answer with a field not listed fails the response validator of the test suite.
 */
export const ERROR_CONTEXT: Partial<Record<AppErrorCode, z.ZodRawShape>> = {
  VALIDATION_ERROR: { issues: z.array(issue).optional() },
  mfa_required: {
    mfa_token: z.string().describe('Opaque; send it to /v1/auth/mfa/challenge, /status and /verify.'),
    available_methods: z.array(z.enum(MFA_METHODS)),
    codeSent: codeSentOutput.nullable().describe('Where the code went, when it was sent automatically (SMS is the only factor).'),
    sendError: z
      .object({ error: z.string(), message: z.string() })
      .catchall(z.unknown())
      .nullable()
      .describe('Why the automatic send was refused (an error body such as `MFA_RATE_LIMITED`); the user may still answer with a recovery code.'),
  },
  FORBIDDEN: { scope: z.string().optional().describe("The admin key's scope, when it does not cover the route.") },
  MFA_FRESH_AUTH_REQUIRED: { maxAgeSeconds: z.number().int() },
  ORIGIN_NOT_ALLOWED: { origin: z.string() },
  TENANT_NOT_FOUND: { tenant: z.string().optional() },
  MFA_INVALID_CODE: { attemptsRemaining: z.number().int().min(0).optional() },
  MFA_CHALLENGE_EXPIRED: { expiresAt: z.iso.datetime().optional() },
  MFA_DELIVERY_FAILED: { reason: z.enum(DELIVERY_REASONS).optional() },
  PAYLOAD_TOO_LARGE: { limitBytes: z.number().int().optional() },
  MFA_RATE_LIMITED: {
    reason: z.enum(RATE_LIMIT_REASONS),
    attemptsRemaining: z.number().int().min(0).optional(),
    sendsRemaining: z.number().int().min(0).optional(),
    retryAfterSeconds: retryAfterSeconds.optional(),
  },
  RATE_LIMITED: { reason: z.enum(RATE_LIMIT_REASONS), retryAfterSeconds },
  INTERNAL_ERROR: { requestId },
  SERVICE_UNAVAILABLE: { retryAfterSeconds, requestId },
};

/** The body schema of one code: its code, a message, and its context. */
export function errorBodySchema(code: AppErrorCode): z.ZodObject {
  return z
    .object({
      error: z.enum([code]),
      message: z.string().describe('A human sentence; show it, but branch on `error`.'),
      ...ERROR_CONTEXT[code],
    })
    .strict()
    .meta({ description: ERROR_CODES[code].message });
}

/** What every route of the API can answer, whatever its procedure (the HTTP layer's refusals). */
export const ROUTE_ERRORS: readonly AppErrorCode[] = [
  'VALIDATION_ERROR',
  'METHOD_NOT_ALLOWED',
  'PAYLOAD_TOO_LARGE',
  'UNSUPPORTED_MEDIA_TYPE',
  'INTERNAL_ERROR',
  // The database did not answer in time (server/ops/database.ts).
  'SERVICE_UNAVAILABLE',
];

/** What every route on a tenant host can also answer: an unknown or suspended tenant, a cross-origin call from an origin it does not allow. */
export const TENANT_ROUTE_ERRORS: readonly AppErrorCode[] = ['TENANT_NOT_FOUND', 'TENANT_SUSPENDED', 'ORIGIN_NOT_ALLOWED'];

/**
 * What a route behind a credential can also answer: no or a wrong credential; an admin key whose
 * scope does not cover the route; the platform API off the apex host, or from another origin.
 */
export const CREDENTIAL_ERRORS = {
  none: [],
  accessToken: ['UNAUTHORIZED'],
  adminKey: ['UNAUTHORIZED', 'FORBIDDEN'],
  platformKey: ['UNAUTHORIZED', 'NOT_FOUND', 'ORIGIN_NOT_ALLOWED'],
} as const satisfies Record<string, readonly AppErrorCode[]>;

export function statusOf(code: AppErrorCode): number {
  return ERROR_CODES[code].status;
}

/** The codes grouped by status, in the order of the status, each code once. */
export function byStatus(codes: Iterable<AppErrorCode>): Map<number, AppErrorCode[]> {
  const groups = new Map<number, AppErrorCode[]>();
  const order = APP_ERROR_CODES;
  for (const code of [...new Set(codes)].sort((a, b) => order.indexOf(a) - order.indexOf(b))) {
    const status = statusOf(code);
    groups.set(status, [...(groups.get(status) ?? []), code]);
  }
  return new Map([...groups].sort(([a], [b]) => a - b));
}

/** The component name of a code's body: `MFA_RATE_LIMITED` → `MfaRateLimitedError`. */
export function errorSchemaName(code: AppErrorCode): string {
  const words = code.replace(/_ERROR$/, '').toLowerCase().split('_');
  return `${words.map((word) => word.charAt(0).toUpperCase() + word.slice(1)).join('')}Error`;
}
