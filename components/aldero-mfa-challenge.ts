import { html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { property } from 'lit/decorators/property.js';
import { state } from 'lit/decorators/state.js';
// The contract's files one by one, not its index: a bundler keeps the index's whole error table.
import { CODE_DIGITS, CODE_PATTERN, RECOVERY_CODE_PATTERN } from '../server/contract/formats.ts';
import { MFA_METHODS } from '../server/contract/methods.ts';
import { CHALLENGE_TTL_SECONDS, MAX_FAILED_ATTEMPTS, TRUSTED_DEVICE_DAYS } from '../server/contract/rules.ts';
import styles from './aldero-mfa-challenge.styles.ts';
import type { CodeSent, MfaMethod, MfaStatus } from './client/api.ts';
import type { AlderoClient } from './client/index.ts';
import { AlderoError } from './client/errors.ts';
import { AlderoApiElement, codeDigits, diagnosis, misconfigured, recoveryCodeInput } from './shared/api-element.ts';
import componentStyles from './shared/component.styles.ts';
import { DeliveryWatch } from './shared/delivery-watch.ts';
import { challenge, code, errors, type ChallengeMessages, type CodeMessages, type ErrorMessages } from './shared/messages/en.ts';
import { ResendController } from './shared/resend.ts';
import { ElementTask } from './shared/task.ts';

export type ChallengeCatalogue = ErrorMessages & CodeMessages & ChallengeMessages;

/** Why a sign-in can no longer be answered: its 5 minutes passed, 5 wrong codes, or the token is unknown or already used. */
type EndReason = 'expired' | 'attempts' | 'unknown';

/** WebOTP (`navigator.credentials.get({ otp })`), which TypeScript's DOM library does not declare yet. */
interface OtpCredential extends Credential {
  code: string;
}

/**
 * @summary The second step of a sign-in: the SMS code (or an authenticator or recovery code) for an `mfa_token`.
 * @tag aldero-mfa-challenge
 *
 * @csspart base - The wrapper of the element.
 * @csspart label - Field labels.
 * @csspart hint - Helper texts.
 * @csspart input - The code field.
 * @csspart code-input - The code field (`autocomplete="one-time-code"`).
 * @csspart error - The `role="alert"` message region.
 * @csspart button - Every button.
 * @csspart primary-button - Verify, send code, start over.
 * @csspart secondary-button - Resend and the method switches.
 * @csspart resend-button - The "Resend code" button.
 * @csspart countdown - The time before a resend is possible, and the resends left.
 * @csspart trust-device - The "Trust this device" checkbox with its label.
 * @csspart spinner - The pending indicator.
 *
 * @cssprop --aldero-color-primary - Buttons and links.
 * @cssprop --aldero-color-primary-contrast - Text on primary buttons.
 * @cssprop --aldero-color-danger - Error messages.
 * @cssprop --aldero-color-text - Text.
 * @cssprop --aldero-color-muted - Hints.
 * @cssprop --aldero-color-background - Background of the element and its fields.
 * @cssprop --aldero-color-border - Borders.
 * @cssprop --aldero-font-family - Font.
 * @cssprop --aldero-font-size - Base font size.
 * @cssprop --aldero-radius - Corner radius.
 * @cssprop --aldero-focus-ring - Box shadow of the focused control.
 * @cssprop --aldero-spacing - Space between the parts.
 *
 * @fires aldero-code-sent - A code was sent again. `{ maskedPhone, sendsRemaining, retryAfterSeconds, expiresAt }`
 * @fires aldero-verified - The code was right: the session. `{ accessToken, refreshToken, expiresIn, trustedDevice }`
 * @fires aldero-error - A call failed, or the code's SMS did not go out (`MFA_DELIVERY_FAILED`, also when learnt after the send answered). `{ code, message, reason?, retryAfterSeconds? }`
 * @fires aldero-challenge-expired - The challenge can no longer be answered (expired, or too many wrong codes). `{}`
 * @fires aldero-start-over - The user pressed "Start over" (cancelable). Unless the page calls `preventDefault()`, the element goes to `start-over-url`, or reloads the page. `{}`
 */
export class AlderoMfaChallenge extends AlderoApiElement<ChallengeCatalogue> {
  static override styles = [componentStyles, styles];

  /** The `mfa_token` of the `mfa_required` answer to the login (attribute `mfa-token`). */
  @property({ attribute: 'mfa-token' }) mfaToken = '';

  /**
   * Where "Start over" goes when the page does not handle `aldero-start-over` (the sign-in page);
   * by default the page is reloaded.
   */
  @property({ attribute: 'start-over-url' }) startOverUrl = '';

  /** Where the sign-in stands: its status is loading, a code is awaited, it expired, or it is done. */
  @state() private phase: 'loading' | 'answer' | 'expired' | 'verified' = 'loading';
  @state() private method: MfaMethod = 'sms';
  @state() private methods: MfaMethod[] = [];
  @state() private maskedPhone = '';
  @state() private codeSent = false;
  @state() private code = '';
  @state() private trustDevice = false;
  /** Whether the server can keep the `mfa_device` cookie for this page (same-site); the choice is offered only then. */
  @state() private trustDeviceAvailable = false;
  @state() private endReason: EndReason = 'expired';
  @state() private errorMessage?: string;
  /** Whether the message is about what was typed (the field is then `aria-invalid`). */
  @state() private invalid = false;
  @state() private notice?: string;

  protected readonly english = { errors, code, challenge };
  private readonly resend = new ResendController(this);
  /** While the code's SMS is on its way, the status is read again, to explain a failed delivery. */
  private readonly deliveryWatch = new DeliveryWatch(this, () => void this.statusTask.run(this.mfaToken));
  private otpAbort?: AbortController;

  /** Runs for each `mfa-token` (see `willUpdate`), and again while an SMS is on its way. */
  private readonly statusTask = new ElementTask(this, {
    task: async (mfaToken: string) => {
      if (!mfaToken) {
        // Give a page that sets the property right after creating the element its turn first
        // (its token starts a new run, and this one's error is dropped).
        await new Promise((resolve) => setTimeout(resolve));
        throw new AlderoError('CONFIG_MFA_TOKEN_MISSING', "Set the mfa-token attribute to the login's mfa_token.", 0);
      }
      return this.call((api) => api.auth.mfa.status({ mfaToken }));
    },
    onComplete: (status) => this.applyStatus(status),
    onError: (error) => this.fail(error),
  });

  private readonly sendTask = new ElementTask(this, {
    task: async () => this.call((api) => api.auth.mfa.challenge({ mfaToken: this.mfaToken, channel: 'sms' })),
    onComplete: (sent) => this.applyCodeSent(sent),
    onError: (error) => this.fail(error),
  });

  private readonly verifyTask = new ElementTask(this, {
    task: async (method: MfaMethod, code: string, trustDevice: boolean) =>
      this.call((api) => api.auth.mfa.verify({ mfaToken: this.mfaToken, method, code, trustDevice })),
    onComplete: ({ accessToken, refreshToken, expiresIn, trustedDevice }) => {
      this.phase = 'verified';
      this.errorMessage = undefined;
      this.emit('aldero-verified', { accessToken, refreshToken, expiresIn, trustedDevice });
      void this.focusOn('#verified');
    },
    onError: (error) => this.fail(error),
  });

  override connectedCallback(): void {
    super.connectedCallback();
    // Back on the page (moved in the DOM): listen for the SMS again.
    if (this.phase === 'answer' && this.method === 'sms' && this.codeSent) this.listenForSms();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.stopListeningForSms();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (!changed.has('mfaToken')) return;
    // A new token is a new sign-in: forget everything about the previous one.
    if (changed.get('mfaToken') !== undefined) {
      this.stopListeningForSms();
      this.deliveryWatch.restart();
      this.phase = 'loading';
      this.codeSent = false;
      this.trustDevice = false;
      this.code = '';
      this.errorMessage = this.notice = undefined;
      this.resend.sendsRemaining = null;
    }
    void this.statusTask.run(this.mfaToken);
  }

  protected override render(): TemplateResult {
    const { phase } = this;
    return html`
      <div part="base">
        <h2 id="title">${this.t(phase === 'expired' ? `${this.endReason}Title` : 'title')}</h2>
        ${phase === 'loading' && this.statusTask.pending
          ? html`<p part="hint" role="status">${this.renderSpinner()} ${this.t('loading')}</p>`
          : nothing}
        ${phase === 'answer' ? this.renderAnswer() : nothing}
        ${phase === 'expired'
          ? html`
              <button type="button" part="button primary-button" id="start-over" @click=${this.onStartOver}>
                ${this.t('startOver')}
              </button>
            `
          : nothing}
        ${phase === 'verified'
          ? html`<p part="hint" id="verified" role="status" tabindex="-1">${this.t('verified')}</p>`
          : nothing}
        ${phase === 'answer' ? nothing : this.renderError(this.errorMessage)}
      </div>
    `;
  }

  private renderAnswer(): TemplateResult {
    const verifying = this.verifyTask.pending;
    const sending = this.sendTask.pending;
    const { method } = this;
    const sms = method === 'sms';
    const recovery = method === 'recovery_code';
    return html`
      <form novalidate @submit=${this.onSubmit}>
        ${this.renderTrustDevice()}
        <div class="field">
          ${this.renderCodeInput({
            label: this.t(sms ? 'codeLabel' : recovery ? 'recoveryLabel' : 'totpLabel'),
            hint: recovery
              ? this.t('recoveryHint')
              : sms && this.codeSent
                ? this.t('codeSentTo', { phone: this.maskedPhone, digits: CODE_DIGITS })
                : '',
            value: this.code,
            disabled: verifying,
            invalid: this.invalid && this.errorMessage !== undefined,
            error: this.errorMessage,
            recovery,
            onInput: recovery ? this.onRecoveryInput : this.onCodeInput,
          })}
        </div>
        <button type="submit" part="button primary-button" id="verify" ?disabled=${verifying} aria-busy=${verifying}>
          ${this.renderLabel(verifying, this.t('verify'))}
        </button>
      </form>
      ${sms ? this.renderResend(this.resend, sending, this.onSend) : nothing}
      ${sms && this.resend.exhausted ? html`<p part="hint">${this.t('sendLimitReached')}</p>` : nothing}
      ${this.notice ? html`<p part="hint" role="status">${this.notice}</p>` : nothing}
      <div class="row">
        ${MFA_METHODS
          .filter((other) => other !== method && (other === 'recovery_code' || this.methods.includes(other)))
          .map(
            (other) => html`
              <button
                type="button"
                part="button secondary-button"
                data-method=${other}
                @click=${() => this.switchMethod(other)}
              >
                ${this.t(other === 'sms' ? 'useSms' : other === 'totp' ? 'useTotp' : 'useRecovery')}
              </button>
            `,
          )}
      </div>
    `;
  }

  /**
   * "Trust this device", before the code field: the code is verified on its sixth digit, so the
   * choice has to come first in reading and tab order. Offered only where the server can keep
   * the `mfa_device` cookie for this page; elsewhere a hint says why it is not.
   */
  private renderTrustDevice(): TemplateResult {
    if (!this.trustDeviceAvailable) return html`<p part="hint" id="trust-unavailable">${this.t('trustUnavailable')}</p>`;
    return html`
      <label part="trust-device">
        <input type="checkbox" id="trust-device" .checked=${this.trustDevice} @change=${this.onTrustDeviceChange} />
        ${this.t('trustDevice', { days: TRUSTED_DEVICE_DAYS })}
      </label>
    `;
  }

  private applyStatus(status: MfaStatus): void {
    this.methods = status.available_methods;
    this.trustDeviceAvailable = status.trustDeviceAvailable;
    if (!this.trustDeviceAvailable) this.trustDevice = false;
    this.maskedPhone = status.maskedPhone ?? '';
    this.resend.sendsRemaining = status.sendsRemaining;
    this.codeSent = status.codeSent;
    if (this.phase === 'loading') {
      this.phase = 'answer';
      // SMS when it was sent, or when there is no authenticator app to use instead.
      const sms = this.methods.includes('sms') && (this.codeSent || !this.methods.includes('totp'));
      this.switchMethod(sms ? 'sms' : this.methods.includes('totp') ? 'totp' : 'recovery_code');
      if (this.codeSent) this.resend.wait(this.resendDelay);
    }
    if (this.codeSent) this.followDelivery(status.delivery);
  }

  private applyCodeSent(sent: CodeSent): void {
    const { maskedPhone, sendsRemaining, retryAfterSeconds, expiresAt, delivery } = sent;
    this.notice = this.codeSent ? this.t('codeResent') : undefined;
    this.codeSent = true;
    this.maskedPhone = maskedPhone;
    this.resend.sendsRemaining = sendsRemaining;
    this.resend.wait(Math.max(this.resendDelay, retryAfterSeconds));
    this.errorMessage = undefined;
    this.deliveryWatch.restart();
    this.emit('aldero-code-sent', { maskedPhone, sendsRemaining, retryAfterSeconds, expiresAt });
    this.followDelivery(delivery);
    void this.focusOn('#code');
  }

  /** Explains a failed delivery and the way out; while the SMS is on its way, asks again a few times. */
  private followDelivery(delivery: CodeSent['delivery']): void {
    const undelivered = this.reportUndelivered(delivery);
    if (undelivered) {
      this.stopListeningForSms();
      this.notice = undefined;
      this.errorMessage = undelivered;
    }
    this.deliveryWatch.follow(delivery);
    if (this.method === 'sms' && !this.errorMessage) this.listenForSms();
  }

  /**
   * While the sign-in loads, an unknown token may be one of the other environment (the `sandbox`
   * attribute forgotten, or set by mistake): the other one is asked, and when it knows the token
   * the developer is told what to change.
   */
  protected override async misconfiguration(error: unknown, api: AlderoClient): Promise<AlderoError | undefined> {
    if (this.phase === 'loading' && !this.client && error instanceof AlderoError && error.code === 'MFA_CHALLENGE_EXPIRED' && !error.context.expiresAt) {
      return misconfigured(await (await diagnosis())?.tokenOfOtherEnvironment(api, this.mfaToken), error);
    }
    return super.misconfiguration(error, api);
  }

  private fail(error: unknown): void {
    const { code, context } = error instanceof AlderoError ? error : { code: undefined, context: {} as AlderoError['context'] };
    this.notice = undefined;
    const endReason: EndReason | undefined =
      context.reason === 'challenge_attempt_limit' || (code === 'MFA_INVALID_CODE' && context.attemptsRemaining === 0)
        ? 'attempts'
        : code === 'MFA_CHALLENGE_EXPIRED'
          ? context.expiresAt ? 'expired' : 'unknown'
          : undefined;
    const message = this.reportError(error);
    this.invalid = code === 'MFA_INVALID_CODE' || code === 'VALIDATION_ERROR';
    // A sign-in that is over: the explanation and the way out replace the error's own words ("0 attempts left").
    this.errorMessage = endReason
      ? this.t(`${endReason}Text`, { attempts: MAX_FAILED_ATTEMPTS, minutes: CHALLENGE_TTL_SECONDS / 60 })
      : message;
    if (typeof context.sendsRemaining === 'number') this.resend.sendsRemaining = context.sendsRemaining;
    if (context.reason === 'challenge_send_limit') this.resend.sendsRemaining = 0;
    if (endReason && this.phase !== 'expired') {
      this.endReason = endReason;
      this.phase = 'expired';
      this.stopListeningForSms();
      this.deliveryWatch.stop();
      this.emit('aldero-challenge-expired', {});
      void this.focusOn('#start-over');
    } else if (code === 'MFA_INVALID_CODE' || code === 'VALIDATION_ERROR') {
      this.code = '';
      void this.focusOn('#code');
    }
  }

  private submit(): void {
    if (this.verifyTask.pending) return;
    const { code, method } = this;
    if (!(method === 'recovery_code' ? RECOVERY_CODE_PATTERN : CODE_PATTERN).test(code)) {
      this.errorMessage = this.t('errors.VALIDATION_ERROR');
      this.invalid = true;
      void this.focusOn('#code');
      return;
    }
    this.stopListeningForSms();
    this.errorMessage = this.notice = undefined;
    this.invalid = false;
    void this.verifyTask.run(method, code, this.trustDevice);
  }

  private switchMethod(method: MfaMethod): void {
    this.method = method;
    this.code = '';
    this.errorMessage = this.notice = undefined;
    this.stopListeningForSms();
    // Choosing SMS when no code went out yet (the user also has an authenticator app) sends one.
    if (method === 'sms' && !this.codeSent) void this.sendTask.run();
    else if (method === 'sms') this.listenForSms();
    void this.focusOn('#code');
  }

  /** WebOTP: where the browser can read the SMS for us, it fills the code in and submits it. */
  private listenForSms(): void {
    if (this.otpAbort || !('OTPCredential' in window) || !this.isConnected) return;
    const abort = new AbortController();
    this.otpAbort = abort;
    navigator.credentials
      .get({ otp: { transport: ['sms'] }, signal: abort.signal } as CredentialRequestOptions)
      .then((credential) => {
        const code = (credential as OtpCredential | null)?.code;
        if (code && !abort.signal.aborted && this.method === 'sms') {
          this.code = code;
          this.submit();
        }
      })
      .catch(() => {
        // Aborted, or the browser declined: the field is still there to type the code in.
      })
      .finally(() => {
        if (this.otpAbort === abort) this.otpAbort = undefined;
      });
  }

  private stopListeningForSms(): void {
    this.otpAbort?.abort();
    this.otpAbort = undefined;
  }

  private onSubmit(event: SubmitEvent): void {
    event.preventDefault();
    this.submit();
  }

  private onCodeInput(event: InputEvent): void {
    this.code = codeDigits(event.target as HTMLInputElement);
    if (this.code.length === CODE_DIGITS) this.submit();
  }

  private onRecoveryInput(event: InputEvent): void {
    this.code = recoveryCodeInput(event.target as HTMLInputElement);
  }

  private onTrustDeviceChange(event: Event): void {
    this.trustDevice = (event.target as HTMLInputElement).checked;
  }

  private onSend(): void {
    this.notice = undefined;
    void this.sendTask.run();
  }

  /** Tells the page; unless it handles the event (`preventDefault()`), starts the sign-in over itself. */
  private onStartOver(): void {
    const event = this.emit('aldero-start-over', {}, { cancelable: true });
    if (event.defaultPrevented) return;
    if (this.startOverUrl) location.assign(this.startOverUrl);
    else location.reload();
  }
}


AlderoMfaChallenge.define('aldero-mfa-challenge');

declare global {
  interface HTMLElementTagNameMap {
    'aldero-mfa-challenge': AlderoMfaChallenge;
  }
}
