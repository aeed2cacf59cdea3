// A dependency's resilience as its settings give it (`{PREFIX}_TIMEOUT_MS`, `_RETRY_ATTEMPTS`,
// `_RETRY_BASE_MS`, `_RETRY_MAX_DELAY_MS`, `_BREAKER_THRESHOLD`, `_BREAKER_HALF_OPEN_MS`), and the
// policy options they make: every dependency with its own settings reads them the same way.
import type { PolicyOptions } from './resilience-policy.js';

export interface PolicySettings {
  /** Longest one attempt may take. */
  timeoutMs: number;
  /** Retries after the first attempt. */
  retryAttempts: number;
  retryBaseMs: number;
  retryMaxDelayMs: number;
  breakerThreshold: number;
  breakerHalfOpenMs: number;
}

/** The setting names of one dependency's policy, e.g. `STORAGE_TIMEOUT_MS` for `STORAGE`. */
export type PolicySettingNames<P extends string> =
  | `${P}_TIMEOUT_MS`
  | `${P}_RETRY_ATTEMPTS`
  | `${P}_RETRY_BASE_MS`
  | `${P}_RETRY_MAX_DELAY_MS`
  | `${P}_BREAKER_THRESHOLD`
  | `${P}_BREAKER_HALF_OPEN_MS`;

export function policySettingsOf<P extends string>(
  settings: Record<PolicySettingNames<P>, number>,
  prefix: P,
): PolicySettings {
  return {
    timeoutMs: settings[`${prefix}_TIMEOUT_MS`],
    retryAttempts: settings[`${prefix}_RETRY_ATTEMPTS`],
    retryBaseMs: settings[`${prefix}_RETRY_BASE_MS`],
    retryMaxDelayMs: settings[`${prefix}_RETRY_MAX_DELAY_MS`],
    breakerThreshold: settings[`${prefix}_BREAKER_THRESHOLD`],
    breakerHalfOpenMs: settings[`${prefix}_BREAKER_HALF_OPEN_MS`],
  };
}

/** The timeout, retry and breaker of a policy named `name`. */
export function policyOptionsOf(
  name: string,
  settings: PolicySettings,
): Pick<PolicyOptions, 'name' | 'timeoutMs' | 'retry' | 'breaker'> {
  return {
    name,
    timeoutMs: settings.timeoutMs,
    retry: {
      maxRetries: settings.retryAttempts,
      baseDelayMs: settings.retryBaseMs,
      maxDelayMs: settings.retryMaxDelayMs,
    },
    breaker: { threshold: settings.breakerThreshold, halfOpenAfterMs: settings.breakerHalfOpenMs },
  };
}
