// The resilience toolkit: createPolicy per external dependency, its errors, metrics and health.
export * from './resilience-policy.js';
export * from './backoff-delay.js';
export * from './breaker-open-error.js';
export * from './operation-timeout-error.js';
export * from './failure-classification.js';
export * from './policy-metrics.js';
export * from './policy-health.js';
export * from './dependency-error.js';
