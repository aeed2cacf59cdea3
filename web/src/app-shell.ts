// The console's frame: header with navigation, who is signed in, the theme switch, and the page.
import { html, nothing } from 'lit';
import { ApiError, errorText, sendJson } from './api/client.js';
import { loadConfig, type ConsoleConfig } from './api/config.js';
import { session } from './api/session.js';
import { currentRoute, interceptLinks, pages, type Route } from './router.js';
import { applyTheme, currentTheme } from './theme.js';
import { LightElement } from './ui/light-element.js';
import './ui/user-picker.js';
import './pages/sky-page.js';
import './pages/recordings-page.js';
import './pages/files-page.js';
import './pages/scans-page.js';
import './pages/operations-page.js';

export class AppShell extends LightElement {
  static override properties = { route: { state: true }, config: { state: true }, failure: { state: true } };
  declare route: Route;
  declare config: ConsoleConfig | undefined;
  declare failure: string | undefined;

  constructor() {
    super();
    this.route = currentRoute();
    this.config = undefined;
    this.failure = undefined;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    interceptLinks(this);
    window.addEventListener('popstate', () => {
      this.route = currentRoute();
    });
    session.onChange(() => this.requestUpdate());
    void this.#start();
  }

  async #start(): Promise<void> {
    try {
      const config = await loadConfig();
      await session.init(config);
      if (session.justSignedIn) await this.#joinStarMap();
      this.config = config;
    } catch (error) {
      this.failure = String(error);
    }
  }

  /** AUTH_MODE=jwt: the caller's star-map user, whose id the API derives from the token, made once. */
  async #joinStarMap(): Promise<void> {
    try {
      await sendJson('POST', '/users', { name: session.displayName.slice(0, 100) });
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 409)) this.failure = errorText(error);
    }
  }

  #toggleTheme(): void {
    applyTheme(currentTheme() === 'dark' ? 'light' : 'dark', true);
    this.requestUpdate();
  }

  protected override updated(): void {
    const title = pages.find((p) => p.name === this.route.page)?.title ?? 'Console';
    document.title = `${title} · Azimuth`;
  }

  #sessionControls() {
    if (session.mode === 'none') return html`<user-picker></user-picker>`;
    if (!session.canSignIn)
      return html`<span class="error"
        >Sign-in needs the API's CONSOLE_ENTRA_CLIENT_ID and CONSOLE_ENTRA_API_SCOPE.</span
      >`;
    return session.signedIn
      ? html`<span>${session.account}</span>
          <button class="secondary" @click=${() => void session.signOut()}>Sign out</button>`
      : html`<button @click=${() => void session.signIn()}>Sign in</button>`;
  }

  #page() {
    const { page, rest } = this.route;
    switch (page) {
      case 'sky':
        return html`<sky-page></sky-page>`;
      case 'recordings':
        return html`<recordings-page .recordingId=${rest}></recordings-page>`;
      case 'files':
        return html`<files-page></files-page>`;
      case 'scans':
        return html`<scans-page .scanId=${rest}></scans-page>`;
      case 'operations':
        return html`<operations-page></operations-page>`;
    }
  }

  protected override render() {
    const dark = currentTheme() === 'dark';
    return html`
      <a class="skip-link" href="#main">Skip to content</a>
      <header class="shell">
        <a class="brand" href="/sky" data-nav>Azimuth</a>
        <nav aria-label="Pages">
          <ul>
            ${pages.map(
              (p) =>
                html`<li>
                  <a href="/${p.name}" data-nav aria-current=${p.name === this.route.page ? 'page' : nothing}
                    >${p.title}</a
                  >
                </li>`,
            )}
          </ul>
        </nav>
        <div class="session">
          ${this.config ? this.#sessionControls() : nothing}
          <button class="secondary" aria-pressed=${dark} @click=${() => this.#toggleTheme()}>
            ${dark ? 'Light' : 'Dark'} theme
          </button>
        </div>
      </header>
      <main id="main" tabindex="-1">
        ${
          this.failure
            ? html`<p class="error" role="alert">${this.failure}</p>`
            : this.config
              ? this.#page()
              : html`<p class="muted">Loading…</p>`
        }
      </main>
    `;
  }
}

customElements.define('azimuth-app', AppShell);
