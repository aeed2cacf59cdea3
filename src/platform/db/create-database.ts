// Picks the database driver: PostgreSQL when DATABASE_URL is set, embedded PGlite otherwise.
import type { Settings } from '../config/settings-schema.js';
import type { Registry } from 'prom-client';
import type { Logger } from '../telemetry/logger.js';
import type { Database, DatabaseOptions } from './database.js';
import type { MigrationRecord } from './migrator.js';

export interface DatabaseDeps {
  logger: Logger;
  metrics?: Registry;
  /** What start-up will migrate to: a new embedded database may start from a template holding them. */
  migrations?: MigrationRecord;
}

export function databaseOptionsFromSettings(settings: Settings): DatabaseOptions {
  return {
    ...(settings.DATABASE_URL === undefined ? {} : { url: settings.DATABASE_URL }),
    dataDir: settings.DATA_DIR,
    poolSize: settings.DATABASE_POOL_SIZE,
    idleTimeoutMs: settings.DATABASE_IDLE_TIMEOUT_MS,
    maxLifetimeSeconds: settings.DATABASE_MAX_LIFETIME_S,
    statementTimeoutMs: settings.DATABASE_STATEMENT_TIMEOUT_MS,
  };
}

/** Imports only the driver in use: PGlite's WebAssembly or pg, never both. */
export async function openDatabase(options: DatabaseOptions, deps: DatabaseDeps): Promise<Database> {
  if (options.url !== undefined) {
    const { createPostgresDatabase } = await import('./postgres-database.js');
    return createPostgresDatabase({ ...options, url: options.url }, deps);
  }
  const { createPgliteDatabase } = await import('./pglite-database.js');
  return createPgliteDatabase({
    dataDir: options.dataDir,
    ...(deps.migrations ? { migrations: deps.migrations } : {}),
  });
}

/** The composition root's one line: `const database = await createDatabase(settings, { logger })`. */
export function createDatabase(settings: Settings, deps: DatabaseDeps): Promise<Database> {
  return openDatabase(databaseOptionsFromSettings(settings), deps);
}
