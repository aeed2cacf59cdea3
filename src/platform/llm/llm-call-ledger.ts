// The ledger of provider calls, so each successful call's cost is recorded exactly once even when a
// worker dies between the call and the write of its result. A row is written before the call
// (`started`) and completed with the call's usage after it. A row still `started` when the same
// step is called again was left by a worker that died in between: its call is in doubt (the
// provider most likely served it, its usage is lost), so it is settled at the cost of the call that
// replaces it (the same input to the same model), marked estimated, and never counted twice.
// When the work is given up for good (its job's last attempt failed), rows still `started` will
// never be settled so: `abandon` closes them (`abandoned`, cost unknown) instead of leaving them open.
import { randomUUID } from 'node:crypto';
import type { Selectable } from 'kysely';
import { moduleDb } from '../db/database.js';
import type { PlatformDb } from '../db/platform-tables.js';
import type { LlmCost } from './llm-provider.js';
import type { LlmCallsTable } from './llm-calls-table.js';

export interface LlmCallKey {
  /** Whose work the call is for, e.g. `recording:{id}`. */
  subject: string;
  /** Which call of that work, the same on every retry, e.g. `transcribe:0`. */
  step: string;
}

export interface LlmCallEntry extends LlmCallKey {
  state: 'started' | 'completed' | 'settled' | 'abandoned';
  cost: LlmCost | null;
  estimated: boolean;
}

export interface LlmCallLedger {
  /**
   * Makes `call` under a ledger row. `answered` runs between the provider's answer and the row's
   * completion (tests: a worker dying there).
   */
  record<T extends { cost: LlmCost }>(
    key: LlmCallKey,
    call: () => Promise<T>,
    options?: { answered?: () => Promise<void> },
  ): Promise<T>;
  entries(subject: string): Promise<LlmCallEntry[]>;
  /**
   * Closes the subject's rows still `started` as `abandoned`: its work failed for good, so no
   * later call will settle them. Returns how many it closed.
   */
  abandon(subject: string): Promise<number>;
}

const costColumns = (cost: LlmCost) => ({
  model: cost.model,
  usd: cost.usd,
  input_tokens: cost.inputTokens,
  output_tokens: cost.outputTokens,
  audio_seconds: cost.audioSeconds,
});

function entryOf(row: Selectable<LlmCallsTable>): LlmCallEntry {
  const cost =
    row.model === null
      ? null
      : {
          model: row.model,
          usd: Number(row.usd),
          inputTokens: Number(row.input_tokens),
          outputTokens: Number(row.output_tokens),
          audioSeconds: Number(row.audio_seconds),
        };
  return {
    subject: row.subject,
    step: row.step,
    state: row.state as LlmCallEntry['state'],
    cost,
    estimated: row.estimated,
  };
}

/** `db` is the platform's handle, migrated with the platform's migrations. */
export function createLlmCallLedger(options: { db: PlatformDb; now?: () => Date }): LlmCallLedger {
  const db = moduleDb<{ llm_calls: LlmCallsTable }>(options.db);
  const now = options.now ?? (() => new Date());
  return {
    async record(key, call, callOptions = {}) {
      const id = randomUUID();
      await db
        .insertInto('llm_calls')
        .values({
          id,
          subject: key.subject,
          step: key.step,
          state: 'started',
          model: null,
          usd: null,
          input_tokens: null,
          output_tokens: null,
          audio_seconds: null,
          started_at: now(),
          finished_at: null,
        })
        .execute();
      // A failed call costs nothing: its row is removed (a dying worker leaves it started, in doubt).
      const result = await call().catch(async (error: unknown) => {
        await db.deleteFrom('llm_calls').where('id', '=', id).execute();
        throw error;
      });
      await callOptions.answered?.();
      const cost = costColumns(result.cost);
      await db.transaction().execute(async (trx) => {
        await trx
          .updateTable('llm_calls')
          .set({ ...cost, state: 'completed', finished_at: now() })
          .where('id', '=', id)
          .execute();
        await trx
          .updateTable('llm_calls')
          .set({ ...cost, state: 'settled', estimated: true, finished_at: now() })
          .where('subject', '=', key.subject)
          .where('step', '=', key.step)
          .where('state', '=', 'started')
          .where('id', '!=', id)
          .execute();
      });
      return result;
    },

    async abandon(subject) {
      const result = await db
        .updateTable('llm_calls')
        .set({ state: 'abandoned', finished_at: now() })
        .where('subject', '=', subject)
        .where('state', '=', 'started')
        .executeTakeFirst();
      return Number(result.numUpdatedRows);
    },

    async entries(subject) {
      const rows = await db
        .selectFrom('llm_calls')
        .selectAll()
        .where('subject', '=', subject)
        .orderBy('started_at')
        .execute();
      return rows.map(entryOf);
    },
  };
}
