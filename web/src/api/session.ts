// Who the console acts as. AUTH_MODE=none: a star-map user picked in the header (the API takes the
// user from the request). AUTH_MODE=jwt: an Entra ID account signed in with MSAL, whose access
// token goes on every call, event stream and WebSocket.
import type { PublicClientApplication } from '@azure/msal-browser';
import type { ConsoleConfig } from './config.js';

export interface PickedUser {
  id: string;
  name: string;
}

const storageKey = 'azimuth.user';

type Listener = () => void;

class Session {
  mode: ConsoleConfig['authMode'] = 'none';
  user: PickedUser | null = null;
  account: string | null = null;
  /** The signed-in account's name (jwt). */
  displayName = '';
  /** Whether this page load completed a sign-in (jwt): the moment to join the star map. */
  justSignedIn = false;
  #msal: PublicClientApplication | undefined;
  #scope = '';
  #listeners = new Set<Listener>();

  async init(config: ConsoleConfig): Promise<void> {
    this.mode = config.authMode;
    if (this.mode === 'none') {
      const saved = localStorage.getItem(storageKey);
      this.user = saved === null ? null : (JSON.parse(saved) as PickedUser);
      return;
    }
    if (config.entra === null) return;
    this.#scope = config.entra.scope;
    // Loaded only in jwt mode: MSAL is the console's largest dependency.
    const { PublicClientApplication } = await import('@azure/msal-browser');
    this.#msal = new PublicClientApplication({
      auth: {
        clientId: config.entra.clientId,
        authority: config.entra.authority,
        // Trusts the authority's own discovery document, so a tenant-specific, sovereign-cloud or
        // test authority works as well as login.microsoftonline.com.
        knownAuthorities: [new URL(config.entra.authority).host],
        redirectUri: window.location.origin,
        postLogoutRedirectUri: window.location.origin,
      },
      cache: { cacheLocation: 'sessionStorage' },
    });
    await this.#msal.initialize();
    const result = await this.#msal.handleRedirectPromise();
    const account = result?.account ?? this.#msal.getAllAccounts()[0];
    if (account) {
      this.#msal.setActiveAccount(account);
      this.account = account.username;
      this.displayName = account.name ?? account.username;
    }
    this.justSignedIn = result !== null;
  }

  get signedIn(): boolean {
    return this.mode === 'none' ? this.user !== null : this.account !== null;
  }

  /** Whether sign-in can work at all (jwt needs the console's Entra registration). */
  get canSignIn(): boolean {
    return this.mode === 'none' || this.#msal !== undefined;
  }

  pick(user: PickedUser | null): void {
    this.user = user;
    if (user === null) localStorage.removeItem(storageKey);
    else localStorage.setItem(storageKey, JSON.stringify(user));
    this.#changed();
  }

  async signIn(): Promise<void> {
    await this.#msal?.loginRedirect({ scopes: [this.#scope] });
  }

  async signOut(): Promise<void> {
    if (this.mode === 'none') this.pick(null);
    else await this.#msal?.logoutRedirect();
  }

  /** A current access token (jwt), renewed silently; undefined with AUTH_MODE=none. */
  async token(): Promise<string | undefined> {
    const account = this.#msal?.getActiveAccount();
    if (!this.#msal || !account) return undefined;
    const result = await this.#msal.acquireTokenSilent({ scopes: [this.#scope], account });
    return result.accessToken;
  }

  /** What identifies the caller in a URL: `access_token` (jwt) or `userId` (none). */
  async identityQuery(): Promise<URLSearchParams> {
    const token = await this.token();
    if (token !== undefined) return new URLSearchParams({ access_token: token });
    return new URLSearchParams(this.user ? { userId: this.user.id } : {});
  }

  onChange(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #changed(): void {
    for (const listener of this.#listeners) listener();
  }
}

export const session = new Session();
