// Platform migration creating `llm_calls`, the ledger of provider calls (llm-call-ledger.ts).
import type { Kysely, Migration } from 'kysely';

export const llmCallsMigration: Migration = {
  async up(db: Kysely<unknown>) {
    await db.schema
      .createTable('llm_calls')
      .addColumn('id', 'uuid', (c) => c.primaryKey())
      .addColumn('subject', 'text', (c) => c.notNull())
      .addColumn('step', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('model', 'text')
      .addColumn('usd', 'double precision')
      .addColumn('input_tokens', 'integer')
      .addColumn('output_tokens', 'integer')
      .addColumn('audio_seconds', 'double precision')
      .addColumn('estimated', 'boolean', (c) => c.notNull().defaultTo(false))
      .addColumn('started_at', 'timestamptz', (c) => c.notNull())
      .addColumn('finished_at', 'timestamptz')
      .execute();
    await db.schema
      .createIndex('llm_calls_subject_step_idx')
      .on('llm_calls')
      .columns(['subject', 'step'])
      .execute();
  },
  async down(db: Kysely<unknown>) {
    await db.schema.dropTable('llm_calls').execute();
  },
};
