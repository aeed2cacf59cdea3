// The columns of a table whose rows a background job moves through stages (job-rows.ts updates
// them), added the same way by every module's migration.
import type { CreateTableBuilder, Kysely } from 'kysely';

function withJobRowColumns<C extends string>(table: CreateTableBuilder<string, C>) {
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

/** A module's job table: the job-row columns, its uuid key and its owner; the module adds the rest. */
export const createJobRowTable = (db: Kysely<unknown>, table: string) =>
  withJobRowColumns(db.schema.createTable(table))
    .addColumn('id', 'uuid', (c) => c.primaryKey())
    .addColumn('owner', 'text', (c) => c.notNull());

/** The index an owner's list reads newest first (newest-first-page.ts's order). */
export async function createOwnerNewestFirstIndex(db: Kysely<unknown>, table: string): Promise<void> {
  await db.schema
    .createIndex(`${table}_owner_created_idx`)
    .on(table)
    .columns(['owner', 'created_at desc', 'id desc'])
    .execute();
}
