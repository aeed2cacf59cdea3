// Migrations for the tables the platform owns; the composition root merges module migrations in.
import { auditLogMigration } from '../audit/audit-log-migration.js';
import { llmCallsMigration } from '../llm/llm-calls-migration.js';
import { outboxMigration } from '../outbox/outbox-migration.js';
import type { MigrationRecord } from './migrator.js';

export const platformMigrations: MigrationRecord = {
  '2026_11_23_000_audit_log': auditLogMigration,
  '2026_11_26_400_llm_calls': llmCallsMigration,
  '2026_12_08_000_outbox': outboxMigration,
};
