// Defaults that differ per environment; they sit between the schema's defaults and the env file.
// A laptop or a test has no load balancer to wait for on shutdown, hence no drain delay, and so
// little traffic that every trace is kept (APPLICATIONINSIGHTS_TRACES_PER_SECOND 0: no limit).
import type { Environment } from './settings-schema.js';

export const environmentDefaults: Record<Environment, Record<string, string>> = {
  development: {
    AUTH_MODE: 'none',
    DEBUG: 'true',
    LOG_LEVEL: 'debug',
    SHUTDOWN_DRAIN_DELAY_MS: '0',
    APPLICATIONINSIGHTS_TRACES_PER_SECOND: '0',
  },
  test: {
    AUTH_MODE: 'none',
    LOG_LEVEL: 'warn',
    SHUTDOWN_DRAIN_DELAY_MS: '0',
    APPLICATIONINSIGHTS_TRACES_PER_SECOND: '0',
  },
  staging: { AUTH_MODE: 'jwt', API_TRUST_PROXY: 'true' },
  production: { AUTH_MODE: 'jwt', API_TRUST_PROXY: 'true' },
};
