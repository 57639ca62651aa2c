import { html, nothing, type TemplateResult } from 'lit';
import { property } from 'lit/decorators/property.js';
import { CODE_DIGITS, RECOVERY_CODE_LENGTH } from '../../server/contract/formats.ts';
import type { Delivery } from '../client/api.ts';
import { AlderoClient } from '../client/index.ts';
import { AlderoError } from '../client/errors.ts';
import { AlderoElement } from './element.ts';
import { formatDuration, type Catalogue } from './i18n.ts';
import type { ResendController } from './resend.ts';

/**
 * An element that calls the Aldero API: where the API is (`tenant`, `domain` or `api-base`,
 * `sandbox`, or a ready `client`), server errors as messages (by code, with attempts left and the
 * wait) and `aldero-error` events, and the pieces the code steps share.
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

  /** The client the element calls: the `client` property, or one made from the attributes. */
  protected get api(): AlderoClient {
    if (this.client) return this.client;
    const key = [this.tenant, this.domain, this.apiBase, this.sandbox].join('|');
    if (this.ownClient?.key !== key) {
      if (!this.tenant) {
        throw new AlderoError('CLIENT_NOT_CONFIGURED', 'Set the tenant attribute or the client property.', 0);
      }
      const client = new AlderoClient({
        tenantSlug: this.tenant,
        domain: this.domain || undefined,
        apiBase: this.apiBase ?? (this.domain ? undefined : ''),
        sandbox: this.sandbox,
      });
      this.ownClient = { key, client };
    }
    return this.ownClient.client;
  }

  /** The message shown for an error: by code (and reason), with attempts left and the wait. */
  protected describeError(error: unknown): string {
    const generic = this.message('genericError') ?? '';
    if (!(error instanceof AlderoError)) return generic;
    const { code, context } = error;
    let text =
      (code === 'MFA_RATE_LIMITED' && context.reason && this.message(`rateLimit.${context.reason}`)) ||
      ((code === 'MFA_DELIVERY_FAILED' || undelivered(context.delivery)) && this.deliveryMessage(context.delivery?.reason)) ||
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

  /** Turns a failed call into the message to show, and tells the page with `aldero-error`. */
  protected reportError(error: unknown): string {
    const message = this.describeError(error);
    const alderoError = error instanceof AlderoError ? error : undefined;
    this.emit('aldero-error', {
      code: alderoError?.code ?? 'INTERNAL_ERROR',
      message,
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

/** A send whose SMS did not go out: it failed, or was dropped before sending. */
function undelivered(delivery: Delivery | undefined): boolean {
  return delivery?.status === 'failed' || delivery?.status === 'dropped';
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
