import { getCountries, getCountryCallingCode, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import { E164_PATTERN } from './contract/formats.ts';
import { AppError } from './errors.ts';
import type { Env } from './store/documents.ts';

/**
 * Phone numbers, below every feature that handles one (enrollment, quotas, audit, delivery):
 * parsing, the enrollment check and the masked form. libphonenumber-js is imported here only.
 */

/** Number types that cannot receive an SMS, or that cost the sender (premium-rate, shared-cost). */
const REFUSED_TYPES = new Set(['PREMIUM_RATE', 'SHARED_COST', 'FIXED_LINE', 'TOLL_FREE', 'UAN', 'VOICEMAIL', 'PAGER']);

/**
 * The one spelling of a phone number: libphonenumber's E.164 (`+114155552671` and
 * `+1 415 555 2671` are `+14155552671`). Phones are stored, counted, opted out and sent in this
 * form only, so one line has one quota. Null when the input does not canonicalise.
 */
export function canonicalPhone(input: string): string | null {
  if (!E164_PATTERN.test(input.replace(/[\s().-]/g, ''))) return null;
  const number = parsePhoneNumberFromString(input)?.number;
  return number && E164_PATTERN.test(number) ? number : null;
}

/**
 * Checks a phone number for enrollment and returns its canonical form. Every environment
 * requires E.164 that libphonenumber canonicalises; live also requires a valid, SMS-capable
 * number. Sandbox accepts any such number, so the guide's fictional `+15550109911` works there.
 */
export function assertEnrollablePhone(phone: string, env: Env): string {
  if (!E164_PATTERN.test(phone)) {
    throw new AppError('VALIDATION_ERROR', { issues: [{ path: 'phone', message: 'Phone is not E.164 format' }] }, 'Phone is not E.164 format (e.g. +15550109911).');
  }
  const canonical = canonicalPhone(phone);
  if (!canonical) {
    throw new AppError('VALIDATION_ERROR', { issues: [{ path: 'phone', message: 'Phone number is not a number of any country' }] }, 'This phone number is not valid.');
  }
  if (env === 'sandbox') return canonical;
  const parsed = parsePhoneNumberFromString(canonical);
  if (!parsed || !parsed.isValid()) {
    throw new AppError('VALIDATION_ERROR', { issues: [{ path: 'phone', message: 'Phone number is not valid' }] }, 'This phone number is not valid.');
  }
  const type = parsed.getType();
  if (type && REFUSED_TYPES.has(type)) {
    throw new AppError('VALIDATION_ERROR', { issues: [{ path: 'phone', message: `Phone number cannot receive SMS (${type.toLowerCase()})` }] }, 'This phone number cannot receive verification codes by SMS.');
  }
  return canonical;
}

/** The country (ISO 3166 alpha-2) of an E.164 number, or null when it cannot be told. */
export function countryOf(phone: string): string | null {
  return parsePhoneNumberFromString(phone)?.country ?? null;
}

let callingCodes: Set<string> | undefined;

/**
 * The country calling code of an E.164 number (`+44…` → `44`), or null. Calling codes are
 * prefix-free (ITU-T E.164), so the first 1–3 digits that are one are the code: a set lookup
 * instead of a full parse (libphonenumber's parse cost ~100 µs per masked phone under load).
 */
function callingCodeOf(phone: string): string | null {
  callingCodes ??= new Set(getCountries().map((country) => getCountryCallingCode(country)));
  for (let length = 1; length <= 3; length++) {
    const candidate = phone.slice(1, 1 + length);
    if (callingCodes.has(candidate)) return candidate;
  }
  return null;
}

/** `+1 ••• ••• 9911`: enough for the user to recognise the number, not enough to learn it. */
export function maskPhone(phone: string): string {
  const code = phone.startsWith('+') ? callingCodeOf(phone) : null;
  const prefix = code ? `+${code}` : phone.slice(0, 2);
  return `${prefix} ••• ••• ${phone.slice(-4)}`;
}
