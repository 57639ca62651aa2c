import { html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { property } from 'lit/decorators/property.js';
import { state } from 'lit/decorators/state.js';
import styles from './aldero-recovery-codes.styles.ts';
import componentStyles from './shared/component.styles.ts';
import { AlderoElement } from './shared/element.ts';
import { recoveryCodes, type RecoveryCodesMessages } from './shared/messages/en.ts';

export type RecoveryCodesCatalogue = RecoveryCodesMessages;

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * @summary Shows a user's recovery codes once, with copy, download and print, until they say they saved them.
 * @tag aldero-recovery-codes
 *
 * The codes are never written to storage, attributes or the console. After "I have saved these
 * codes" they leave the DOM and the `codes` property is emptied.
 *
 * @csspart base - The wrapper of the element.
 * @csspart hint - The explanation, the copy status and the confirmation.
 * @csspart code-list - The list of codes.
 * @csspart code - One code.
 * @csspart button - Every button.
 * @csspart primary-button - The acknowledgment.
 * @csspart secondary-button - Copy, download and print.
 * @csspart copy-button - "Copy all".
 * @csspart download-button - "Download .txt".
 * @csspart print-button - "Print".
 * @csspart acknowledge - "I have saved these codes".
 *
 * @cssprop --aldero-color-primary - Buttons.
 * @cssprop --aldero-color-primary-contrast - Text on primary buttons.
 * @cssprop --aldero-color-text - Text.
 * @cssprop --aldero-color-muted - Hints.
 * @cssprop --aldero-color-surface - Background of the code list.
 * @cssprop --aldero-color-background - Background of the element.
 * @cssprop --aldero-color-border - Borders.
 * @cssprop --aldero-font-family - Font.
 * @cssprop --aldero-font-family-code - Font of the codes.
 * @cssprop --aldero-radius - Corner radius.
 * @cssprop --aldero-focus-ring - Box shadow of the focused control.
 * @cssprop --aldero-spacing - Space between the parts.
 *
 * @fires aldero-recovery-codes-saved - The user acknowledged saving the codes; they are gone from the element. `{}`
 */
export class AlderoRecoveryCodes extends AlderoElement<RecoveryCodesCatalogue> {
  static override styles = [componentStyles, styles];

  /** The tenant's brand, as users know it: the title of the saved and printed codes. */
  @property() brand = '';

  /** The codes to show, once (from `auth.mfa.sms.confirm` or `auth.mfa.recoveryCodes.regenerate`). */
  @property({ attribute: false }) codes: string[] = [];

  @state() private copyStatus?: string;
  @state() private saved = false;

  protected readonly english = { recoveryCodes };
  private printFrame?: HTMLIFrameElement;

  /** Moves focus to the heading of the codes (or to the confirmation once they are saved). */
  override focus(options?: FocusOptions): void {
    void this.updateComplete.then(() =>
      this.renderRoot.querySelector<HTMLElement>('#title, #saved')?.focus(options),
    );
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.removePrintFrame();
  }

  protected override willUpdate(changed: PropertyValues<this>): void {
    if (changed.has('codes') && this.codes.length > 0) {
      this.saved = false;
      this.copyStatus = undefined;
    }
  }

  protected override render(): TemplateResult | typeof nothing {
    if (this.saved) {
      return html`
        <div part="base">
          <p part="hint" id="saved" role="status" tabindex="-1">${this.t('saved')}</p>
        </div>
      `;
    }
    if (this.codes.length === 0) return nothing;
    return html`
      <div part="base">
        <h2 id="title" tabindex="-1">${this.t('recoveryTitle')}</h2>
        <p part="hint">${this.t('recoveryIntro')}</p>
        <ol part="code-list" aria-labelledby="title">
          ${this.codes.map((code) => html`<li><code part="code">${code}</code></li>`)}
        </ol>
        <div class="row">
          <button type="button" part="button secondary-button copy-button" @click=${this.onCopy}>
            ${this.t('copy')}
          </button>
          <button type="button" part="button secondary-button download-button" @click=${this.onDownload}>
            ${this.t('download')}
          </button>
          <button type="button" part="button secondary-button print-button" @click=${this.onPrint}>
            ${this.t('print')}
          </button>
          <p part="hint" role="status">${this.copyStatus ?? nothing}</p>
        </div>
        <button type="button" part="button primary-button acknowledge" @click=${this.onAcknowledge}>
          ${this.t('acknowledge')}
        </button>
      </div>
    `;
  }

  private get brandName(): string {
    return this.brand || 'Aldero';
  }

  /** The text of the .txt file and of the printed page. */
  private document(): { title: string; note: string } {
    return { title: this.t('fileTitle', { brand: this.brandName }), note: this.t('fileNote') };
  }

  private removePrintFrame(): void {
    this.printFrame?.remove();
    this.printFrame = undefined;
  }

  private async onCopy(): Promise<void> {
    try {
      await navigator.clipboard.writeText(this.codes.join('\n'));
      this.copyStatus = this.t('copied');
    } catch {
      this.copyStatus = this.t('copyFailed');
    }
  }

  private onDownload(): void {
    const { title, note } = this.document();
    const blob = new Blob([`${title}\n\n${this.codes.join('\n')}\n\n${note}\n`], { type: 'text/plain' });
    const url = URL.createObjectURL(blob);
    const link = document.createElement('a');
    link.href = url;
    link.download = `${this.brandName.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-recovery-codes.txt`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  /** Prints only the codes, from a hidden frame, so the tenant's page is not printed around them. */
  private onPrint(): void {
    this.removePrintFrame();
    const { title, note } = this.document();
    const frame = document.createElement('iframe');
    frame.setAttribute('aria-hidden', 'true');
    frame.tabIndex = -1;
    frame.style.cssText = 'position:fixed;inset-inline-start:-10000px;width:0;height:0;border:0';
    frame.srcdoc = `<!doctype html><html lang="${this.language}"><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<h1>${escapeHtml(title)}</h1><pre style="font-size:1.5rem;line-height:2">${this.codes.map(escapeHtml).join('\n')}</pre><p>${escapeHtml(note)}</p>`;
    frame.addEventListener(
      'load',
      () => {
        const view = frame.contentWindow;
        view?.addEventListener('afterprint', () => {
          if (this.printFrame === frame) this.removePrintFrame();
        });
        view?.print();
      },
      { once: true },
    );
    this.printFrame = frame;
    this.renderRoot.appendChild(frame);
  }

  private onAcknowledge(): void {
    this.removePrintFrame();
    this.codes = [];
    this.copyStatus = undefined;
    this.saved = true;
    this.emit('aldero-recovery-codes-saved', {});
    this.focus();
  }
}

AlderoRecoveryCodes.define('aldero-recovery-codes');

declare global {
  interface HTMLElementTagNameMap {
    'aldero-recovery-codes': AlderoRecoveryCodes;
  }
}
