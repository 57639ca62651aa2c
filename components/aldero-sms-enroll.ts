import { AsYouType, getCountries, getCountryCallingCode } from 'libphonenumber-js/min';
import type { CountryCode } from 'libphonenumber-js/min';
import { html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { property } from 'lit/decorators/property.js';
import { state } from 'lit/decorators/state.js';
import { DISCLOSURE_VERSION, disclosureText, type DisclosureLanguage } from '../server/contract/disclosure.ts';
import { CODE_DIGITS, CODE_PATTERN } from '../server/contract/formats.ts';
import './aldero-recovery-codes.ts';
import styles from './aldero-sms-enroll.styles.ts';
import type { AlderoClient } from './client/index.ts';
import type { CodeSent, Delivery, RouterOutputs } from './client/api.ts';
import { AlderoError } from './client/errors.ts';
import { AlderoApiElement, codeDigits, diagnosis, misconfigured } from './shared/api-element.ts';
import componentStyles from './shared/component.styles.ts';
import { DeliveryWatch } from './shared/delivery-watch.ts';
import {
  code,
  enroll,
  errors,
  recoveryCodes,
  type CodeMessages,
  type EnrollMessages,
  type ErrorMessages,
  type RecoveryCodesMessages,
} from './shared/messages/en.ts';
import { ResendController } from './shared/resend.ts';
import { ElementTask } from './shared/task.ts';
import { visibilityProblem } from './shared/visibility.ts';

export type EnrollCatalogue = ErrorMessages & CodeMessages & EnrollMessages & RecoveryCodesMessages;

/** The version of the disclosure the element shows; sent with the setup so the server records the consent. */
export { DISCLOSURE_VERSION };

type Step = 'phone' | 'code' | 'codes' | 'done';

/** The properties that say which API and environment the element talks to: a change loads the tenant's face again. */
const API_PROPERTIES = ['client', 'tenant', 'domain', 'apiBase', 'sandbox'] as const;

/** The main country of the calling codes several countries share (as libphonenumber-js lists them first). */
const MAIN_COUNTRY: Record<string, CountryCode> = { 1: 'US', 7: 'RU', 44: 'GB', 47: 'NO', 61: 'AU', 39: 'IT', 212: 'MA', 262: 'RE', 290: 'SH', 358: 'FI', 590: 'GP', 599: 'CW' };

/** The tenant's public face (`tenant.get`, `GET /v1/tenant`): the brand its SMS and its consent records carry, and the disclosure. */
type TenantFace = RouterOutputs['tenant']['get'];

/** One face per API and environment for the whole page; a failed one is asked again next time. */
const faces = new Map<string, Promise<TenantFace>>();

function faceOf(api: AlderoClient): Promise<TenantFace> {
  const key = `${api.baseUrl}|${api.options.tenantSlug}|${api.options.sandbox}`;
  let face = faces.get(key);
  if (!face) {
    face = api.tenant.get();
    faces.set(key, face);
    face.catch(() => faces.delete(key));
  }
  return face;
}

const countryNames = new Map<string, { code: CountryCode; label: string }[]>();

/** Every country libphonenumber-js knows, named in `lang` and sorted for it. */
function countryOptions(lang: string): { code: CountryCode; label: string }[] {
  let options = countryNames.get(lang);
  if (!options) {
    const names = new Intl.DisplayNames([lang], { type: 'region' });
    options = getCountries()
      .map((code) => ({ code, label: `${names.of(code) ?? code} (+${getCountryCallingCode(code)})` }))
      .sort((a, b) => a.label.localeCompare(b.label, lang));
    countryNames.set(lang, options);
  }
  return options;
}

/** `value` as a country libphonenumber-js knows (`gb` → `GB`), or undefined. */
function asCountry(value: string | undefined): CountryCode | undefined {
  const upper = value?.toUpperCase();
  return getCountries().find((code) => code === upper);
}

/**
 * @summary Enrolls a signed-in user's phone for SMS verification: number with opt-in disclosure, code, recovery codes.
 * @tag aldero-sms-enroll
 *
 * Acts for the signed-in user: give it their access token through the `accessToken` property
 * (never an attribute, so it stays out of the DOM) or a `client` that holds it.
 *
 * Every message can be overridden through `strings` except the opt-in disclosure, which is shown
 * in exactly the words of its version (`DISCLOSURE_VERSION`), with the brand the server states
 * (`GET /v1/tenant`: the brand its SMS and its consent record carry; never a page attribute).
 * Before each send the element checks that the disclosure is visible beside the phone field; if
 * a page's CSS hides it, nothing is sent (`aldero-error` with `CONFIG_DISCLOSURE_HIDDEN`).
 *
 * @csspart base - The wrapper of the element.
 * @csspart label - Field labels.
 * @csspart hint - Helper texts.
 * @csspart input - The country select, the phone field and the code field.
 * @csspart country-select - The country select.
 * @csspart phone-input - The national phone number field.
 * @csspart disclosure - The SMS opt-in disclosure, always shown with the phone field.
 * @csspart code-input - The code field (`autocomplete="one-time-code"`).
 * @csspart error - The `role="alert"` message region.
 * @csspart button - Every button.
 * @csspart primary-button - Send code, verify.
 * @csspart secondary-button - Resend, use a different number.
 * @csspart resend-button - The "Resend code" button.
 * @csspart countdown - The time before a resend is possible, and the resends left.
 * @csspart spinner - The pending indicator.
 *
 * @cssprop --aldero-color-primary - Buttons and links.
 * @cssprop --aldero-color-primary-contrast - Text on primary buttons.
 * @cssprop --aldero-color-danger - Error messages.
 * @cssprop --aldero-color-text - Text.
 * @cssprop --aldero-color-muted - Hints and the disclosure.
 * @cssprop --aldero-color-surface - Background of the disclosure and the code list.
 * @cssprop --aldero-color-background - Background of the element and its fields.
 * @cssprop --aldero-color-border - Borders.
 * @cssprop --aldero-font-family - Font.
 * @cssprop --aldero-font-size - Base font size.
 * @cssprop --aldero-radius - Corner radius.
 * @cssprop --aldero-focus-ring - Box shadow of the focused control.
 * @cssprop --aldero-spacing - Space between the parts.
 *
 * @fires aldero-code-sent - A code was sent to the number. `{ maskedPhone, sendsRemaining, retryAfterSeconds, expiresAt }`
 * @fires aldero-enrolled - The number is verified and the SMS factor is on. `{ phone }`
 * @fires aldero-recovery-codes-saved - The user acknowledged saving the recovery codes. `{}`
 * @fires aldero-error - A call failed, or the code's SMS did not go out (`MFA_DELIVERY_FAILED`, also when learnt after the send answered). `{ code, message, reason?, retryAfterSeconds? }`
 */
export class AlderoSmsEnroll extends AlderoApiElement<EnrollCatalogue> {
  static override styles = [componentStyles, styles];

  /** The signed-in user's access token. A property only: it never appears in the DOM. */
  @property({ attribute: false }) accessToken?: string | null;

  /** The country selected at first (ISO 3166 alpha-2); by default the region of the browser's language, else US. */
  @property({ attribute: 'default-country' }) defaultCountry = '';

  @state() private step: Step = 'phone';
  @state() private country?: CountryCode;
  @state() private national = '';
  @state() private phone = '';
  @state() private maskedPhone = '';
  @state() private code = '';
  @state() private errorMessage?: string;
  /** Whether the message is about what was typed (the field is then `aria-invalid`). */
  @state() private invalid = false;
  @state() private notice?: string;
  @state() private recoveryCodes: string[] = [];
  /** The tenant as the server states it: the brand of the disclosure. */
  @state() private face?: TenantFace;

  /** The recovery-codes step's messages ride along, so one `strings` object can override the whole flow. */
  protected readonly english = { errors, code, enroll, recoveryCodes };
  private readonly resend = new ResendController(this);
  /** While the code's SMS is on its way, the enrollment's status is read again, to explain a failed delivery. */
  private readonly deliveryWatch = new DeliveryWatch(this, () => void this.statusTask.run(this.sends));
  /** The sends answered so far: a status read for an earlier one is not shown. */
  private sends = 0;
  private tokenClient?: AlderoClient;

  /** The brand and the disclosure, from the server, before the phone step can send (run for each API, see `willUpdate`). */
  private readonly faceTask = new ElementTask(this, {
    task: async () => this.call(faceOf),
    onComplete: (face) => {
      this.face = face;
    },
    onError: (error) => {
      this.face = undefined;
      this.errorMessage = this.reportError(error);
    },
  });

  private readonly sendTask = new ElementTask(this, {
    task: async (phone: string, disclosure: { version: string; language: DisclosureLanguage }) =>
      this.call((api) =>
        api.auth.mfa.sms.setup({ phone, disclosureVersion: disclosure.version, disclosureLanguage: disclosure.language, disclosureChecked: true }),
      ),
    onComplete: (sent) => this.applyCodeSent(sent),
    onError: (error) => {
      this.deliveryWatch.stop();
      this.fail(error);
    },
  });

  /** The enrollment in progress (`POST /v1/auth/mfa/sms/status`), read after a send to follow its SMS. */
  private readonly statusTask = new ElementTask(this, {
    task: async (send: number) => ({ send, status: await this.call((api) => api.auth.mfa.sms.status()) }),
    onComplete: ({ send, status }) => {
      // Still waiting for that send's code (no send since, not moved on to another number, nor confirmed).
      if (this.step !== 'code' || send !== this.sends) return;
      this.resend.sendsRemaining = status.sendsRemaining;
      this.followDelivery(status.delivery);
    },
    // A check that fails (the network, an enrollment confirmed meanwhile) is not the user's
    // concern: the code field still works, and their next step reports what is wrong.
    onError: () => undefined,
  });

  private readonly confirmTask = new ElementTask(this, {
    task: async (code: string) => this.call((api) => api.auth.mfa.sms.confirm({ code })),
    onComplete: ({ recoveryCodes }) => {
      this.deliveryWatch.stop();
      this.errorMessage = undefined;
      this.notice = undefined;
      this.recoveryCodes = recoveryCodes;
      this.step = 'codes';
      this.emit('aldero-enrolled', { phone: this.phone });
      void this.updateComplete.then(() => this.renderRoot.querySelector('aldero-recovery-codes')?.focus());
    },
    onError: (error) => this.fail(error),
  });

  /** The tenant's client (or one from the attributes), acting with `accessToken` when it is set. */
  protected override get api(): AlderoClient {
    const client = super.api;
    if (!this.accessToken || client.getAccessToken() === this.accessToken) return client;
    if (this.tokenClient?.getAccessToken() !== this.accessToken || this.tokenClient.baseUrl !== client.baseUrl) {
      this.tokenClient = client.withAccessToken(this.accessToken);
    }
    return this.tokenClient;
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!this.hasUpdated || API_PROPERTIES.some((name) => changed.has(name))) void this.faceTask.run();
  }

  protected override updated(changed: PropertyValues<this>): void {
    super.updated(changed);
    // The select follows the country of a typed or pasted +44… number, also after the user picked one.
    const select = this.renderRoot.querySelector<HTMLSelectElement>('#country');
    if (select && select.value !== this.selectedCountry) select.value = this.selectedCountry;
  }

  protected override render(): TemplateResult {
    return html`
      <div part="base">
        ${this.step === 'codes'
          ? html`
              <aldero-recovery-codes
                .codes=${this.recoveryCodes}
                .strings=${this.strings}
                brand=${this.brandName}
                lang=${this.language}
                theme=${this.theme ?? nothing}
                @aldero-recovery-codes-saved=${this.onCodesSaved}
              ></aldero-recovery-codes>
            `
          : html`
              <h2 id="title">${this.t('title')}</h2>
              ${this.step === 'phone' ? this.renderPhoneStep() : nothing}
              ${this.step === 'code' ? this.renderCodeStep() : nothing}
              ${this.step === 'done' ? html`<p part="hint" id="done" role="status" tabindex="-1">${this.t('done')}</p>` : nothing}
              ${this.notice ? html`<p part="hint" role="status">${this.notice}</p>` : nothing}
              ${this.step === 'done' ? this.renderError(this.errorMessage) : nothing}
            `}
      </div>
    `;
  }

  private renderPhoneStep(): TemplateResult {
    const sending = this.sendTask.pending;
    const country = this.selectedCountry;
    return html`
      <form novalidate @submit=${this.onPhoneSubmit}>
        <div class="field">
          <div class="phone">
            <div class="field">
              <label part="label" for="country">${this.t('countryLabel')}</label>
              <select
                part="input country-select"
                id="country"
                autocomplete="country"
                ?disabled=${sending}
                @change=${this.onCountryChange}
              >
                ${countryOptions(this.language).map(
                  ({ code, label }) => html`<option value=${code} ?selected=${code === country}>${label}</option>`,
                )}
              </select>
            </div>
            <div class="field">
              <label part="label" for="phone">${this.t('phoneLabel')}</label>
              <input
                part="input phone-input"
                id="phone"
                name="phone"
                type="tel"
                inputmode="tel"
                autocomplete="tel-national"
                aria-describedby="disclosure error"
                aria-invalid=${this.invalid && this.errorMessage !== undefined ? 'true' : 'false'}
                .value=${this.national}
                ?disabled=${sending}
                @input=${this.onPhoneInput}
              />
            </div>
          </div>
          ${this.renderError(this.errorMessage)}
          <p part="disclosure" id="disclosure">${this.disclosure?.text ?? html`${this.renderSpinner()} ${this.t('loading')}`}</p>
          <button type="submit" part="button primary-button" id="send" ?disabled=${sending || !this.disclosure} aria-busy=${sending}>
            ${this.renderLabel(sending, this.t('sendCode'))}
          </button>
        </div>
      </form>
    `;
  }

  private renderCodeStep(): TemplateResult {
    const confirming = this.confirmTask.pending;
    const sending = this.sendTask.pending;
    return html`
      <form novalidate @submit=${this.onCodeSubmit}>
        <div class="field">${this.renderCodeInput({
            label: this.t('codeLabel'),
            hint: this.t('codeSentTo', { phone: this.maskedPhone, digits: CODE_DIGITS }),
            value: this.code,
            disabled: confirming,
            invalid: this.invalid && this.errorMessage !== undefined,
            error: this.errorMessage,
            onInput: this.onCodeInput,
          })}</div>
        <button type="submit" part="button primary-button" id="verify" ?disabled=${confirming} aria-busy=${confirming}>
          ${this.renderLabel(confirming, this.t('verify'))}
        </button>
      </form>
      ${this.renderResend(this.resend, sending, this.onResend)}
      ${this.resend.exhausted ? html`<p part="hint">${this.t('rateLimit.challenge_send_limit')}</p>` : nothing}
      <div class="row">
        <button type="button" part="button secondary-button" id="change-number" @click=${this.onChangeNumber}>
          ${this.t('changeNumber')}
        </button>
      </div>
    `;
  }

  private get brandName(): string {
    return this.face?.brand ?? '';
  }

  /**
   * The opt-in disclosure as the server states it (deliberately not overridable by `strings`): in
   * the element's language when the server's version is the one these elements carry, else the
   * server's own English words. The setup sends the version and language, so the consent record
   * holds these very words.
   */
  private get disclosure(): { text: string; version: string; language: DisclosureLanguage } | undefined {
    const face = this.face;
    if (!face) return undefined;
    if (face.disclosure.version !== DISCLOSURE_VERSION) return { text: face.disclosure.text, version: face.disclosure.version, language: 'en' };
    return { text: disclosureText(face.brand, this.language), version: DISCLOSURE_VERSION, language: this.language };
  }

  private get selectedCountry(): CountryCode {
    return this.country ?? asCountry(this.defaultCountry) ?? asCountry(navigator.language.split('-')[1]) ?? 'US';
  }

  private applyCodeSent(sent: CodeSent & { phone: string }): void {
    const resent = this.step === 'code';
    this.phone = sent.phone;
    this.maskedPhone = sent.maskedPhone;
    this.resend.sendsRemaining = sent.sendsRemaining;
    this.resend.wait(Math.max(this.resendDelay, sent.retryAfterSeconds));
    this.errorMessage = undefined;
    this.notice = resent ? this.t('codeResent') : undefined;
    this.step = 'code';
    this.emit('aldero-code-sent', {
      maskedPhone: sent.maskedPhone,
      sendsRemaining: sent.sendsRemaining,
      retryAfterSeconds: sent.retryAfterSeconds,
      expiresAt: sent.expiresAt,
    });
    this.sends++;
    this.deliveryWatch.restart();
    this.followDelivery(sent.delivery);
    void this.focusOn('#code');
  }

  /**
   * Explains an SMS that did not go out (refused by the provider, or a receipt: its reason, and
   * the way out, next to the code field), told to the page as `aldero-error`; while the SMS is on
   * its way, the status is read again a few times.
   */
  private followDelivery(delivery: Delivery): void {
    const undelivered = this.reportUndelivered(delivery);
    if (undelivered) {
      this.errorMessage = undelivered;
      this.invalid = false;
      this.notice = undefined;
    }
    this.deliveryWatch.follow(delivery);
  }

  private fail(error: unknown): void {
    const code = error instanceof AlderoError ? error.code : undefined;
    const context = error instanceof AlderoError ? error.context : {};
    this.notice = undefined;
    this.errorMessage = this.reportError(error);
    if (typeof context.sendsRemaining === 'number') this.resend.sendsRemaining = context.sendsRemaining;
    if (code === 'MFA_RATE_LIMITED' && context.reason === 'challenge_send_limit') this.resend.sendsRemaining = 0;
    this.invalid = code === 'VALIDATION_ERROR' || code === 'MFA_INVALID_CODE';
    if (this.step === 'phone') {
      if (code === 'VALIDATION_ERROR') this.errorMessage = this.t('invalidPhone');
      void this.focusOn('#phone');
    } else if (code === 'MFA_SETUP_REQUIRED') {
      this.deliveryWatch.stop();
      this.step = 'phone';
      void this.focusOn('#phone');
    } else {
      // A wrong code, or a code that can no longer work: clear it; "Resend code" gets a fresh one.
      if (code === 'MFA_CHALLENGE_EXPIRED' || context.reason === 'challenge_attempt_limit') {
        this.resend.sendsRemaining = null;
        this.resend.wait(0);
      }
      this.code = '';
      void this.focusOn('#code');
    }
  }

  /** A refused session issued by the other environment: the `sandbox` attribute is wrong. */
  protected override async misconfiguration(error: unknown, api: AlderoClient): Promise<AlderoError | undefined> {
    const token = api.getAccessToken();
    if (token && !this.client && error instanceof AlderoError && error.code === 'UNAUTHORIZED') {
      return misconfigured((await diagnosis())?.accessTokenOfOtherEnvironment(api, token), error);
    }
    return super.misconfiguration(error, api);
  }

  private onCountryChange(event: Event): void {
    this.country = (event.target as HTMLSelectElement).value as CountryCode;
    this.errorMessage = undefined;
  }

  private onPhoneInput(event: InputEvent): void {
    const input = event.target as HTMLInputElement;
    const formatter = new AsYouType(this.selectedCountry);
    const formatted = formatter.input(input.value);
    const typedCountry = input.value.trim().startsWith('+') ? formatter.getCountry() ?? this.countryOfCallingCode(formatter.getCallingCode()) : undefined;
    if (typedCountry) this.country = typedCountry;
    // Reformat only while typing at the end: deleting a bracket or editing mid-number must not fight the user.
    const typingAtEnd = input.selectionStart === input.value.length && !event.inputType?.startsWith('delete');
    this.national = typingAtEnd ? formatted : input.value;
    input.value = this.national;
    this.errorMessage = undefined;
  }

  /**
   * The country of a calling code while the number does not name one yet (`+44`: GB, GG, IM, JE):
   * the selected country when it has that code, else the code's main country.
   */
  private countryOfCallingCode(callingCode: string | undefined): CountryCode | undefined {
    if (!callingCode) return undefined;
    if (getCountryCallingCode(this.selectedCountry) === callingCode) return this.selectedCountry;
    const countries = getCountries().filter((code) => getCountryCallingCode(code) === callingCode);
    return countries.find((code) => MAIN_COUNTRY[callingCode] === code) ?? countries[0];
  }

  private onPhoneSubmit(event: SubmitEvent): void {
    event.preventDefault();
    if (this.sendTask.pending) return;
    // AsYouType parses as well as it formats: one piece of libphonenumber-js instead of two.
    const formatter = new AsYouType(this.selectedCountry);
    formatter.input(this.national);
    const number = formatter.getNumber();
    if (!number?.isPossible()) {
      this.errorMessage = this.t('invalidPhone');
      this.invalid = true;
      void this.focusOn('#phone');
      return;
    }
    const disclosure = this.disclosure;
    if (!disclosure || this.refuseToSend()) return;
    this.errorMessage = undefined;
    void this.sendTask.run(number.number, disclosure);
  }

  /**
   * Before a send: the user's session is there, and the disclosure is on screen beside the phone
   * field. Otherwise nothing goes out, and the developer is told what to fix.
   */
  private refuseToSend(): boolean {
    let problem: AlderoError | undefined;
    if (!this.accessToken && !this.api.getAccessToken()) {
      problem = new AlderoError('CONFIG_ACCESS_TOKEN_MISSING', "Set the accessToken property to the user's access token (or the client property).", 0);
    } else {
      const disclosure = this.renderRoot.querySelector<HTMLElement>('#disclosure');
      const field = this.renderRoot.querySelector<HTMLElement>('#phone');
      const why = disclosure && field ? visibilityProblem(disclosure, field) : 'it is not in the page';
      if (why) {
        problem = new AlderoError('CONFIG_DISCLOSURE_HIDDEN', `No code sent: the disclosure (::part(disclosure)) must be visible beside the phone field, and ${why}.`, 0);
      }
    }
    if (!problem) return false;
    this.errorMessage = this.reportError(problem);
    this.invalid = false;
    void this.focusOn('#phone');
    return true;
  }

  private onCodeInput(event: InputEvent): void {
    this.code = codeDigits(event.target as HTMLInputElement);
    if (this.code.length === CODE_DIGITS) this.confirm();
  }

  private onCodeSubmit(event: SubmitEvent): void {
    event.preventDefault();
    this.confirm();
  }

  private confirm(): void {
    if (this.confirmTask.pending) return;
    if (!CODE_PATTERN.test(this.code)) {
      this.errorMessage = this.t('errors.VALIDATION_ERROR');
      this.invalid = true;
      void this.focusOn('#code');
      return;
    }
    this.errorMessage = undefined;
    this.notice = undefined;
    void this.confirmTask.run(this.code);
  }

  private onResend(): void {
    const disclosure = this.disclosure;
    if (!disclosure) return;
    this.notice = undefined;
    void this.sendTask.run(this.phone, disclosure);
  }

  private onChangeNumber(): void {
    this.deliveryWatch.stop();
    this.step = 'phone';
    this.code = '';
    this.errorMessage = undefined;
    this.notice = undefined;
    void this.focusOn('#phone');
  }

  private onCodesSaved(): void {
    this.recoveryCodes = [];
    this.step = 'done';
    void this.focusOn('#done');
  }
}

AlderoSmsEnroll.define('aldero-sms-enroll');

declare global {
  interface HTMLElementTagNameMap {
    'aldero-sms-enroll': AlderoSmsEnroll;
  }
}
