// The database resource every role opens once: a Kysely handle, which driver serves it,
// its /health check, and close().
import type { DependencyCheck } from '../health/dependency-check.js';
import type { Kysely } from 'kysely';
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

/**
 * The same connection typed with a module's own tables. Modules own their tables (and
 * migrations) and never query the platform's, but Kysely<DB> is invariant in DB, so
 * `withTables` (an intersection) does not fit a module's `Kysely<ModuleTables>`: this one cast
 * at the boundary does.
 */
export function moduleDb<Tables>(db: PlatformDb): Kysely<Tables> {
  return db as unknown as Kysely<Tables>;
}
