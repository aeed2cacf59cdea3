// Migrations for the tables the platform owns; the composition root merges module migrations in.
import { auditLogMigration } from '../audit/audit-log-migration.js';
import type { MigrationRecord } from './migrator.js';

export const platformMigrations: MigrationRecord = {
  '2026_11_23_000_audit_log': auditLogMigration,
};
