/**
 * The SMS opt-in disclosure carriers require (DESIGN.md §8): one version for every translation,
 * the texts themselves kept in the enrollment messages (`messages/enroll.ts`, `disclosure`). The enroll element
 * shows it and sends `DISCLOSURE_VERSION` with the setup; the server records the same text in the
 * consent record and refuses a version it does not know. Plain data: no DOM, safe to import from
 * the server. Change the version whenever any translation changes.
 */
import * as enroll from './messages/enroll.ts';

export const DISCLOSURE_VERSION = '2026-11-01';

const TEXTS = {
  en: enroll.en.disclosure,
  es: enroll.es.disclosure,
  fr: enroll.fr.disclosure,
  de: enroll.de.disclosure,
} as const;

export type DisclosureLanguage = keyof typeof TEXTS;

export const DISCLOSURE_LANGUAGES = Object.keys(TEXTS) as DisclosureLanguage[];

/** The language whose text an element in `lang` shows: its own, or English when it has none. */
export function disclosureLanguageOf(lang: string | null | undefined): DisclosureLanguage {
  const primary = (lang ?? '').toLowerCase().split(/[-_]/)[0] as DisclosureLanguage;
  return DISCLOSURE_LANGUAGES.includes(primary) ? primary : 'en';
}

/** The disclosure with the brand filled in, exactly as the enroll element renders it. */
export function disclosureText(brand: string, language: DisclosureLanguage = 'en'): string {
  return TEXTS[language].replace('{brand}', brand);
}
