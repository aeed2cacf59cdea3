// Picks the database driver: PostgreSQL when DATABASE_URL is set, embedded PGlite otherwise.
import type { Settings } from '../config/settings-schema.js';
import type { Registry } from 'prom-client';
import type { Logger } from '../telemetry/logger.js';
import type { Database, DatabaseOptions } from './database.js';

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
export async function openDatabase(
  options: DatabaseOptions,
  deps: { logger: Logger; metrics?: Registry },
): Promise<Database> {
  if (options.url !== undefined) {
    const { createPostgresDatabase } = await import('./postgres-database.js');
    return createPostgresDatabase({ ...options, url: options.url }, deps);
  }
  const { createPgliteDatabase } = await import('./pglite-database.js');
  return createPgliteDatabase({ dataDir: options.dataDir });
}

/** The composition root's one line: `const database = await createDatabase(settings, { logger })`. */
export function createDatabase(
  settings: Settings,
  deps: { logger: Logger; metrics?: Registry },
): Promise<Database> {
  return openDatabase(databaseOptionsFromSettings(settings), deps);
}
