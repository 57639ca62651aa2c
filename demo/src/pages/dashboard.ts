import { html, nothing, type TemplateResult } from 'lit';
import { state } from 'lit/decorators.js';
import { routes } from '../router.ts';
import { store } from '../store.ts';
import { alert, amrLabel, formatDateTime, formatPhone, LightElement } from '../ui.ts';

/** The account overview: how this session was signed in, and the state of the factors. */
export class DemoDashboardPage extends LightElement {
  @state() private notice: string | null = store.takeFlash();

  private unsubscribe?: () => void;

  override connectedCallback(): void {
    super.connectedCallback();
    this.unsubscribe = store.subscribe(() => this.requestUpdate());
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unsubscribe?.();
  }

  protected override render(): TemplateResult {
    const me = store.me;
    const claims = store.claims;
    if (!me) return html``;
    const factors = [me.mfa.sms && 'text message', me.mfa.totp && 'authenticator app'].filter(Boolean);
    return html`
      <div class="page-head">
        <h1>Welcome back</h1>
        <p class="muted">${me.email}</p>
      </div>
      <div class="stack">
      ${alert(this.notice, 'success')}
      <div class="grid-2">
        <section class="card" aria-labelledby="session-title">
          <h2 id="session-title">This session</h2>
          <p class="muted">How you proved it is you (the <code>amr</code> claim of your access token).</p>
          <ul class="chips" id="session-amr">
            ${(claims?.amr ?? []).map((amr) => html`<li class="chip">${amrLabel(amr)}</li>`)}
          </ul>
          ${claims?.authTime
            ? html`<p class="hint">Signed in ${formatDateTime(new Date(claims.authTime * 1000).toISOString())}.</p>`
            : nothing}
          <p class="hint">
            The access token lasts 15 minutes and is refreshed in the background; both tokens live in this tab's
            <code>sessionStorage</code>.
          </p>
        </section>
        <section class="card" aria-labelledby="security-title">
          <h2 id="security-title">Security</h2>
          <dl class="facts">
            <div>
              <dt>Two-step verification</dt>
              <dd>
                ${factors.length
                  ? html`<span class="status status-on">On</span> ${factors.join(' and ')}`
                  : html`<span class="status status-off">Off</span>`}
              </dd>
            </div>
            <div>
              <dt>Phone</dt>
              <dd>${me.phone ? formatPhone(me.phone) : 'None'}${me.phone && !me.mfa.sms ? ' (codes off)' : ''}</dd>
            </div>
            <div>
              <dt>Recovery codes</dt>
              <dd>${factors.length ? `${me.recoveryCodesRemaining} left` : '—'}</dd>
            </div>
            <div>
              <dt>Sign-in method</dt>
              <dd>${me.hasPassword ? 'Email and password' : 'Identity provider (no password)'}</dd>
            </div>
          </dl>
          <a class="button button-primary" href=${routes.mfa}>${factors.length ? 'Manage MFA settings' : 'Turn on text message verification'}</a>
        </section>
      </div>
      </div>
    `;
  }
}

customElements.define('demo-dashboard-page', DemoDashboardPage);
