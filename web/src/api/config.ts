// Where the API is and how it wants callers to sign in. The origin is fixed at build time
// (VITE_API_ORIGIN, for a console on Static Web Apps); empty means the console's own origin.
export const apiOrigin: string = (import.meta.env.VITE_API_ORIGIN as string | undefined) ?? '';

export interface ConsoleConfig {
  authMode: 'none' | 'jwt';
  version: string;
  environment: string;
}

/** Entra ID app registration of the console (build-time: the SPA's ids are public, not secrets). */
export const entra = {
  clientId: (import.meta.env.VITE_ENTRA_CLIENT_ID as string | undefined) ?? '',
  tenantId: (import.meta.env.VITE_ENTRA_TENANT_ID as string | undefined) ?? '',
  /** The API's scope, e.g. api://azimuth/access_as_user. */
  scope: (import.meta.env.VITE_ENTRA_API_SCOPE as string | undefined) ?? '',
};

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
