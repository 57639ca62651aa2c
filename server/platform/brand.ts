import { z } from 'zod';
import { AppError } from '../errors.ts';

/**
 * The brand rules of the shared sender (DESIGN.md §2). The brand goes verbatim into every SMS sent
 * from Aldero's shared toll-free number (`Your {Brand} verification code is ...`) and into the
 * opt-in disclosure, so a brand must not be able to carry a second message: no line break, no
 * control or format character (a right-to-left override reorders what the handset shows), no URL,
 * no e-mail address, no phone number to call. What is left is a name: 2–30 characters of letters
 * (any script), digits, spaces and `&'.,-`.
 *
 * Checked on every write (platform create/update, the tenant admin's PATCH), on the NFC form,
 * which is what is stored.
 */

export const BRAND_MIN_LENGTH = 2;
export const BRAND_MAX_LENGTH = 30;
/** A run of this many digits (separators allowed between them) reads as a phone number. */
export const BRAND_PHONE_DIGITS = 5;

export type BrandRule =
  | 'brand_line_break'
  | 'brand_control_character'
  | 'brand_format_character'
  | 'brand_email'
  | 'brand_url'
  | 'brand_phone_number'
  | 'brand_characters'
  | 'brand_length';

export interface BrandViolation {
  rule: BrandRule;
  message: string;
}

const LINE_BREAK = /[\r\n\u0085\u2028\u2029\v\f]/u;
const CONTROL = /\p{Cc}/u;
const FORMAT = /\p{Cf}/u;
/** `://`, `www.`, or a name, a dot and two letters with no space between (`chase.com`, `acme.io`). */
const URL_LIKE = /:\/\/|\bwww\.|[\p{L}\p{N}-]\.\p{L}{2,}/iu;
const EMAIL_LIKE = /@|\uFF20/u;
const PHONE_LIKE = new RegExp(`\\p{Nd}(?:[\\s().+-]{0,2}\\p{Nd}){${BRAND_PHONE_DIGITS - 1},}`, 'u');
/** Letters of any script (with their combining marks), ASCII digits, space and `&'.,-`. */
const ALLOWED = /^(?:\p{L}\p{M}{0,2}|[0-9 &'.,-])*$/u;
const NOT_ALLOWED = /(?:\p{L}\p{M}{0,2}|[0-9 &'.,-])|(.)/gsu;

function codePoint(char: string): string {
  return `U+${char.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Every rule the brand breaks, the most specific first (empty: the brand is fine). */
export function brandViolations(input: string): BrandViolation[] {
  const brand = input.normalize('NFC');
  const found: BrandViolation[] = [];
  if (LINE_BREAK.test(brand)) found.push({ rule: 'brand_line_break', message: 'A brand is one line: no line breaks.' });
  else if (CONTROL.test(brand)) found.push({ rule: 'brand_control_character', message: 'A brand cannot hold control characters.' });
  if (FORMAT.test(brand)) {
    found.push({ rule: 'brand_format_character', message: 'A brand cannot hold invisible format characters (such as right-to-left overrides).' });
  }
  if (EMAIL_LIKE.test(brand)) found.push({ rule: 'brand_email', message: 'A brand cannot hold an e-mail address.' });
  else if (URL_LIKE.test(brand)) found.push({ rule: 'brand_url', message: 'A brand cannot hold a URL or a domain name.' });
  if (PHONE_LIKE.test(brand)) {
    found.push({ rule: 'brand_phone_number', message: `A brand cannot hold a phone number (${BRAND_PHONE_DIGITS} or more digits in a run).` });
  }
  if (!ALLOWED.test(brand)) {
    const others = new Set<string>();
    for (const match of brand.matchAll(NOT_ALLOWED)) if (match[1] !== undefined) others.add(codePoint(match[1]));
    found.push({
      rule: 'brand_characters',
      message: `A brand holds only letters, digits, spaces and & ' . , - (not ${[...others].slice(0, 5).join(', ')}).`,
    });
  }
  const length = [...brand].length;
  if (length < BRAND_MIN_LENGTH || length > BRAND_MAX_LENGTH) {
    found.push({ rule: 'brand_length', message: `A brand is ${BRAND_MIN_LENGTH}–${BRAND_MAX_LENGTH} characters long (this one has ${length}).` });
  }
  return found;
}

/** The brand as stored (NFC, trimmed), or `400 VALIDATION_ERROR` naming the rules it breaks. */
export function vetBrand(input: string, path = 'brand'): string {
  const brand = input.trim().normalize('NFC');
  const violations = brandViolations(brand);
  if (violations.length === 0) return brand;
  const first = violations[0]!;
  throw new AppError(
    'VALIDATION_ERROR',
    { rule: first.rule, issues: violations.map((v) => ({ path, rule: v.rule, message: v.message })) },
    `${path}: ${first.message}`,
  );
}

/**
 * The zod schema of a brand in an input: vetted by the rules above, so the procedure's input
 * parser answers 400 VALIDATION_ERROR naming the rule. The value is stored through `vetBrand`
 * (trimmed, NFC).
 */
export const brandInput = z
  .string()
  .trim()
  .max(256)
  .superRefine((value, ctx) => {
    for (const violation of brandViolations(value)) ctx.addIssue({ code: 'custom', message: `${violation.message} (${violation.rule})`, params: { rule: violation.rule } });
  });
