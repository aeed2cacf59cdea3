// Tables the platform itself owns. Modules see their own through `moduleDb<TheirTables>(db)`.
import type { Kysely } from 'kysely';
import type { AuditLogTable } from '../audit/audit-log-table.js';

export interface PlatformTables {
  audit_log: AuditLogTable;
}

export type PlatformDb = Kysely<PlatformTables>;
