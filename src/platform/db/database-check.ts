// /health for the database: one round trip, its latency, and pool figures when there is a pool.
import { sql } from 'kysely';
import type { CheckResult, DependencyCheck } from '../health/dependency-check.js';
import type { DatabaseDriver } from './database.js';
import type { PlatformDb } from './platform-tables.js';

export interface DatabaseCheckOptions {
  db: PlatformDb;
  driver: DatabaseDriver;
  /** Extra figures shown with the result (pool sizes). */
  details?: () => Record<string, unknown>;
}

export function databaseCheck(options: DatabaseCheckOptions): DependencyCheck {
  return {
    name: 'database',
    driver: options.driver,
    required: true,
    async check(signal: AbortSignal): Promise<CheckResult> {
      const started = performance.now();
      const aborted = new Promise<never>((_, reject) => {
        if (signal.aborted) reject(new Error('health check aborted'));
        signal.addEventListener('abort', () => reject(new Error('health check aborted')), { once: true });
      });
      await Promise.race([sql`select 1`.execute(options.db), aborted]);
      const latencyMs = Math.round((performance.now() - started) * 100) / 100;
      return { status: 'healthy', details: { latencyMs, ...options.details?.() } };
    },
  };
}
