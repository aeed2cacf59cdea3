// Every migration the database needs: the platform's tables, then each module's. Names sort in
// the order they run, so a module's migrations only need a later date prefix than those they use.
import { recordingsMigrations } from '../modules/recordings/recordings-module.js';
import { scansMigrations } from '../modules/scans/scans-module.js';
import { starsMigrations } from '../modules/stars/stars-migrations.js';
import { platformMigrations } from '../platform/db/platform-migrations.js';
import type { MigrationRecord } from '../platform/db/migrator.js';

export const allMigrations: MigrationRecord = {
  ...platformMigrations,
  ...starsMigrations,
  ...recordingsMigrations,
  ...scansMigrations,
};
