// The `audit_log` table as Kysely sees it; created by the platform migration beside it.
import type { ColumnType, Generated } from 'kysely';

export interface AuditLogTable {
  /** bigint identity; pg returns int8 as a string. */
  id: Generated<string>;
  at: ColumnType<Date, Date | string, never>;
  actor: string | null;
  client_ip: string | null;
  operation: string;
  target: string;
  outcome: string;
  /** int8 comes back as a string from both pg and PGlite; written as a number. */
  bytes: ColumnType<string | null, number | null, never>;
  correlation_id: string | null;
  detail: string | null;
}
