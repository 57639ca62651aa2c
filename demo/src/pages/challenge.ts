import { html, nothing, type TemplateResult } from 'lit';
import { state } from 'lit/decorators.js';
import type { AlderoEvent } from '../../../components/index.ts';
import { currentPath, navigate, routes } from '../router.ts';
import { store } from '../store.ts';
import { alert, describeError, LightElement } from '../ui.ts';

/** The second step of the sign-in: `<aldero-mfa-challenge>` with the `mfa_token` of the 403. */
export class DemoChallengePage extends LightElement {
  @state() private error: string | null = null;

  protected override render(): TemplateResult {
    const login = store.pendingLogin;
    if (!login) return html``;
    return html`
      <section class="auth">
        <div class="card auth-card">
          <h1 class="visually-hidden">Verify it is you</h1>
          <p class="eyebrow">Signing in as <strong>${login.email}</strong></p>
          <aldero-mfa-challenge
            tenant=${store.config.tenant}
            api-base=${location.origin}
            ?sandbox=${store.config.sandbox}
            brand=${store.config.brand}
            mfa-token=${login.mfaToken}
            @aldero-verified=${this.onVerified}
            @aldero-start-over=${this.onStartOver}
          ></aldero-mfa-challenge>
          ${alert(this.error)}
          <p class="switch-mode">
            ${login.methods.includes('sms')
              ? html`<span>The code arrives on the phone simulator <span class="beside-wide">on the right</span><span class="beside-narrow">below</span>.</span>`
              : nothing}
            <a href=${routes.login} @click=${this.onStartOver}>Not you? Start over</a>
          </p>
        </div>
      </section>
    `;
  }

  private async onVerified(event: AlderoEvent<'aldero-verified'>): Promise<void> {
    try {
      store.flash = event.detail.trustedDevice
        ? 'Signed in. This browser is now trusted for 30 days: the next sign-in skips the code.'
        : 'Signed in with two-step verification.';
      await store.completeMfa(event.detail);
      // The route guard has usually moved on already (signed in → off the challenge).
      if (currentPath() === routes.challenge) navigate(store.takeReturnTo(routes.dashboard));
    } catch (error) {
      store.flash = null;
      this.error = describeError(error);
    }
  }

  private onStartOver(event?: Event): void {
    event?.preventDefault();
    store.pendingLogin = null;
    navigate(routes.login);
  }
}

customElements.define('demo-challenge-page', DemoChallengePage);
