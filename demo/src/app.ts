import { html, nothing, type TemplateResult } from 'lit';
import { state } from 'lit/decorators.js';
import { currentPath, interceptLinks, navigate, onNavigate, routes } from './router.ts';
import { store } from './store.ts';
import { applyTheme, restoreTheme, THEMES, type ThemeId } from './theme.ts';
import { focusHeading, LightElement, spinner } from './ui.ts';
import './pages/auth.ts';
import './pages/challenge.ts';
import './pages/dashboard.ts';
import './pages/mfa-settings.ts';
import './phone.ts';

const TITLES: Record<string, string> = {
  [routes.login]: 'Sign in',
  [routes.signup]: 'Create your account',
  [routes.challenge]: 'Two-step verification',
  [routes.dashboard]: 'Overview',
  [routes.mfa]: 'Security · Multi-factor authentication',
};

/** The shell of the tenant's app: header, the page of the current route, the phone simulator. */
export class DemoApp extends LightElement {
  @state() private ready = false;
  @state() private theme: ThemeId = restoreTheme();
  @state() private signingOut = false;

  private unsubscribe: Array<() => void> = [];
  /** The first page shown is where reading starts anyway; every later one takes focus to its h1. */
  private firstPageShown = false;

  override connectedCallback(): void {
    super.connectedCallback();
    interceptLinks(this);
    this.unsubscribe.push(
      store.subscribe(() => {
        this.requestUpdate();
        if (this.ready) this.guard();
      }),
      onNavigate(() => this.onRouteChange()),
    );
    void store.init().then(() => {
      this.ready = true;
      this.onRouteChange();
    });
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    for (const unsubscribe of this.unsubscribe) unsubscribe();
  }

  protected override render(): TemplateResult {
    const brand = THEMES.find((theme) => theme.id === this.theme)?.name ?? 'Acme';
    return html`
      <a class="skip-link" href="#main">Skip to content</a>
      <header class="topbar">
        <div class="topbar-inner">
          <a class="logo" href="/">
            <span class="logo-mark" aria-hidden="true">${brand.slice(0, 1)}</span>
            <span class="logo-name">${brand}<span class="visually-hidden"> home</span></span>
          </a>
          <span class="badge badge-env" title="Tenant ${store.config.tenant}, sandbox environment: no real SMS">Sandbox</span>
          ${store.signedIn
            ? html`<nav class="nav" aria-label="Account">
                <a href=${routes.dashboard} aria-current=${currentPath() === routes.dashboard ? 'page' : nothing}>Overview</a>
                <a href=${routes.mfa} aria-current=${currentPath() === routes.mfa ? 'page' : nothing}>Security</a>
              </nav>`
            : html`<span class="nav-spacer"></span>`}
          <div class="topbar-actions">
            ${this.renderThemeSwitcher()}
            ${store.signedIn
              ? html`
                  <span class="user-email" title="Signed in">${store.me?.email ?? ''}</span>
                  <button class="button button-ghost" id="sign-out" ?disabled=${this.signingOut} @click=${this.onSignOut}>
                    ${this.signingOut ? spinner() : nothing}Sign out
                  </button>
                `
              : nothing}
          </div>
        </div>
      </header>
      <div class="layout">
        <main id="main" class="content" tabindex="-1">${this.ready ? this.renderPage() : html`<p class="loading">${spinner()} Loading…</p>`}</main>
        <aside class="phone-column" aria-label="Phone simulator">
          <demo-phone></demo-phone>
        </aside>
      </div>
      <footer class="footer">
        <p>
          A tenant's app built on <strong>Aldero SMS MFA</strong>: the sign-in and the MFA settings use
          <code>&lt;aldero-sms-enroll&gt;</code>, <code>&lt;aldero-mfa-challenge&gt;</code> and
          <code>&lt;aldero-recovery-codes&gt;</code> from the components' public entry. Tenant <code>${store.config.tenant}</code>,
          sandbox: text messages go to the phone simulator, never to a real phone.
          ${this.theme === 'acme'
            ? nothing
            : html`The ${brand} look restyles the same elements through <code>::part()</code> and <code>--aldero-*</code> only; the
                SMS and the opt-in disclosure keep the sending tenant's brand, ${store.config.brand}.`}
        </p>
      </footer>
    `;
  }

  private renderThemeSwitcher(): TemplateResult {
    return html`
      <div class="segmented" role="radiogroup" aria-label="Brand theme" title="The same components, themed through ::part() and --aldero-* custom properties only">
        ${THEMES.map(
          (theme) => html`
            <button
              type="button"
              role="radio"
              class="segment"
              data-theme-id=${theme.id}
              aria-checked=${this.theme === theme.id ? 'true' : 'false'}
              title=${theme.description}
              @click=${() => this.onTheme(theme.id)}
            >
              ${theme.name}
            </button>
          `,
        )}
      </div>
    `;
  }

  private renderPage(): TemplateResult {
    switch (currentPath()) {
      case routes.login:
        return html`<demo-auth-page mode="login"></demo-auth-page>`;
      case routes.signup:
        return html`<demo-auth-page mode="signup"></demo-auth-page>`;
      case routes.challenge:
        return html`<demo-challenge-page></demo-challenge-page>`;
      case routes.dashboard:
        return html`<demo-dashboard-page></demo-dashboard-page>`;
      case routes.mfa:
        return html`<demo-mfa-settings-page></demo-mfa-settings-page>`;
      default:
        return html`
          <section class="card narrow">
            <h1>Page not found</h1>
            <p class="muted">There is nothing at <code>${location.pathname}</code>.</p>
            <p><a class="button button-primary" href="/">Go to the start</a></p>
          </section>
        `;
    }
  }

  /** Route guards: signed-out users go to the login, signed-in users skip it. True when it redirected. */
  private guard(): boolean {
    const path = currentPath();
    const accountArea = path === routes.dashboard || path.startsWith(`${routes.dashboard}/`);
    let target: string | null = null;
    if (path === '/') target = store.signedIn ? routes.mfa : routes.login;
    else if (accountArea && !store.signedIn) {
      store.flash ??= 'Sign in to continue.';
      store.returnTo = path;
      target = routes.login;
    } else if ((path === routes.login || path === routes.signup || path === routes.challenge) && store.signedIn) {
      target = store.takeReturnTo(routes.dashboard);
    }
    else if (path === routes.challenge && !store.pendingLogin) target = routes.login;
    if (target) navigate(target, { replace: true });
    return target !== null;
  }

  private onRouteChange(): void {
    if (!this.ready || this.guard()) return;
    const path = currentPath();
    document.title = `${TITLES[path] ?? 'Not found'} — Aldero SMS MFA demo`;
    this.requestUpdate();
    // Move focus to the new page's h1 for keyboard and screen-reader users (not on the first load).
    // Also when what had focus is gone or disabled (a submit button while its request ran).
    if (this.firstPageShown) void this.updateComplete.then(() => focusHeading(this));
    this.firstPageShown = true;
    window.scrollTo({ top: 0 });
  }

  private onTheme(id: ThemeId): void {
    this.theme = id;
    applyTheme(id);
  }

  private async onSignOut(): Promise<void> {
    this.signingOut = true;
    await store.logOut();
    this.signingOut = false;
    navigate(routes.login);
  }
}

customElements.define('demo-app', DemoApp);
