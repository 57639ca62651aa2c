import { html, nothing, type TemplateResult } from 'lit';
import { property } from 'lit/decorators/property.js';
import { CODE_DIGITS, RECOVERY_CODE_LENGTH } from '../../server/contract/formats.ts';
import type { Delivery } from '../client/api.ts';
import { AlderoClient } from '../client/index.ts';
import { AlderoError } from '../client/errors.ts';
import { undelivered } from './delivery-watch.ts';
import type { Finding } from './diagnosis.ts';
import { AlderoElement } from './element.ts';
import { formatDuration, type Catalogue } from './i18n.ts';
import type { ResendController } from './resend.ts';

/** Where the elements are served from on a tenant host: `https://{slug}[-sandbox].{domain}/v1/elements/…`. */
const ELEMENTS_PATH = '/v1/elements/';
const SANDBOX_SUFFIX = '-sandbox';

/**
 * The API and the tenant a bundle loaded from a tenant host belongs to (`import.meta.url` of the
 * bundle: `https://acme-sandbox.aldero.io/v1/elements/index.js` → that origin, `acme`, sandbox);
 * undefined anywhere else (a tenant's own build, a CDN, an IP address, the tests).
 */
export function endpointOfScript(scriptUrl: string): { apiBase: string; tenant: string; sandbox: boolean } | undefined {
  let url: URL;
  try {
    url = new URL(scriptUrl);
  } catch {
    return undefined;
  }
  const [label, ...domain] = url.hostname.split('.');
  // An IP address (`127.0.0.1`, `[::1]`) names no tenant.
  const ip = /^[\d.]+$|:/.test(url.hostname);
  if (!/^https?:$/.test(url.protocol) || !url.pathname.startsWith(ELEMENTS_PATH) || !label || domain.length === 0 || ip) return undefined;
  const sandbox = label.endsWith(SANDBOX_SUFFIX);
  return { apiBase: url.origin, tenant: sandbox ? label.slice(0, -SANDBOX_SUFFIX.length) : label, sandbox };
}

const scriptEndpoint = endpointOfScript(import.meta.url);

/** The configuration diagnosis (`./diagnosis.ts`), fetched the first time a call fails; undefined when it cannot load. */
export const diagnosis = () => import('./diagnosis.ts').catch(() => undefined);

/** A finding of the diagnosis as the error to report, caused by the failure it explains. */
export const misconfigured = (finding: Finding | undefined, cause: unknown) =>
  finding && new AlderoError(finding.code, finding.message, 0, {}, { cause });

/** Where the developer reads about a `CONFIG_*` code. */
const DOCS_HINT = 'See "Configuration errors" in the Aldero README.';

/**
 * An element that calls the Aldero API: where the API is (`tenant`, `domain` or `api-base`,
 * `sandbox`, or a ready `client`; loaded from a tenant host, the script's own URL), server errors
 * as messages (by code, with attempts left and the wait) and `aldero-error` events, configuration
 * faults told to the developer (console and a `CONFIG_*` code) and not to the user, and the
 * pieces the code steps share.
 */
export abstract class AlderoApiElement<C extends Catalogue> extends AlderoElement<C> {
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

  /** Talk to the tenant's sandbox: no real SMS, codes in the sandbox inbox. */
  @property({ type: Boolean }) sandbox = false;

  /** A configured `AlderoClient`; when set, `tenant`, `domain`, `api-base` and `sandbox` are not used. */
  @property({ attribute: false }) client?: AlderoClient;

  /** Seconds before "Resend code" is offered again after a send (a courtesy; the server may ask for more). */
  @property({ type: Number, attribute: 'resend-delay' }) resendDelay = 30;

  private ownClient?: { key: string; client: AlderoClient };

  /**
   * The client the element calls: the `client` property, or one made from the attributes, or
   * (no `tenant` attribute, loaded from a tenant host) from the script's URL.
   */
  protected get api(): AlderoClient {
    if (this.client) return this.client;
    const fromScript = !this.tenant && !this.domain && this.apiBase === undefined ? scriptEndpoint : undefined;
    const options = fromScript
      ? { tenantSlug: fromScript.tenant, apiBase: fromScript.apiBase, sandbox: fromScript.sandbox || this.sandbox }
      : {
          tenantSlug: this.tenant,
          domain: this.domain || undefined,
          apiBase: this.apiBase ?? (this.domain ? undefined : ''),
          sandbox: this.sandbox,
        };
    const key = [options.tenantSlug, options.domain, options.apiBase, options.sandbox].join('|');
    if (this.ownClient?.key !== key) {
      if (!options.tenantSlug) {
        throw new AlderoError('CONFIG_TENANT_MISSING', 'Set the tenant attribute (or the client property).', 0);
      }
      this.ownClient = { key, client: new AlderoClient(options) };
    }
    return this.ownClient.client;
  }

  /**
   * Runs a call of the API. A failure that is the page's set-up's fault comes out as the
   * `CONFIG_*` error saying so (see `misconfiguration`).
   */
  protected async call<T>(run: (api: AlderoClient) => Promise<T>): Promise<T> {
    const api = this.api;
    try {
      return await run(api);
    } catch (error) {
      throw (await this.misconfiguration(error, api)) ?? error;
    }
  }

  /**
   * The configuration fault behind a failed call, if it is one: an unreachable API that answers
   * its public `GET /v1/tenant` refused this page's origin. Elements add their own cases.
   */
  protected async misconfiguration(error: unknown, api: AlderoClient): Promise<AlderoError | undefined> {
    if (!(error instanceof AlderoError) || error.code !== 'NETWORK_ERROR') return undefined;
    return misconfigured(await (await diagnosis())?.originRefused(api), error);
  }

  /** The message shown for an error: by code (and reason), with attempts left and the wait. */
  protected describeError(error: unknown): string {
    const generic = this.message('genericError') ?? '';
    if (!(error instanceof AlderoError)) return generic;
    const { code, context } = error;
    let text =
      (code === 'MFA_RATE_LIMITED' && context.reason && this.message(`rateLimit.${context.reason}`)) ||
      // A send refused at once (MFA_DELIVERY_FAILED, its `reason`), or one that failed later (its `delivery`).
      ((code === 'MFA_DELIVERY_FAILED' || undelivered(context.delivery)) && this.deliveryMessage(context.delivery?.reason ?? context.reason)) ||
      this.message(`errors.${code}`) ||
      // A code newer than these messages: the server's sentence, unless the fault is on its side.
      (error.status < 500 && error.message) ||
      generic;
    if (code === 'MFA_INVALID_CODE' && typeof context.attemptsRemaining === 'number') {
      text += ` ${this.message('attemptsLeft', { count: context.attemptsRemaining })}`;
    }
    const wait = context.retryAfterSeconds;
    if ((code === 'MFA_RATE_LIMITED' || code === 'RATE_LIMITED') && typeof wait === 'number' && wait > 0) {
      text += ` ${this.message('tryAgainIn', { time: formatDuration(wait) })}`;
    }
    return text;
  }

  /** Why an SMS did not arrive, and the way out (`delivery.opted_out`, ...). */
  protected deliveryMessage(reason: string | null | undefined): string {
    return (reason && this.message(`delivery.${reason}`)) || this.message('delivery.failed') || '';
  }

  /** When the SMS of a send did not go out: the message to show (told to the page as `aldero-error`). */
  protected reportUndelivered(delivery: Delivery): string | undefined {
    if (!undelivered(delivery)) return undefined;
    return this.reportError(new AlderoError('MFA_DELIVERY_FAILED', this.deliveryMessage(delivery.reason), 422, { delivery }));
  }

  /**
   * Turns a failed call into the message to show, and tells the page with `aldero-error`. A
   * configuration fault (`CONFIG_*`) also says on the console what the developer has to fix.
   */
  protected reportError(error: unknown): string {
    const message = this.describeError(error);
    const alderoError = error instanceof AlderoError ? error : undefined;
    if (alderoError && isConfigurationError(alderoError)) {
      console.error(`<${this.localName}> ${alderoError.code}: ${alderoError.message} ${DOCS_HINT}`);
    }
    // The reason of a limit or of an SMS that cannot go out (refused at once, or failed later), so
    // the page can act on it too. (A delivery's reason is one of the contract's; the server's
    // output schema types it as a string.)
    const reason = alderoError?.context.reason ?? alderoError?.context.delivery?.reason;
    this.emit('aldero-error', {
      code: alderoError?.code ?? 'INTERNAL_ERROR',
      message,
      ...(reason && { reason }),
      ...(alderoError?.retryAfterSeconds !== undefined && { retryAfterSeconds: alderoError.retryAfterSeconds }),
    });
    return message;
  }

  /** The `role="alert"` region every step keeps in place, so screen readers announce what lands in it. */
  protected renderError(message: string | undefined): TemplateResult {
    return html`<p part="error" id="error" role="alert">${message ?? nothing}</p>`;
  }

  /** Resend button with its countdown and the resends left (enrollment and challenge). */
  protected renderResend(resend: ResendController, pending: boolean, onResend: () => void): TemplateResult {
    const seconds = resend.secondsLeft;
    const left = resend.sendsRemaining;
    return html`
      <div class="row">
        <button type="button" part="button secondary-button resend-button" id="resend" aria-describedby="countdown"
          ?disabled=${pending || !resend.canResend} aria-busy=${pending} @click=${onResend}>
          ${this.renderLabel(pending, this.message('resend') ?? '')}
        </button>
        <span part="countdown" id="countdown">${[
          seconds > 0 && !resend.exhausted ? this.message('resendIn', { time: formatDuration(seconds) }) : '',
          left ? this.message('sendsLeft', { count: left }) : '',
        ].filter(Boolean).join(' · ')}</span>
      </div>
    `;
  }

  /**
   * The code field: one native input, so SMS autofill (`autocomplete="one-time-code"`) and
   * password managers work. The digits of a code, or a recovery code (`6dca-d1dd`) with `recovery`.
   */
  protected renderCodeInput(options: {
    label: string;
    hint: string;
    value: string;
    disabled: boolean;
    invalid: boolean;
    /** The `role="alert"` message, shown right under the field it is about. */
    error: string | undefined;
    recovery?: boolean;
    onInput: (event: InputEvent) => void;
  }): TemplateResult {
    const recovery = options.recovery === true;
    return html`
      <label part="label" for="code">${options.label}</label>
      <span part="hint" id="code-hint">${options.hint}</span>
      <input part="input code-input" id="code" name=${recovery ? 'recovery-code' : 'code'} type="text"
        autocomplete=${recovery ? 'off' : 'one-time-code'} inputmode=${recovery ? 'text' : 'numeric'}
        maxlength=${recovery ? RECOVERY_CODE_LENGTH : CODE_DIGITS} autocapitalize="off" spellcheck="false"
        aria-describedby="code-hint error" aria-invalid=${options.invalid ? 'true' : 'false'} .value=${options.value}
        ?disabled=${options.disabled} @input=${options.onInput} />
      ${this.renderError(options.error)}
    `;
  }

  /** A button's label, behind a spinner while its task runs (the button is disabled and `aria-busy` then). */
  protected renderLabel(pending: boolean, label: string): TemplateResult {
    return html`${pending ? this.renderSpinner() : nothing}${label}`;
  }

  protected renderSpinner(): TemplateResult {
    return html`<span part="spinner" aria-hidden="true"></span>`;
  }
}

/** A fault of the page's set-up, not of the user or the server: `CONFIG_*`, and the SDK's own. */
export function isConfigurationError(error: AlderoError): boolean {
  return (
    error.code.startsWith('CONFIG_') ||
    error.code === 'CLIENT_NOT_CONFIGURED' ||
    error.code === 'TENANT_NOT_FOUND' ||
    error.code === 'ORIGIN_NOT_ALLOWED'
  );
}

/** Digits only, as many as a code has: what a code field keeps of any keystroke or paste. */
export function codeDigits(input: HTMLInputElement): string {
  const code = input.value.replace(/\D/g, '').slice(0, CODE_DIGITS);
  input.value = code;
  return code;
}

/** A recovery code as typed (`6DCA d1dd` → `6dca-d1dd`): lowercase hex, the dash put in the middle. */
export function recoveryCodeInput(input: HTMLInputElement): string {
  const half = (RECOVERY_CODE_LENGTH - 1) / 2;
  const hex = input.value.toLowerCase().replace(/[^0-9a-f]/g, '').slice(0, half * 2);
  input.value = hex.length > half ? `${hex.slice(0, half)}-${hex.slice(half)}` : hex;
  return input.value;
}
