import { html, nothing, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import { currentPath, navigate, routes } from '../router.ts';
import { store } from '../store.ts';
import { alert, describeError, LightElement, spinner } from '../ui.ts';

/** Sign in and sign up with email and password, plus the demo's fake identity provider. */
export class DemoAuthPage extends LightElement {
  @property() mode: 'login' | 'signup' = 'login';

  @state() private pending: 'password' | 'idp' | null = null;
  @state() private error: string | null = null;
  @state() private idpError: string | null = null;
  @state() private notice: string | null = store.takeFlash();
  @state() private idpOpen = false;

  protected override render(): TemplateResult {
    const signup = this.mode === 'signup';
    const brand = store.config.brand;
    return html`
      <section class="auth">
        <div class="card auth-card">
          <h1>${signup ? `Create your ${brand} account` : `Sign in to ${brand}`}</h1>
          <p class="muted">
            ${signup
              ? 'Then turn on text message verification under Security to protect it with a second step.'
              : 'Accounts with text message verification on get a code by text message to confirm it is you.'}
          </p>
          ${alert(this.notice, 'info')}
          <form class="form" novalidate @submit=${this.onSubmit}>
            <div class="field">
              <label for="email">Email</label>
              <input id="email" name="email" type="email" autocomplete=${signup ? 'email' : 'username'} required ?disabled=${this.pending !== null} />
            </div>
            <div class="field">
              <label for="password">Password</label>
              <input
                id="password"
                name="password"
                type="password"
                autocomplete=${signup ? 'new-password' : 'current-password'}
                minlength=${signup ? 8 : nothing}
                aria-describedby=${signup ? 'password-hint' : nothing}
                required
                ?disabled=${this.pending !== null}
              />
              ${signup ? html`<span class="hint" id="password-hint">At least 8 characters.</span>` : nothing}
            </div>
            ${alert(this.error)}
            <button class="button button-primary button-block" id="submit" type="submit" ?disabled=${this.pending !== null}>
              ${this.pending === 'password' ? spinner() : nothing}${signup ? 'Create account' : 'Sign in'}
            </button>
          </form>
          <div class="divider"><span>or</span></div>
          ${this.idpOpen ? this.renderIdp() : html`
            <button class="button button-outline button-block" id="idp" type="button" @click=${this.onOpenIdp}>
              <span class="idp-mark" aria-hidden="true">ID</span> Continue with Demo IdP
            </button>
          `}
          <p class="switch-mode">
            ${signup
              ? html`Already have an account? <a href=${routes.login}>Sign in</a>`
              : html`New to ${brand}? <a href=${routes.signup}>Create an account</a>`}
          </p>
        </div>
      </section>
    `;
  }

  private renderIdp(): TemplateResult {
    return html`
      <form class="form idp-box" novalidate @submit=${this.onIdpSubmit}>
        <p class="idp-title"><span class="idp-mark" aria-hidden="true">ID</span> Demo IdP <span class="badge">fake, for this demo</span></p>
        <p class="hint">
          Stands in for Google or Okta: the tenant's backend creates an OAuth-only user
          (<code>POST /v1/admin/users</code>) and mints its session (<code>POST /v1/admin/sessions</code>).
          Such users have no password, so Aldero refuses SMS enrollment for them.
        </p>
        <div class="field">
          <label for="idp-email">Email at the identity provider</label>
          <input id="idp-email" name="idp-email" type="email" autocomplete="email" required ?disabled=${this.pending !== null} />
        </div>
        ${alert(this.idpError)}
        <button class="button button-outline button-block" id="idp-continue" type="submit" ?disabled=${this.pending !== null}>
          ${this.pending === 'idp' ? spinner() : nothing}Continue
        </button>
      </form>
    `;
  }

  private async onOpenIdp(): Promise<void> {
    this.idpOpen = true;
    await this.updateComplete;
    this.querySelector<HTMLInputElement>('#idp-email')?.focus();
  }

  private field(name: string): string {
    return this.querySelector<HTMLInputElement>(`#${name}`)?.value.trim() ?? '';
  }

  private async onSubmit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const email = this.field('email');
    const password = this.querySelector<HTMLInputElement>('#password')?.value ?? '';
    if (!email || !password) {
      this.error = 'Enter your email and password.';
      return;
    }
    this.pending = 'password';
    this.error = null;
    this.notice = null;
    try {
      // Once signed in, the route guard moves on (to `returnTo`); these navigations are the fallback.
      const here = currentPath();
      if (this.mode === 'signup') {
        store.returnTo = routes.mfa;
        await store.signUp(email, password);
        if (currentPath() === here) navigate(store.takeReturnTo(routes.mfa));
      } else if ((await store.logIn(email, password)) === 'mfa') {
        navigate(routes.challenge);
      } else if (currentPath() === here) {
        navigate(store.takeReturnTo(routes.dashboard));
      }
    } catch (error) {
      store.returnTo = this.mode === 'signup' ? null : store.returnTo;
      this.error = describeError(error);
      this.pending = null;
      await this.updateComplete;
      this.querySelector<HTMLInputElement>(this.mode === 'signup' ? '#email' : '#password')?.focus();
    }
  }

  private async onIdpSubmit(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const email = this.field('idp-email');
    if (!email) {
      this.idpError = 'Enter the email of your identity provider account.';
      return;
    }
    this.pending = 'idp';
    this.idpError = null;
    try {
      store.returnTo = routes.mfa;
      const here = currentPath();
      await store.continueWithIdp(email);
      if (currentPath() === here) navigate(store.takeReturnTo(routes.mfa));
    } catch (error) {
      store.returnTo = null;
      this.idpError = describeError(error);
      this.pending = null;
    }
  }
}

customElements.define('demo-auth-page', DemoAuthPage);
