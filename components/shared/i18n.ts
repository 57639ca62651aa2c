/**
 * The message machinery. The messages themselves live in `messages/{lang}.ts`, one section per
 * part of the UI. English is bundled (each element imports only the English sections it shows);
 * every other language is its own module, imported the first time an element needs it, so a new
 * language costs an English page nothing (lit-localize's runtime mode: render the source
 * language, re-render when the locale arrives).
 */
import type { DisclosureLanguage } from '../../server/contract/disclosure.ts';
import type { Locale } from './messages/en.ts';

/** A message with `{name}` placeholders, or plural forms chosen by the `count` parameter. */
export type Message = string | PluralMessage;
export type PluralMessage = Partial<Record<Intl.LDMLPluralRule, string>> & { other: string };

export type Params = Record<string, string | number | undefined>;

/** The messages of one element in one language: flat keys, plus maps such as `errors`. */
export type Catalogue = Record<string, Message | Record<string, Message>>;

/** `strings` overrides: any message, and any entry of a map (`errors.MFA_INVALID_CODE`). */
export type StringOverrides<C extends Catalogue> = {
  [K in keyof C]?: C[K] extends Message ? Message : Partial<C[K]> & Record<string, Message>;
};

export const DEFAULT_LANG = 'en';

/**
 * The languages loaded on demand. The elements speak the languages of the opt-in disclosure
 * (the contract): one missing here fails the typecheck.
 */
const LOADERS = {
  es: () => import('./messages/es.ts'),
  fr: () => import('./messages/fr.ts'),
  de: () => import('./messages/de.ts'),
} satisfies Record<Exclude<DisclosureLanguage, typeof DEFAULT_LANG>, () => Promise<Locale>>;

/** Loaded locales; `null` for one that failed to load (its elements stay in English). */
const locales = new Map<string, Locale | null>();
const loading = new Map<string, Promise<void>>();

/** The messages of `lang` once they are loaded (never English, which each element bundles). */
export function localeOf(lang: string): Locale | undefined {
  return locales.get(lang) ?? undefined;
}

/**
 * Loads `lang`'s messages once; the promise settles when they are in (or failed to load).
 * Undefined when there is nothing to wait for: English, or a language already settled.
 */
export function loadLocale(lang: Language): Promise<void> | undefined {
  if (lang === DEFAULT_LANG || locales.has(lang)) return undefined;
  let pending = loading.get(lang);
  if (!pending) {
    pending = LOADERS[lang]()
      .then(
        (locale) => void locales.set(lang, locale),
        () => void locales.set(lang, null),
      )
      .finally(() => loading.delete(lang));
    loading.set(lang, pending);
  }
  return pending;
}

/** A language the elements speak: English and those loaded on demand. */
export type Language = typeof DEFAULT_LANG | keyof typeof LOADERS;

/** The language of the nearest `lang` (element, ancestors, document, browser), or English when the elements do not speak it. */
export function resolveLanguage(element: HTMLElement): Language {
  const lang =
    element.lang ||
    element.closest('[lang]')?.getAttribute('lang') ||
    document.documentElement.lang ||
    navigator.language ||
    DEFAULT_LANG;
  const primary = lang.toLowerCase().split(/[-_]/)[0];
  return primary in LOADERS ? (primary as Language) : DEFAULT_LANG;
}

/** Fills `{name}` placeholders; picks the plural form for `params.count` in `lang`. */
export function format(message: Message, params: Params = {}, lang = DEFAULT_LANG): string {
  let text: string;
  if (typeof message === 'string') {
    text = message;
  } else {
    const count = Number(params.count ?? 0);
    text = message[new Intl.PluralRules(lang).select(count)] ?? message.other;
  }
  return text.replace(/\{(\w+)\}/g, (match, name: string) => {
    const value = params[name];
    return value === undefined ? match : String(value);
  });
}

/** Looks a key (`verify`, or `errors.MFA_INVALID_CODE`) up in each source in turn: the first that has it wins. */
export function lookup(
  sources: readonly (Catalogue | StringOverrides<Catalogue> | undefined)[],
  key: string,
): Message | undefined {
  const [group, entry] = key.split('.');
  for (const source of sources) {
    const value = source?.[group];
    const message = entry === undefined ? value : (value as Record<string, Message> | undefined)?.[entry];
    if (typeof message === 'string' || (message && 'other' in message)) return message as Message;
  }
  return undefined;
}

/** `125` → `2:05` */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
