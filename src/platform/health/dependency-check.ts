// What a port tells /health about one dependency it holds.

export type DependencyStatus = 'healthy' | 'degraded' | 'unhealthy';

export interface CheckResult {
  status: DependencyStatus;
  /** Why it is not healthy; no secrets. */
  error?: string;
  /** Anything else worth showing (breaker state, pool size, …). */
  details?: Record<string, unknown>;
}

export interface DependencyCheck {
  /** Stable name shown on /health, e.g. `database`, `redis`, `storage`. */
  name: string;
  /** Which driver serves it, e.g. `pglite`, `pg`, `memory`, `redis`, `disk`, `azure`. */
  driver: string;
  /**
   * A required dependency that fails makes the service unhealthy and not ready;
   * an optional one only degrades it.
   */
  required: boolean;
  /**
   * Readiness also waits for this one when it is unhealthy, though /health only calls the service
   * degraded: a dependency the role needs to serve well (Redis) but can limp along without.
   * Required checks always gate readiness.
   */
  gatesReadiness?: boolean;
  /** Must resolve within a few seconds and honour the signal; a throw counts as unhealthy. */
  check(signal: AbortSignal): Promise<CheckResult>;
}
