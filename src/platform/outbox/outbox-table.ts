// The `outbox` table as Kysely sees it; created by the platform migration beside it.
import type { ColumnType, Generated } from 'kysely';

export interface OutboxTable {
  /** bigint identity: the event's sequence, in commit order per channel (outbox-writer.ts). */
  id: Generated<string>;
  channel: string;
  /** The event's data as JSON text. */
  data: string;
  created_at: ColumnType<Date, never, never>;
}

export interface OutboxTables {
  outbox: OutboxTable;
}
