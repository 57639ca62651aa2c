import { z } from 'zod';

/** Pieces of tenant settings, shared by the platform API and the tenant admin API (their inputs, and the quotas of their answers). */

export const quotasInput = z.object({
  phonePerHour: z.number().int().min(0).max(1_000_000),
  phonePerDay: z.number().int().min(0).max(1_000_000),
  userPerHour: z.number().int().min(0).max(1_000_000),
  ipPerHour: z.number().int().min(0).max(1_000_000),
  tenantPerDay: z.number().int().min(0).max(100_000_000),
  minIntervalSeconds: z.number().int().min(0).max(3600),
});

/** A browser origin the tenant's pages are served from (CORS): `https://app.example.com[:port]`. */
export const originInput = z.string().max(256).regex(/^https?:\/\/[^/\s]+$/, 'An origin is scheme://host[:port], without a path');

export const countryInput = z.string().regex(/^[A-Z]{2}$/, 'ISO 3166 alpha-2, upper case');

export const senderModelInput = z.enum(['shared', 'byo']);
