// Tables the platform itself owns. Modules widen the handle with `db.withTables<TheirTables>()`.
import type { Kysely } from 'kysely';
import type { AuditLogTable } from '../audit/audit-log-table.js';

export interface PlatformTables {
  audit_log: AuditLogTable;
}

export type PlatformDb = Kysely<PlatformTables>;
