// `azimuth migrate [--status]`: applies pending migrations (or lists them) and exits. Deploys run it
// before the new code takes traffic (seed 004: never migrate in the start command in production).
import type { Logger } from '../telemetry/logger.js';
import type { DatabaseOptions } from './database.js';
import { openDatabase } from './create-database.js';
import { migrateUp, migrationStatus, type MigrationRecord } from './migrator.js';

export interface MigrateCommandOptions {
  database: DatabaseOptions;
  migrations: MigrationRecord;
  /** List applied and pending migrations instead of applying them. */
  status: boolean;
  logger: Logger;
  /** Where the human-readable lines go (stdout in the CLI). */
  print: (line: string) => void;
}

/** Returns the process exit code. */
export async function runMigrateCommand(options: MigrateCommandOptions): Promise<number> {
  const database = await openDatabase(options.database, { logger: options.logger });
  try {
    if (options.status) {
      const entries = await migrationStatus({ db: database.db, migrations: options.migrations });
      for (const entry of entries) {
        options.print(`${entry.executedAt === null ? 'pending' : 'applied'}  ${entry.name}`);
      }
      const pending = entries.filter((e) => e.executedAt === null).length;
      options.print(`${entries.length - pending} applied, ${pending} pending (${database.driver})`);
      return 0;
    }
    const applied = await migrateUp({ db: database.db, migrations: options.migrations });
    for (const name of applied) options.print(`applied  ${name}`);
    options.print(applied.length === 0 ? 'up to date' : `${applied.length} applied (${database.driver})`);
    return 0;
  } catch (error) {
    options.logger.error({ err: error }, 'migration failed');
    options.print(error instanceof Error ? error.message : String(error));
    return 1;
  } finally {
    await database.close();
  }
}
