// Runs every registered dependency check (in parallel, each bounded by a timeout) and folds
// them into one report: healthy, degraded (an optional dependency is down) or unhealthy.
import type { DependencyCheck, DependencyStatus } from './dependency-check.js';

export interface DependencyReport {
  status: DependencyStatus;
  driver: string;
  required: boolean;
  latencyMs: number;
  error?: string;
  details?: Record<string, unknown>;
}

export interface HealthReport {
  status: DependencyStatus;
  dependencies: Record<string, DependencyReport>;
}

export interface HealthRegistry {
  register(check: DependencyCheck): void;
  /** Concurrent callers share one run, so a burst of probes costs one round of checks. */
  report(): Promise<HealthReport>;
  readonly checks: readonly DependencyCheck[];
}

export function createHealthRegistry(options: { timeoutMs?: number } = {}): HealthRegistry {
  const timeoutMs = options.timeoutMs ?? 3000;
  const checks: DependencyCheck[] = [];
  let running: Promise<HealthReport> | undefined;

  const runOne = async (check: DependencyCheck): Promise<DependencyReport> => {
    const started = performance.now();
    const base = { driver: check.driver, required: check.required };
    try {
      const result = await withTimeout(check, timeoutMs);
      return { ...base, ...result, latencyMs: round(performance.now() - started) };
    } catch (error) {
      return {
        ...base,
        status: 'unhealthy',
        error: error instanceof Error ? error.message : String(error),
        latencyMs: round(performance.now() - started),
      };
    }
  };

  const runAll = async (): Promise<HealthReport> => {
    const results = await Promise.all(checks.map(runOne));
    const dependencies = Object.fromEntries(
      checks.map((check, i) => [check.name, results[i] as DependencyReport]),
    );
    return { status: overall(results), dependencies };
  };

  return {
    checks,
    register(check) {
      if (checks.some((c) => c.name === check.name))
        throw new Error(`health check "${check.name}" registered twice`);
      checks.push(check);
    },
    report() {
      running ??= runAll().finally(() => {
        running = undefined;
      });
      return running;
    },
  };
}

function overall(results: DependencyReport[]): DependencyStatus {
  if (results.some((r) => r.required && r.status === 'unhealthy')) return 'unhealthy';
  if (results.some((r) => r.status !== 'healthy')) return 'degraded';
  return 'healthy';
}

async function withTimeout(check: DependencyCheck, timeoutMs: number) {
  const signal = AbortSignal.timeout(timeoutMs);
  return Promise.race([
    check.check(signal),
    new Promise<never>((_, reject) => {
      signal.addEventListener('abort', () => reject(new Error(`check timed out after ${timeoutMs} ms`)), {
        once: true,
      });
    }),
  ]);
}

const round = (ms: number) => Math.round(ms * 10) / 10;
