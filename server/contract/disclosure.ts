/**
 * The SMS opt-in disclosure carriers require (DESIGN.md §8), in every language the elements
 * show it in. The enroll element renders it (not overridable) and sends its version and
 * language with the setup; the server records exactly this text in the consent record and
 * refuses a version it does not know. Change the version whenever any translation changes.
 */

export const DISCLOSURE_VERSION = '2026-11-01';

/** Every version the server accepts in a setup (older ones while elements that show them are in use). */
export const DISCLOSURE_VERSIONS: readonly string[] = [DISCLOSURE_VERSION];

const TEXTS = {
  en:
    'Verification codes are sent by Aldero, our authentication provider, on behalf of {brand}. Message frequency varies. Message and data rates may apply. Reply STOP to opt out, HELP for help.',
  es:
    'Aldero, nuestro proveedor de autenticación, envía los códigos de verificación en nombre de {brand}. La frecuencia de los mensajes varía. Pueden aplicarse tarifas de mensajes y datos. Responde STOP para darte de baja y HELP para obtener ayuda.',
  fr:
    'Les codes de vérification sont envoyés par Aldero, notre fournisseur d’authentification, pour le compte de {brand}. La fréquence des messages varie. Des frais de messagerie et de données peuvent s’appliquer. Répondez STOP pour vous désinscrire, HELP pour obtenir de l’aide.',
  de:
    'Bestätigungscodes werden von Aldero, unserem Authentifizierungsanbieter, im Auftrag von {brand} gesendet. Die Häufigkeit der Nachrichten variiert. Es können Gebühren für Nachrichten und Daten anfallen. Antworten Sie STOP zum Abmelden, HELP für Hilfe.',
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
