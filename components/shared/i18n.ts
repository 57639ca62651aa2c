/**
 * The message machinery. The catalogue itself lives in `messages/{section}.ts`, one file per section
 * (`errors`, `code`, `challenge`, `enroll`, `recovery-codes`), each in every language, so an element's
 * bundle carries only the sections it shows.
 */

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

/** The primary language subtag of the nearest `lang` (element, ancestors, document, browser). */
export function resolveLang(element: HTMLElement): string {
  const lang =
    element.lang ||
    element.closest('[lang]')?.getAttribute('lang') ||
    document.documentElement.lang ||
    navigator.language ||
    DEFAULT_LANG;
  return lang.toLowerCase().split('-')[0];
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

/** Looks a key (`verify`, or `errors.MFA_INVALID_CODE`) up in the overrides, then the locale, then English. */
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

/** Joins catalogue sections into an element's catalogue; maps present in several (`errors`) are merged. */
export function mergeSections<C extends Catalogue>(...sections: Catalogue[]): C {
  const merged: Catalogue = {};
  for (const section of sections) {
    for (const [key, value] of Object.entries(section)) {
      const previous = merged[key];
      merged[key] =
        typeof value === 'object' && !('other' in value) && previous ? { ...(previous as object), ...value } : value;
    }
  }
  return merged as C;
}

/** `125` → `2:05` */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.ceil(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}
