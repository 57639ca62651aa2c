import { parsePhoneNumberFromString } from 'libphonenumber-js/min';
import { html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { state } from 'lit/decorators.js';
import { store, type SandboxMessage } from './store.ts';
import { describeError, formatPhone, formatTime, LightElement } from './ui.ts';

/** How often the simulator asks the sandbox inbox for new messages. */
const POLL_INTERVAL_MS = 1500;

/**
 * The phone simulator: the sandbox inbox of the simulated phone's number, as a messaging app.
 * It reads `GET /v1/sandbox/messages?phone=…` with the demo tenant's admin key — something only
 * a local demo may do; a real tenant page never holds an admin key.
 */
export class DemoPhone extends LightElement {
  @state() private messages: SandboxMessage[] = [];
  @state() private error: string | null = null;
  @state() private editing = false;
  @state() private editError: string | null = null;
  @state() private clock = formatTime(new Date().toISOString());
  /** The newest message, shown as a notification on narrow screens where the phone is off-screen. */
  @state() private toast: SandboxMessage | null = null;

  private timer: ReturnType<typeof setTimeout> | undefined;
  private toastTimer: ReturnType<typeof setTimeout> | undefined;
  private polling = false;
  private seen = new Set<string>();
  private fresh = new Set<string>();
  private phoneShown = '';
  private unsubscribe?: () => void;
  private readonly onVisibility = () => {
    if (document.visibilityState === 'visible') void this.poll();
  };

  override connectedCallback(): void {
    super.connectedCallback();
    this.unsubscribe = store.subscribe(() => {
      this.requestUpdate();
      if (store.phone !== this.phoneShown) void this.poll();
    });
    document.addEventListener('visibilitychange', this.onVisibility);
    void this.poll();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unsubscribe?.();
    document.removeEventListener('visibilitychange', this.onVisibility);
    clearTimeout(this.timer);
    clearTimeout(this.toastTimer);
  }

  protected override updated(changed: PropertyValues): void {
    if (changed.has('messages')) {
      const list = this.querySelector('.sms-list');
      list?.scrollTo({ top: list.scrollHeight, behavior: 'smooth' });
    }
  }

  protected override render(): TemplateResult {
    const ordered = [...this.messages].reverse();
    const sender = this.messages[0]?.from;
    return html`
      <div class="phone">
        <div class="phone-frame">
          <div class="phone-status" aria-hidden="true">
            <span>${this.clock}</span>
            <span class="phone-notch"></span>
            <span>Sandbox ▮▮▮</span>
          </div>
          <div class="phone-header">
            <span class="phone-avatar" aria-hidden="true">A</span>
            <div>
              <p class="phone-contact">Aldero</p>
              <p class="phone-contact-number">${sender ? formatPhone(sender) : 'Text messages'}</p>
            </div>
          </div>
          <ol class="sms-list" tabindex="0" aria-label="Text messages received" aria-live="polite" aria-relevant="additions">
            ${ordered.length === 0
              ? html`<li class="sms-empty">No messages yet. Codes sent to ${formatPhone(store.phone)} appear here.</li>`
              : ordered.map((message) => this.renderMessage(message))}
          </ol>
          ${this.error ? html`<p class="phone-error" role="alert">${this.error}</p>` : nothing}
        </div>
        <div class="phone-meta">
          <p class="phone-label">Simulated phone</p>
          ${this.editing ? this.renderEditForm() : html`
            <p class="phone-number">
              <strong id="phone-number">${formatPhone(store.phone)}</strong>
              <button class="button button-ghost button-small" type="button" @click=${this.onEdit}>Change</button>
            </p>
          `}
          ${store.config.adminKey ? html`
            <p class="hint">
              Sandbox inbox, refreshed every ${POLL_INTERVAL_MS / 1000} s. No real SMS leaves the sandbox.
            </p>
          ` : this.renderKeyForm()}
        </div>
        ${this.toast
          ? html`<div class="sms-toast" aria-hidden="true" @click=${() => (this.toast = null)}>
              <p class="sms-toast-title"><span>Messages · Aldero</span><span>now</span></p>
              <p>${this.toast.body}</p>
            </div>`
          : nothing}
      </div>
    `;
  }

  private renderMessage(message: SandboxMessage): TemplateResult {
    const parts = message.body.split(/\b(\d{6})\b/);
    return html`
      <li class="sms ${this.fresh.has(message.id) ? 'sms-new' : ''}" data-message-id=${message.id}>
        <p class="sms-body">${parts.map((part, index) => (index % 2 === 1 ? html`<mark class="sms-code">${part}</mark>` : part))}</p>
        <p class="sms-meta"><time datetime=${message.createdAt}>${formatTime(message.createdAt)}</time> · ${message.status}</p>
      </li>
    `;
  }

  private renderEditForm(): TemplateResult {
    return html`
      <form class="phone-edit" novalidate @submit=${this.onSaveNumber}>
        <label for="phone-edit">Number of this phone</label>
        <div class="input-row">
          <input id="phone-edit" type="tel" autocomplete="off" .value=${formatPhone(store.phone)} />
          <button class="button button-primary button-small" type="submit">Save</button>
          <button class="button button-ghost button-small" type="button" @click=${() => (this.editing = false)}>Cancel</button>
        </div>
        ${this.editError ? html`<p class="alert alert-error" role="alert">${this.editError}</p>` : nothing}
      </form>
    `;
  }

  private renderKeyForm(): TemplateResult {
    return html`
      <form class="phone-edit" novalidate @submit=${this.onSaveKey}>
        <label for="admin-key">Demo tenant admin key</label>
        <span class="hint">/demo-config.json is not available here: paste the key <code>npm start</code> printed to read the sandbox inbox.</span>
        <div class="input-row">
          <input id="admin-key" type="password" autocomplete="off" />
          <button class="button button-primary button-small" type="submit">Use</button>
        </div>
      </form>
    `;
  }

  private async poll(): Promise<void> {
    clearTimeout(this.timer);
    if (this.polling) return;
    const phone = store.phone;
    if (store.config.adminKey && document.visibilityState === 'visible') {
      this.polling = true;
      try {
        const messages = await store.inbox(phone);
        if (phone !== this.phoneShown) {
          // Another number: what is already in its inbox is not news.
          this.seen = new Set(messages.map((message) => message.id));
          this.phoneShown = phone;
        }
        this.fresh = new Set(messages.filter((message) => !this.seen.has(message.id)).map((message) => message.id));
        for (const id of this.fresh) this.seen.add(id);
        const newest = messages[0];
        if (newest && this.fresh.has(newest.id)) this.showToast(newest);
        const changed =
          messages.length !== this.messages.length ||
          messages.some((message, index) => message.id !== this.messages[index]?.id || message.status !== this.messages[index]?.status);
        if (changed) this.messages = messages;
        this.error = null;
      } catch (error) {
        this.error = describeError(error);
      } finally {
        this.polling = false;
      }
    }
    this.clock = formatTime(new Date().toISOString());
    if (this.isConnected) this.timer = setTimeout(() => void this.poll(), POLL_INTERVAL_MS);
  }

  private showToast(message: SandboxMessage): void {
    this.toast = message;
    clearTimeout(this.toastTimer);
    this.toastTimer = setTimeout(() => (this.toast = null), 10_000);
  }

  private async onEdit(): Promise<void> {
    this.editing = true;
    this.editError = null;
    await this.updateComplete;
    this.querySelector<HTMLInputElement>('#phone-edit')?.select();
  }

  private onSaveNumber(event: SubmitEvent): void {
    event.preventDefault();
    const value = this.querySelector<HTMLInputElement>('#phone-edit')?.value ?? '';
    const number = parsePhoneNumberFromString(value, 'US');
    if (!number?.isPossible()) {
      this.editError = 'Enter a full number, like +1 415 555 0123.';
      return;
    }
    this.editing = false;
    this.messages = [];
    store.setPhone(number.number);
  }

  private onSaveKey(event: SubmitEvent): void {
    event.preventDefault();
    store.setAdminKey(this.querySelector<HTMLInputElement>('#admin-key')?.value ?? '');
    void this.poll();
  }
}

customElements.define('demo-phone', DemoPhone);
