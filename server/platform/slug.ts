import { z } from 'zod';

/**
 * Tenant slugs (DESIGN.md §2): the first DNS label of the tenant's hosts, `{slug}.{domain}` and
 * `{slug}-sandbox.{domain}`, so lowercase `a-z0-9-`, 3–40 characters (with `-sandbox` the label
 * stays under DNS's 63), starting and ending with a letter or digit, never ending in `-sandbox`
 * (that label is the sandbox of another slug), and never a name the platform keeps for itself.
 */

export const SLUG_MIN_LENGTH = 3;
export const SLUG_MAX_LENGTH = 40;

/** Host names the operator keeps: the apex's own services, and names that would confuse users. */
export const RESERVED_SLUGS: ReadonlySet<string> = new Set([
  'www', 'api', 'admin', 'platform', 'app', 'apps', 'auth', 'login', 'logout', 'signup', 'account', 'accounts',
  'dashboard', 'console', 'portal', 'manage', 'management', 'operator', 'root', 'system', 'internal', 'status',
  'health', 'healthz', 'readyz', 'metrics', 'docs', 'doc', 'help', 'support', 'billing', 'mail', 'email', 'smtp',
  'imap', 'pop', 'mx', 'ns', 'ns1', 'ns2', 'dns', 'ftp', 'cdn', 'static', 'assets', 'files', 'media', 'img',
  'images', 'js', 'css', 'elements', 'webhook', 'webhooks', 'telnyx', 'sms', 'mfa', 'otp', 'oauth', 'sso', 'jwks',
  'well-known', 'sandbox', 'live', 'test', 'tests', 'staging', 'stage', 'dev', 'prod', 'production', 'localhost',
  'aldero', 'security', 'abuse', 'postmaster', 'hostmaster', 'webmaster', 'info', 'blog', 'news', 'legal',
  'privacy', 'terms', 'tenant', 'tenants', 'trpc', 'v1', 'v2',
]);

export type SlugRule = 'slug_length' | 'slug_format' | 'slug_sandbox_suffix' | 'slug_reserved';

/** The rule a slug breaks, or null. */
export function slugViolation(slug: string): { rule: SlugRule; message: string } | null {
  if (slug.length < SLUG_MIN_LENGTH || slug.length > SLUG_MAX_LENGTH) {
    return { rule: 'slug_length', message: `A slug is ${SLUG_MIN_LENGTH}–${SLUG_MAX_LENGTH} characters long.` };
  }
  if (!/^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/.test(slug) || slug.includes('--')) {
    return { rule: 'slug_format', message: 'A slug is lowercase a-z, 0-9 and single hyphens, starting and ending with a letter or digit.' };
  }
  if (slug.endsWith('-sandbox')) return { rule: 'slug_sandbox_suffix', message: 'A slug cannot end in -sandbox (that is the host of a sandbox).' };
  if (RESERVED_SLUGS.has(slug)) return { rule: 'slug_reserved', message: `The slug ${slug} is reserved.` };
  return null;
}

export const slugInput = z
  .string()
  .max(64)
  .superRefine((value, ctx) => {
    const violation = slugViolation(value);
    if (violation) ctx.addIssue({ code: 'custom', message: `${violation.message} (${violation.rule})`, params: { rule: violation.rule } });
  });
