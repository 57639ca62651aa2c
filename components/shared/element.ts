import { html, LitElement, type TemplateResult } from 'lit';
import { property } from 'lit/decorators/property.js';
import type { AlderoClient } from '../client/index.ts';
import {
  DEFAULT_LANG,
  format,
  lookup,
  resolveLang,
  type Catalogue,
  type Message,
  type Params,
  type StringOverrides,
} from './i18n.ts';

/** A key of a catalogue: a message (`verify`) or an entry of a map (`errors.MFA_INVALID_CODE`). */
export type MessageKey<C extends Catalogue> = {
  [K in keyof C & string]: C[K] extends Message ? K : `${K}.${keyof C[K] & string}`;
}[keyof C & string];

/** Defines a custom element once, so two bundles of the components on one page do not clash. */
export function defineElement(tag: string, constructor: CustomElementConstructor): void {
  if (!customElements.get(tag)) customElements.define(tag, constructor);
}

/**
 * What every Aldero element shares: where the API is (`tenant`, `domain` or `api-base`,
 * `sandbox`, or a ready `client`), the brand, and the language with its overridable strings.
 * Elements that call the API extend `AlderoApiElement`, which adds the client and error handling.
 */
export abstract class AlderoElement<C extends Catalogue> extends LitElement {
  /** The tenant's slug, e.g. `acme`. */
  @property() tenant = '';

  /** Where tenants live (`aldero.io`, or `localhost:3000` in development). */
  @property() domain = '';

  /**
   * A fixed API base URL instead of the tenant subdomain (a reverse proxy, the page's own origin);
   * the tenant then travels in the `X-Aldero-Tenant` header. With neither `domain` nor `api-base`,
   * the API is expected on the page's own origin.
   */
  @property({ attribute: 'api-base' }) apiBase?: string;

  /** The tenant's brand, as users know it (shown in the SMS opt-in disclosure and on saved codes). */
  @property() brand = '';

  /** Talk to the tenant's sandbox: no real SMS, codes in the sandbox inbox. */
  @property({ type: Boolean }) sandbox = false;

  /** The language (`en`, `es`, `fr`, `de`); by default the nearest `lang` of the page, then the browser's. */
  @property() override lang = '';

  /** A configured `AlderoClient`; when set, `tenant`, `domain`, `api-base` and `sandbox` are not used. */
  @property({ attribute: false }) client?: AlderoClient;

  /** Overrides of any built-in message (`{ verify: 'Continue', errors: { MFA_INVALID_CODE: '…' } }`). */
  @property({ attribute: false }) strings: StringOverrides<C> = {};

  /** The element's messages per language; English is the fallback for anything missing. */
  protected abstract readonly catalogues: Readonly<Record<string, C>>;

  /** The language shown: the resolved `lang` when it is built in, else English. */
  protected get language(): string {
    const lang = resolveLang(this);
    return lang in this.catalogues ? lang : DEFAULT_LANG;
  }

  /** A message in the element's language, with the `strings` overrides applied. */
  protected t(key: MessageKey<C>, params?: Params): string {
    return this.message(key, params) ?? key;
  }

  /** Like `t`, for keys known only at run time (`errors.${code}`); undefined when there is none. */
  protected message(key: string, params?: Params): string | undefined {
    const lang = this.language;
    const found = lookup([this.strings, this.catalogues[lang], this.catalogues[DEFAULT_LANG]], key);
    return found === undefined ? undefined : format(found, params, lang);
  }

  /** Moves focus to the element matching `selector` once the current render is on screen. */
  protected async focusOn(selector: string): Promise<void> {
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>(selector)?.focus();
  }

  protected renderSpinner(): TemplateResult {
    return html`<span part="spinner" aria-hidden="true"></span>`;
  }
}
