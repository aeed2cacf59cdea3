// The database the test-app builder's modules share (recordings, scans): an in-memory PGlite, or
// PostgreSQL when a URL is given, migrated with the platform's migrations and the modules' own.
import type { Database } from '../../src/platform/db/database.js';
import { migrateUp, type MigrationRecord } from '../../src/platform/db/migrator.js';
import { platformMigrations } from '../../src/platform/db/platform-migrations.js';
import { createPgliteDatabase } from '../../src/platform/db/pglite-database.js';
import { createPostgresDatabase } from '../../src/platform/db/postgres-database.js';
import type { Logger } from '../../src/platform/telemetry/logger.js';

export async function openModuleDatabase(options: {
  databaseUrl: string | undefined;
  migrations: MigrationRecord;
  logger: Logger;
}): Promise<Database> {
  const database =
    options.databaseUrl === undefined
      ? await createPgliteDatabase({ dataDir: ':memory:' })
      : await createPostgresDatabase(
          {
            url: options.databaseUrl,
            poolSize: 5,
            idleTimeoutMs: 10_000,
            maxLifetimeSeconds: 600,
            statementTimeoutMs: 30_000,
          },
          { logger: options.logger },
        );
  await migrateUp({ db: database.db, migrations: { ...platformMigrations, ...options.migrations } });
  return database;
}
