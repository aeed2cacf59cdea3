// The database resource every role opens once: a Kysely handle, which driver serves it,
// its /health check, and close().
import type { DependencyCheck } from '../health/dependency-check.js';
import type { PlatformDb } from './platform-tables.js';

export type DatabaseDriver = 'pglite' | 'postgres';

export interface Database {
  readonly db: PlatformDb;
  readonly driver: DatabaseDriver;
  readonly check: DependencyCheck;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** PostgreSQL URL; when absent, embedded PGlite. */
  url?: string;
  /** PGlite keeps its files in `{dataDir}/pglite`; `:memory:` keeps nothing (tests). */
  dataDir: string;
  poolSize: number;
  idleTimeoutMs: number;
  maxLifetimeSeconds: number;
  statementTimeoutMs: number;
}
