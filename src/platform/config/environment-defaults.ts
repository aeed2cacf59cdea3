// Defaults that differ per environment; they sit between the schema's defaults and the env file.
import type { Environment } from './settings-schema.js';

export const environmentDefaults: Record<Environment, Record<string, string>> = {
  development: { AUTH_MODE: 'none', DEBUG: 'true', LOG_LEVEL: 'debug' },
  test: { AUTH_MODE: 'none', LOG_LEVEL: 'warn' },
  staging: { AUTH_MODE: 'jwt', API_TRUST_PROXY: 'true' },
  production: { AUTH_MODE: 'jwt', API_TRUST_PROXY: 'true' },
};
