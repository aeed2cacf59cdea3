// Where the API is and how it wants callers to sign in. The origin is fixed at build time
// (VITE_API_ORIGIN, for a console on Static Web Apps); empty means the console's own origin.
export const apiOrigin: string = (import.meta.env.VITE_API_ORIGIN as string | undefined) ?? '';

/** How the console signs in with AUTH_MODE=jwt (the API's CONSOLE_ENTRA_* settings). */
export interface EntraSettings {
  clientId: string;
  /** e.g. https://login.microsoftonline.com/{tenant} */
  authority: string;
  /** The API's scope, e.g. api://{API client id}/access_as_user. */
  scope: string;
}

/** What GET /console/config says: read at start, so one build serves every environment. */
export interface ConsoleConfig {
  authMode: 'none' | 'jwt';
  version: string;
  environment: string;
  entra: EntraSettings | null;
}

export const apiUrl = (path: string): string => `${apiOrigin}${path}`;

/** ws(s):// URL of an API path. */
export function socketUrl(path: string): string {
  const base = new URL(apiOrigin === '' ? window.location.origin : apiOrigin);
  base.protocol = base.protocol === 'https:' ? 'wss:' : 'ws:';
  return new URL(path, base).toString();
}

export async function loadConfig(): Promise<ConsoleConfig> {
  const response = await fetch(apiUrl('/console/config'));
  if (!response.ok) throw new Error(`The API did not answer /console/config (${response.status}).`);
  return (await response.json()) as ConsoleConfig;
}
