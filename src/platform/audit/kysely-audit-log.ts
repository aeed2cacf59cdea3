// AuditLog on the database: one insert per entry into `audit_log`.
import type { Kysely } from 'kysely';
import type { AuditEntry, AuditLog } from './audit-log.js';
import type { AuditLogTable } from './audit-log-table.js';

export interface KyselyAuditLogOptions {
  db: Kysely<{ audit_log: AuditLogTable }>;
}

export class KyselyAuditLog implements AuditLog {
  readonly #db: Kysely<{ audit_log: AuditLogTable }>;

  constructor(options: KyselyAuditLogOptions) {
    this.#db = options.db;
  }

  async record(entry: AuditEntry): Promise<void> {
    await this.#db
      .insertInto('audit_log')
      .values({
        at: entry.at,
        actor: entry.actor,
        client_ip: entry.clientIp,
        operation: entry.operation,
        target: entry.target,
        outcome: entry.outcome,
        bytes: entry.bytes,
        correlation_id: entry.correlationId,
        detail: entry.detail,
      })
      .execute();
  }
}
