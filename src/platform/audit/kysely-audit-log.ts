// AuditLog on the database: rows of `audit_log`, one insert per entry or per batch of entries.
import type { Kysely } from 'kysely';
import { sanitiseAuditEntry } from './audit-entry-sanitiser.js';
import type { AuditEntry, AuditLog, AuditLogReader } from './audit-log.js';
import type { AuditLogTable } from './audit-log-table.js';

export interface KyselyAuditLogOptions {
  db: Kysely<{ audit_log: AuditLogTable }>;
}

/** The row of an entry, its text sanitised (audit-entry-sanitiser.ts): written, never dropped. */
const toRow = (raw: AuditEntry) => {
  const entry = sanitiseAuditEntry(raw);
  return {
    at: entry.at,
    actor: entry.actor,
    client_ip: entry.clientIp,
    operation: entry.operation,
    target: entry.target,
    outcome: entry.outcome,
    bytes: entry.bytes,
    correlation_id: entry.correlationId,
    detail: entry.detail,
  };
};

export class KyselyAuditLog implements AuditLog, AuditLogReader {
  readonly #db: Kysely<{ audit_log: AuditLogTable }>;

  constructor(options: KyselyAuditLogOptions) {
    this.#db = options.db;
  }

  async record(entry: AuditEntry): Promise<void> {
    await this.#db.insertInto('audit_log').values(toRow(entry)).execute();
  }

  /** One multi-row insert: all the entries are written, in order, or none is. */
  async recordMany(entries: readonly AuditEntry[]): Promise<void> {
    if (entries.length === 0) return;
    await this.#db.insertInto('audit_log').values(entries.map(toRow)).execute();
  }

  async latest(limit: number): Promise<(AuditEntry & { id: string })[]> {
    const rows = await this.#db
      .selectFrom('audit_log')
      .selectAll()
      .orderBy('id', 'desc')
      .limit(limit)
      .execute();
    return rows.map((row) => ({
      // pg returns the bigint id as a string, PGlite as a number, whatever the table type says.
      // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-conversion
      id: String(row.id),
      at: new Date(row.at),
      actor: row.actor,
      clientIp: row.client_ip,
      operation: row.operation,
      target: row.target,
      outcome: row.outcome as AuditEntry['outcome'],
      bytes: row.bytes === null ? null : Number(row.bytes),
      correlationId: row.correlation_id,
      detail: row.detail,
    }));
  }
}
