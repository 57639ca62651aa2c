import { parsePhoneNumberFromString } from 'libphonenumber-js/min';
import { html, nothing, type TemplateResult } from 'lit';
import { state } from 'lit/decorators.js';
import { isAlderoError, type Device } from '../../../components/index.ts';
import { navigate, routes } from '../router.ts';
import { store } from '../store.ts';
import { alert, amrLabel, describeError, describeUserAgent, formatDate, formatDateTime, formatPhone, LightElement, spinner } from '../ui.ts';
import { focusHeading } from '../ui.ts';

type TotpStep = 'idle' | 'scan' | 'codes';

/**
 * `/dashboard/security/mfa`, the page the guide points tenants to: text message verification through
 * `<aldero-sms-enroll>`, an authenticator app, recovery codes, trusted devices.
 */
export class DemoMfaSettingsPage extends LightElement {
  @state() private notice: string | null = store.takeFlash();
  /** The enroll element is mid-flow (code sent, or codes on screen): keep it until the codes are saved. */
  @state() private enrolling = false;
  /** The number is verified; the element shows the recovery codes. */
  @state() private enrolled = false;
  @state() private pending: string | null = null;
  @state() private smsError: string | null = null;
  @state() private totpStep: TotpStep = 'idle';
  @state() private totpSecret: { secret: string; otpauthUri: string } | null = null;
  @state() private totpError: string | null = null;
  /** Recovery codes on screen (from TOTP confirm or a regeneration); gone once acknowledged. */
  @state() private newCodes: string[] = [];
  @state() private codesError: string | null = null;
  @state() private freshAuthRequired = false;
  @state() private devices: Device[] | null = null;
  @state() private devicesError: string | null = null;

  private unsubscribe?: () => void;

  override connectedCallback(): void {
    super.connectedCallback();
    this.unsubscribe = store.subscribe(() => this.requestUpdate());
    void this.loadDevices();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unsubscribe?.();
  }

  protected override render(): TemplateResult {
    const me = store.me;
    if (!me) return html``;
    return html`
      <div class="page-head">
        <p class="breadcrumb"><a href=${routes.dashboard}>Account</a> / Security</p>
        <h1>Multi-factor authentication</h1>
        <p class="muted">Add a second step to your sign-in, so a stolen password is not enough.</p>
      </div>
      <div class="stack">
        ${alert(this.notice, 'success')} ${this.renderSms()} ${this.renderTotp()} ${this.renderRecoveryCodes()} ${this.renderDevices()}
      </div>
    `;
  }

  // ——— SMS ———

  private renderSms(): TemplateResult {
    const me = store.me!;
    const on = me.mfa.sms && !this.enrolling;
    const simulated = parsePhoneNumberFromString(store.phone);
    return html`
      <section class="card" id="sms" aria-labelledby="sms-title">
        <div class="card-head">
          <div>
            <h2 id="sms-title">Text message verification</h2>
            <p class="muted">A 6-digit code by text message each time you sign in on a new device.</p>
          </div>
          ${this.status(me.mfa.sms)}
        </div>
        ${on
          ? html`
              <p>Codes are sent to <strong id="sms-phone">${me.phone ? formatPhone(me.phone) : ''}</strong>.</p>
              <form class="form inline-form" novalidate @submit=${this.onDisableSms}>
                <div class="field">
                  <label for="sms-disable-code">Turn off text message verification</label>
                  <span class="hint" id="sms-disable-hint">
                    Confirm with an authenticator app code, or one of the recovery codes you saved, like <code>6dca-d1dd</code>.
                    Your phone number stays on your account; trusted devices are signed out of their 30 days.
                  </span>
                  <div class="input-row">
                    <input
                      id="sms-disable-code"
                      name="code"
                      autocomplete="one-time-code"
                      autocapitalize="off"
                      spellcheck="false"
                      maxlength="9"
                      placeholder="123456 or 6dca-d1dd"
                      aria-describedby="sms-disable-hint"
                      ?disabled=${this.pending === 'sms-disable'}
                    />
                    <button class="button button-danger" id="sms-disable" type="submit" ?disabled=${this.pending === 'sms-disable'}>
                      ${this.pending === 'sms-disable' ? spinner() : nothing}Turn off
                    </button>
                  </div>
                </div>
                ${alert(this.smsError)}
              </form>
            `
          : html`
              ${me.hasPassword
                ? nothing
                : html`<p class="callout callout-info">
                    You sign in through an identity provider, so your account has no password. Aldero refuses SMS
                    enrollment for such accounts (<code>MFA_PASSWORD_REQUIRED</code>): your provider secures your sign-in.
                    Try it below to see the component explain it.
                  </p>`}
              ${this.enrolled
                ? nothing
                : html`<p class="callout" id="phone-tip">
                    <strong>Try it with the phone simulator:</strong> enter its number,
                    <strong class="nowrap" id="simulated-number">${formatPhone(store.phone)}</strong>, and the code arrives there
                    in a second or two.
                  </p>`}
              <aldero-sms-enroll
                tenant=${store.config.tenant}
                api-base=${location.origin}
                ?sandbox=${store.config.sandbox}
                brand=${store.config.brand}
                default-country=${simulated?.country ?? 'US'}
                .accessToken=${store.session?.accessToken ?? null}
                @aldero-code-sent=${this.onCodeSent}
                @aldero-enrolled=${this.onEnrolled}
                @aldero-recovery-codes-saved=${this.onEnrollCodesSaved}
              ></aldero-sms-enroll>
            `}
      </section>
    `;
  }

  private onCodeSent(): void {
    this.enrolling = true;
    this.notice = null;
  }

  private onEnrolled(): void {
    this.enrolled = true;
    // The factor is on; the element now shows the recovery codes, so the page keeps it on screen.
    void store.loadMe();
  }

  private onEnrollCodesSaved(): void {
    this.enrolling = false;
    this.enrolled = false;
    this.notice = 'Text message verification is on. The next sign-in on a new device asks for a code.';
    void focusHeading();
    void store.loadMe();
  }

  private async onDisableSms(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const input = this.querySelector<HTMLInputElement>('#sms-disable-code')!;
    const code = input.value.trim().toLowerCase();
    if (!code) {
      this.smsError = 'Enter an authenticator app code or a recovery code.';
      input.focus();
      return;
    }
    this.pending = 'sms-disable';
    this.smsError = null;
    try {
      await store.authed((client) => client.auth.mfa.sms.disable({ code }));
      this.notice = 'Text message verification is off. Your phone number stays on your account; trusted devices were signed out.';
      await Promise.all([store.loadMe(), this.loadDevices()]);
    } catch (error) {
      this.smsError = describeError(error);
      input.select();
    } finally {
      this.pending = null;
    }
  }

  // ——— Authenticator app ———

  private renderTotp(): TemplateResult {
    const me = store.me!;
    return html`
      <section class="card" id="totp" aria-labelledby="totp-title">
        <div class="card-head">
          <div>
            <h2 id="totp-title">Authenticator app</h2>
            <p class="muted">Codes from an app such as 1Password, Google Authenticator or Authy — no signal needed.</p>
          </div>
          ${this.status(me.mfa.totp)}
        </div>
        ${this.totpStep === 'scan' && this.totpSecret
          ? this.renderTotpSetup(this.totpSecret)
          : this.totpStep === 'codes'
            ? html`<p class="callout callout-success">Your authenticator app is on. Save your recovery codes below.</p>`
            : me.mfa.totp
              ? this.renderCodeForm({
                  id: 'totp-disable',
                  label: 'Turn off the authenticator app',
                  hint: 'Confirm with a current code from the app.',
                  button: 'Turn off',
                  danger: true,
                  onSubmit: this.onDisableTotp,
                })
              : html`
                  <button class="button button-outline" id="totp-setup" ?disabled=${this.pending === 'totp-setup'} @click=${this.onSetupTotp}>
                    ${this.pending === 'totp-setup' ? spinner() : nothing}Set up an authenticator app
                  </button>
                `}
        ${alert(this.totpError)}
      </section>
    `;
  }

  private renderTotpSetup({ secret, otpauthUri }: { secret: string; otpauthUri: string }): TemplateResult {
    return html`
      <ol class="steps">
        <li>
          <p>Add an account to your authenticator app with this key (or open the link on a phone that has the app):</p>
          <p class="secret" id="totp-secret" aria-label="Secret key">${secret.match(/.{1,4}/g)?.join(' ')}</p>
          <div class="uri">
            <code id="totp-uri">${otpauthUri}</code>
            <a class="button button-ghost button-small" href=${otpauthUri}>Open in app</a>
            <button class="button button-ghost button-small" type="button" @click=${() => this.copy(otpauthUri)}>Copy link</button>
          </div>
        </li>
        <li>
          ${this.renderCodeForm({
            id: 'totp-confirm',
            label: 'Enter the 6-digit code the app shows',
            hint: 'It changes every 30 seconds.',
            button: 'Turn on',
            onSubmit: this.onConfirmTotp,
            extra: html`<button class="button button-ghost" type="button" @click=${this.onCancelTotp}>Cancel</button>`,
          })}
        </li>
      </ol>
    `;
  }

  private async onSetupTotp(): Promise<void> {
    this.pending = 'totp-setup';
    this.totpError = null;
    try {
      this.totpSecret = await store.authed((client) => client.auth.mfa.totp.setup());
      this.totpStep = 'scan';
      await this.updateComplete;
      this.querySelector<HTMLInputElement>('#totp-confirm-code')?.focus();
    } catch (error) {
      this.totpError = describeError(error);
    } finally {
      this.pending = null;
    }
  }

  private onCancelTotp(): void {
    this.totpStep = 'idle';
    this.totpSecret = null;
    this.totpError = null;
  }

  private async onConfirmTotp(code: string): Promise<void> {
    const { recoveryCodes } = await store.authed((client) => client.auth.mfa.totp.confirm({ code }));
    this.totpSecret = null;
    if (recoveryCodes?.length) {
      this.totpStep = 'codes';
      this.showCodes(recoveryCodes);
    } else {
      this.totpStep = 'idle';
      this.notice = 'Your authenticator app is on. Your recovery codes did not change.';
    }
    await store.loadMe();
  }

  private async onDisableTotp(code: string): Promise<void> {
    await store.authed((client) => client.auth.mfa.totp.disable({ code }));
    this.notice = 'The authenticator app is off.';
    await Promise.all([store.loadMe(), this.loadDevices()]);
  }

  // ——— Recovery codes ———

  private renderRecoveryCodes(): TemplateResult {
    const me = store.me!;
    const anyFactor = me.mfa.sms || me.mfa.totp;
    const claims = store.claims;
    return html`
      <section class="card" id="recovery" aria-labelledby="recovery-title">
        <div class="card-head">
          <div>
            <h2 id="recovery-title">Recovery codes</h2>
            <p class="muted">One-time codes for when you cannot get a text message. Each works once.</p>
          </div>
          ${anyFactor ? html`<span class="status status-neutral" id="codes-left">${me.recoveryCodesRemaining} left</span>` : nothing}
        </div>
        ${this.newCodes.length
          ? html`
              <aldero-recovery-codes
                class="recovery-codes"
                brand=${store.config.brand}
                .codes=${this.newCodes}
                @aldero-recovery-codes-saved=${this.onCodesSaved}
              ></aldero-recovery-codes>
            `
          : anyFactor
            ? html`
                <p class="hint">
                  New codes replace the old ones. For your security this needs a sign-in verified with a second step in the last
                  10 minutes.
                </p>
                <button class="button button-outline" id="regenerate" ?disabled=${this.pending === 'regenerate'} @click=${this.onRegenerate}>
                  ${this.pending === 'regenerate' ? spinner() : nothing}Generate new codes
                </button>
              `
            : html`<p class="hint">You get recovery codes when you turn on text message verification or an authenticator app.</p>`}
        ${this.freshAuthRequired
          ? html`
              <div class="callout callout-warning" role="alert" id="fresh-auth">
                <p>
                  <strong>Verify it is you first.</strong> New recovery codes need a session that passed a second step (a text
                  message, authenticator or recovery code) in the last 10 minutes. This session was signed in with:
                  ${(claims?.amr ?? []).map(amrLabel).join(' + ') || 'a password'}.
                </p>
                <p>
                  Sign out and sign in again, enter the code, then come back here. A trusted device skips the code: revoke it in
                  Trusted devices below first.
                </p>
                <button class="button button-primary" type="button" @click=${this.onReverify}>Sign out and verify</button>
              </div>
            `
          : nothing}
        ${alert(this.codesError)}
      </section>
    `;
  }

  private showCodes(codes: string[]): void {
    this.newCodes = codes;
    void this.updateComplete.then(() => this.querySelector<HTMLElement>('aldero-recovery-codes')?.focus());
  }

  private async onRegenerate(): Promise<void> {
    this.pending = 'regenerate';
    this.codesError = null;
    this.freshAuthRequired = false;
    try {
      const { recoveryCodes } = await store.authed((client) => client.auth.mfa.recoveryCodes.regenerate());
      this.showCodes(recoveryCodes);
      await store.loadMe();
    } catch (error) {
      if (isAlderoError(error) && error.code === 'MFA_FRESH_AUTH_REQUIRED') this.freshAuthRequired = true;
      else this.codesError = describeError(error);
    } finally {
      this.pending = null;
    }
  }

  private onCodesSaved(): void {
    this.newCodes = [];
    if (this.totpStep === 'codes') {
      this.totpStep = 'idle';
      this.notice = 'Your authenticator app is on, and your recovery codes are saved.';
    } else {
      this.notice = 'Your new recovery codes are saved. The old ones no longer work.';
    }
    void focusHeading();
  }

  private async onReverify(): Promise<void> {
    const email = store.me?.email;
    await store.logOut(`Sign in again${email ? ` as ${email}` : ''} and enter your code to generate new recovery codes.`);
    store.returnTo = routes.mfa;
    navigate(routes.login);
  }

  // ——— Trusted devices ———

  private renderDevices(): TemplateResult {
    const devices = this.devices;
    return html`
      <section class="card" id="devices" aria-labelledby="devices-title">
        <div class="card-head">
          <div>
            <h2 id="devices-title">Trusted devices</h2>
            <p class="muted">Browsers where you ticked “Trust this device for 30 days”: they skip the code at sign-in.</p>
          </div>
        </div>
        ${devices === null
          ? html`<p class="hint">${spinner()} Loading…</p>`
          : devices.length === 0
            ? html`<p class="hint" id="no-devices">No trusted devices.</p>`
            : html`
                <ul class="device-list">
                  ${devices.map(
                    (device) => html`
                      <li class="device">
                        <div>
                          <p class="device-name">
                            ${describeUserAgent(device.userAgent)}
                            ${device.current ? html`<span class="badge badge-current">This device</span>` : nothing}
                          </p>
                          <p class="hint">
                            Trusted ${formatDateTime(device.createdAt)} · last used ${formatDateTime(device.lastUsedAt ?? device.createdAt)}
                            · skips the code until ${formatDate(device.expiresAt)}
                          </p>
                        </div>
                        <button
                          class="button button-outline button-small"
                          data-device=${device.id}
                          ?disabled=${this.pending === `device:${device.id}`}
                          @click=${() => this.onRevoke(device)}
                        >
                          ${this.pending === `device:${device.id}` ? spinner() : nothing}Revoke
                        </button>
                      </li>
                    `,
                  )}
                </ul>
              `}
        ${alert(this.devicesError)}
      </section>
    `;
  }

  private async loadDevices(): Promise<void> {
    try {
      const { devices } = await store.authed((client) => client.auth.devices.list());
      this.devices = devices;
      this.devicesError = null;
    } catch (error) {
      this.devices = [];
      this.devicesError = describeError(error);
    }
  }

  private async onRevoke(device: Device): Promise<void> {
    this.pending = `device:${device.id}`;
    try {
      await store.authed((client) => client.auth.devices.revoke({ id: device.id }));
      this.notice = device.current ? 'This browser is no longer trusted: the next sign-in asks for a code.' : 'Device revoked.';
      await this.loadDevices();
    } catch (error) {
      this.devicesError = describeError(error);
    } finally {
      this.pending = null;
    }
  }

  // ——— Shared ———

  private status(on: boolean): TemplateResult {
    return on ? html`<span class="status status-on">On</span>` : html`<span class="status status-off">Off</span>`;
  }

  /** A one-field form for a code (TOTP confirm and disable); errors shown under it. */
  private renderCodeForm(options: {
    id: string;
    label: string;
    hint: string;
    button: string;
    danger?: boolean;
    onSubmit: (code: string) => Promise<void>;
    extra?: TemplateResult;
  }): TemplateResult {
    const pending = this.pending === options.id;
    const submit = async (event: SubmitEvent) => {
      event.preventDefault();
      const input = this.querySelector<HTMLInputElement>(`#${options.id}-code`)!;
      const code = input.value.replace(/\s/g, '');
      if (!/^\d{6}$/.test(code)) {
        this.totpError = 'Enter the 6-digit code.';
        input.focus();
        return;
      }
      this.pending = options.id;
      this.totpError = null;
      try {
        await options.onSubmit.call(this, code);
      } catch (error) {
        this.totpError = describeError(error);
        input.select();
      } finally {
        this.pending = null;
      }
    };
    return html`
      <form class="form inline-form" novalidate @submit=${submit}>
        <div class="field">
          <label for="${options.id}-code">${options.label}</label>
          <span class="hint" id="${options.id}-hint">${options.hint}</span>
          <div class="input-row">
            <input
              id="${options.id}-code"
              class="code-field"
              autocomplete="one-time-code"
              inputmode="numeric"
              maxlength="6"
              placeholder="123456"
              aria-describedby="${options.id}-hint"
              ?disabled=${pending}
            />
            <button class="button ${options.danger ? 'button-danger' : 'button-primary'}" type="submit" ?disabled=${pending}>
              ${pending ? spinner() : nothing}${options.button}
            </button>
            ${options.extra ?? nothing}
          </div>
        </div>
      </form>
    `;
  }

  private async copy(text: string): Promise<void> {
    try {
      await navigator.clipboard.writeText(text);
      this.notice = 'Link copied.';
    } catch {
      this.notice = null;
    }
  }
}

customElements.define('demo-mfa-settings-page', DemoMfaSettingsPage);
