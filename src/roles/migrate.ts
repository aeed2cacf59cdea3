// `azimuth migrate [--status]`: the platform's and every module's migrations, against the
// configured database (PostgreSQL from DATABASE_URL, or the embedded PGlite under DATA_DIR).
import type { Settings } from '../platform/config/settings-schema.js';
import { databaseOptionsFromSettings } from '../platform/db/create-database.js';
import { runMigrateCommand as runMigrations } from '../platform/db/migrate-command.js';
import type { Logger } from '../platform/telemetry/logger.js';
import { allMigrations } from './migrations.js';

export async function runMigrateCommand(
  settings: Settings,
  logger: Logger,
  options: { status?: boolean },
): Promise<number> {
  const code = await runMigrations({
    database: databaseOptionsFromSettings(settings),
    migrations: allMigrations,
    status: options.status ?? false,
    logger,
    print: (line) => process.stdout.write(`${line}\n`),
  });
  await new Promise<void>((resolve) => logger.flush(() => resolve()));
  return code;
}
