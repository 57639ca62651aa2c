import { LitElement } from 'lit';
import { property } from 'lit/decorators/property.js';
import type { AlderoEvent, AlderoEventMap } from './events.ts';
import {
  DEFAULT_LANG,
  format,
  loadLocale,
  localeOf,
  lookup,
  resolveLanguage,
  type Catalogue,
  type Language,
  type Message,
  type Params,
  type StringOverrides,
} from './i18n.ts';
import type { Locale } from './messages/en.ts';

/** A key of a catalogue: a message (`verify`) or an entry of a map (`errors.MFA_INVALID_CODE`). */
export type MessageKey<C extends Catalogue> = {
  [K in keyof C & string]: C[K] extends Message ? K : `${K}.${keyof C[K] & string}`;
}[keyof C & string];

/**
 * What every Aldero element shares: its language with the overridable strings, and typed events.
 * Elements that call the API extend `AlderoApiElement`, which adds where the API is and errors.
 */
export abstract class AlderoElement<C extends Catalogue> extends LitElement {
  /** Defines the element once, so two bundles of the components on one page do not clash. */
  static define(this: CustomElementConstructor, tag: string): void {
    if (!customElements.get(tag)) customElements.define(tag, this);
  }

  /**
   * The language (`en`, `es`, `fr`, `de`); by default the nearest `lang` of the page, then the
   * browser's. English is built in; another language is shown once its messages have loaded.
   */
  @property() override lang = '';

  /**
   * `light` or `dark` forces that palette; by default the element follows the user's
   * `prefers-color-scheme`. Both are built from the same `--aldero-*` custom properties.
   */
  @property({ reflect: true }) theme?: 'light' | 'dark';

  /** Overrides of any built-in message (`{ verify: 'Continue', errors: { MFA_INVALID_CODE: '…' } }`). */
  @property({ attribute: false }) strings: StringOverrides<C> = {};

  /** The English sections this element shows (bundled); the same sections of other languages load on demand. */
  protected abstract readonly english: Partial<Locale>;

  private localeLoading?: Promise<void>;

  /** The language shown: the resolved `lang` once its messages are in, English until then (or when it has none). */
  protected get language(): Language {
    const lang = resolveLanguage(this);
    const pending = loadLocale(lang);
    if (pending && !this.localeLoading) {
      this.localeLoading = pending.then(() => {
        this.localeLoading = undefined;
        this.requestUpdate();
      });
    }
    return lang === DEFAULT_LANG || localeOf(lang) ? lang : DEFAULT_LANG;
  }

  /** `updateComplete` also waits for the language to arrive and be rendered. */
  protected override async getUpdateComplete(): Promise<boolean> {
    let complete = await super.getUpdateComplete();
    while (this.localeLoading) {
      await this.localeLoading;
      complete = await super.getUpdateComplete();
    }
    return complete;
  }

  /** A message in the element's language, with the `strings` overrides applied. */
  protected t(key: MessageKey<C>, params?: Params): string {
    return this.message(key, params) ?? key;
  }

  /** Like `t`, for keys known only at run time (`errors.${code}`); undefined when there is none. */
  protected message(key: string, params?: Params): string | undefined {
    const lang = this.language;
    const found = lookup(
      [this.strings, ...(lang === DEFAULT_LANG ? [] : this.sections(localeOf(lang))), ...this.sections(this.english)],
      key,
    );
    return found === undefined ? undefined : format(found, params, lang);
  }

  /** Fires one of the Aldero events: bubbles, crosses shadow roots, typed by name; `cancelable` when the element has a default the page may prevent. */
  protected emit<K extends keyof AlderoEventMap>(name: K, detail: AlderoEventMap[K], options: { cancelable?: boolean } = {}): AlderoEvent<K> {
    const event = new CustomEvent(name, { bubbles: true, composed: true, cancelable: options.cancelable ?? false, detail });
    this.dispatchEvent(event);
    return event;
  }

  /** Moves focus to the element matching `selector` once the current render is on screen. */
  protected async focusOn(selector: string): Promise<void> {
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>(selector)?.focus();
  }

  /** This element's sections of a locale, in the order of `english`. */
  private sections(locale: Partial<Locale> | undefined): (Catalogue | undefined)[] {
    return Object.keys(this.english).map((section) => locale?.[section as keyof Locale]);
  }
}
