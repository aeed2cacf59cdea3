// The row a background job moves through its stages (a recording, a scan): read by id or a page
// of an owner's newest first, keyed updates that bump its version, and the move of a failed row back
// to queued for another run. Writes are keyed, so a retried job step writes the same row again
// instead of adding one.
import { sql, type Kysely } from 'kysely';
import type { OutboxMessage, OutboxWriter } from '../outbox/outbox.js';
import { after, decodeCursor, isUuid, newestFirst, pageOf, type Page } from './newest-first-page.js';

/** Where each field of a change goes: a column, or a JSON column (written as JSON text). */
export type ChangeColumns<C> = { [K in keyof C]-?: string | { json: string } };

/** Where the changes every job row takes go (a module adds its own fields). */
export const jobRowColumns = {
  status: 'status',
  stage: 'stage',
  stages: { json: 'stages' },
  error: 'error',
  completedAt: 'completed_at',
} as const;

/** The columns every job row has. */
interface JobRowTable {
  id: string;
  owner: string;
  status: string;
  stage: string;
  error: string | null;
  stages: string;
  retries: number;
  version: number;
  created_at: Date;
  updated_at: Date;
  completed_at: Date | null;
}

/** The fields every job row ends with, as its entity has them. */
export function jobRowFields(row: {
  error: string | null;
  retries: number;
  created_at: Date | string;
  updated_at: Date | string;
  completed_at: Date | string | null;
}) {
  return {
    error: row.error,
    retries: row.retries,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
    completedAt: row.completed_at === null ? null : new Date(row.completed_at),
  };
}

type StageStates = Record<string, { state: string }>;

/** The stages with each failed one pending again (what a retry runs). */
export const retryStages = <S extends StageStates>(stages: S): S =>
  Object.fromEntries(
    Object.entries(stages).map(([name, stage]) => [
      name,
      stage.state === 'failed' ? { state: 'pending' } : stage,
    ]),
  ) as S;

/** The columns `changes` sets (absent fields are left as they are). */
function setOf<C extends object>(changes: C, columns: ChangeColumns<C>): Record<string, unknown> {
  const set: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(changes)) {
    if (value === undefined) continue;
    const column = columns[key as keyof C];
    if (typeof column === 'string') set[column] = value;
    else set[column.json] = value === null ? null : JSON.stringify(value);
  }
  return set;
}

export interface JobRowsOptions<C> {
  table: string;
  columns: ChangeColumns<C>;
  /** The `stage` a requeued row starts at again. */
  queuedStage: string;
  /** Columns a requeue also resets (e.g. a percentage). */
  requeueExtra?: Record<string, unknown>;
  now: () => Date;
  /** Where an update's change events go, in the update's own transaction (outbox.ts). */
  outbox?: OutboxWriter;
}

/**
 * Updates of one module's job table. `db` is the module's Kysely handle and `Row` its table's
 * selected row: Kysely is invariant in its table map, so the handle is seen here as a table of job
 * rows, once.
 */
export function jobRows<Row, C extends object>(db: object, options: JobRowsOptions<C>) {
  const rows = db as unknown as Kysely<Record<string, JobRowTable>>;
  const { table } = options;
  const bumped = () => ({ version: sql<number>`version + 1`, updated_at: options.now() });
  return {
    /** The row with this id; undefined when there is none (a non-uuid id names none). */
    async get(id: string): Promise<Row | undefined> {
      if (!isUuid(id)) return undefined;
      const row = await rows.selectFrom(table).selectAll().where('id', '=', id).executeTakeFirst();
      return row as Row | undefined;
    },

    /** A page of the rows newest first: the owner's, or everyone's when `owner` is null. */
    async page<T extends { createdAt: Date; id: string }>(
      owner: string | null,
      request: { limit: number; cursor?: string },
      toItem: (row: Row) => T,
    ): Promise<Page<T>> {
      const key = decodeCursor(request.cursor);
      let query = rows.selectFrom(table).selectAll();
      if (owner !== null) query = query.where('owner', '=', owner);
      if (key !== undefined) query = query.where(after(key));
      const found = await query
        .orderBy(newestFirst)
        .limit(request.limit + 1)
        .execute();
      return pageOf((found as Row[]).map(toItem), request.limit);
    },

    /**
     * Applies `changes` and bumps the version; undefined when the row is gone. `announce` gives the
     * change events of the updated row, written to the outbox in the same transaction (when the
     * rows were given one; otherwise ignored, and the caller publishes).
     */
    async update(
      id: string,
      changes: C,
      extra: Record<string, unknown> = {},
      announce?: (row: Row) => readonly OutboxMessage[],
    ): Promise<Row | undefined> {
      const write = async (db: Kysely<Record<string, JobRowTable>>) =>
        (await db
          .updateTable(table)
          .set({ ...setOf(changes, options.columns), ...extra, ...bumped() })
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirst()) as Row | undefined;
      const { outbox } = options;
      if (outbox === undefined || announce === undefined) return write(rows);
      const row = await rows.transaction().execute(async (tx) => {
        const updated = await write(tx);
        if (updated !== undefined) await outbox.append(tx, announce(updated));
        return updated;
      });
      outbox.committed();
      return row;
    },

    /** Moves a failed row back to queued with its failed stages pending; undefined when it is not failed. */
    async requeueFailed(id: string, stages: StageStates): Promise<Row | undefined> {
      const row = await rows
        .updateTable(table)
        .set({
          status: 'queued',
          stage: options.queuedStage,
          error: null,
          stages: JSON.stringify(retryStages(stages)),
          retries: sql<number>`retries + 1`,
          ...options.requeueExtra,
          ...bumped(),
        })
        .where('id', '=', id)
        .where('status', '=', 'failed')
        .returningAll()
        .executeTakeFirst();
      return row as Row | undefined;
    },
  };
}
