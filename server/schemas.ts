import { z } from 'zod';
import { E164_PATTERN } from './contract/formats.ts';
import { DELIVERY_REASONS } from './contract/errors.ts';
import { DELIVERY_STATUSES, MFA_METHODS } from './contract/methods.ts';

/** Shapes shared by several procedures (inputs and outputs), documented once for OpenAPI. */
export const tokensOutput = z.object({
  accessToken: z.string(),
  refreshToken: z.string(),
  expiresIn: z.number().int(),
});

export const email = z.string().trim().max(254).email('Enter a valid email address');
export const password = z.string().min(8, 'Use at least 8 characters').max(256);
/** A code as typed: digits, or a recovery code; trimmed, bounded. */
export const code = z.string().trim().min(1, 'Enter the code').max(32);
export const mfaMethod = z.enum(MFA_METHODS);
/**
 * A phone as the API takes it: E.164. The pattern is documented (OpenAPI) rather than enforced
 * here, so the server's own check answers with its message ("Phone is not E.164 format").
 */
export const phone = z.string().trim().max(32).meta({ pattern: E164_PATTERN.source, description: 'E.164, e.g. `+15550109911`', examples: ['+15550109911'] });

const deliveryOutput = z.object({
  status: z.enum(DELIVERY_STATUSES),
  reason: z.enum(DELIVERY_REASONS).nullable(),
});

export const codeSentOutput = z.object({
  maskedPhone: z.string(),
  sendsRemaining: z.number().int(),
  attemptsRemaining: z.number().int(),
  expiresAt: z.string(),
  retryAfterSeconds: z.number(),
  delivery: deliveryOutput,
});

export const okOutput = z.object({ ok: z.literal(true) });
export const messageOutput = z.object({ message: z.string() });
export const recoveryCodesOutput = z.object({ recoveryCodes: z.array(z.string()) });
