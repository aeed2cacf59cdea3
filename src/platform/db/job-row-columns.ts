// The columns of a table whose rows a background job moves through stages (job-rows.ts updates
// them), added the same way by every module's migration.
import type { CreateTableBuilder } from 'kysely';

export function withJobRowColumns<C extends string>(table: CreateTableBuilder<string, C>) {
  return table
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('stage', 'text', (c) => c.notNull())
    .addColumn('version', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('stages', 'jsonb', (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('retries', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull())
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull())
    .addColumn('completed_at', 'timestamptz');
}
