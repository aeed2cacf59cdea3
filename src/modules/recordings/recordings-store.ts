// Recording rows on PostgreSQL or PGlite through Kysely. Every write is an upsert or a keyed
// update, so a retried job step writes the same row again instead of adding one.
import { sql, type ColumnType, type Kysely, type Selectable } from 'kysely';
import type { PlatformDb } from '../../platform/db/platform-tables.js';
import { decodeCursor, encodeCursor } from '../../platform/paging/page-cursor.js';
import type { Insights } from './insights.js';
import type {
  Recording,
  RecordingCost,
  RecordingStatus,
  StageName,
  Stages,
  Transcript,
} from './recording.js';

/** JSON columns are read parsed and written as JSON text (pg would turn a JS array into a SQL array). */
type Json<T> = ColumnType<T, string, string>;
/** pg reads bigint as a string. */
type BigInt = ColumnType<string | number, number, number>;

// A type alias, not an interface: Kysely's withTables needs an implicit index signature.
export type RecordingsTables = {
  recordings: {
    id: string;
    owner: string;
    title: string;
    language: string | null;
    status: string;
    stage: string;
    percent: ColumnType<number, number | undefined, number>;
    version: ColumnType<number, number | undefined, number>;
    original_ext: string;
    content_type: string;
    size_bytes: BigInt;
    compressed_bytes: ColumnType<string | number | null, number | null | undefined, number | null>;
    duration_seconds: number | null;
    stages: Json<Stages>;
    transcript: ColumnType<Transcript | null, string | null | undefined, string | null>;
    insights: ColumnType<Insights | null, string | null | undefined, string | null>;
    cost: Json<RecordingCost>;
    warnings: ColumnType<string[], string | undefined, string>;
    error: string | null;
    retries: ColumnType<number, number | undefined, number>;
    created_at: ColumnType<Date, Date, Date>;
    updated_at: ColumnType<Date, Date, Date>;
    completed_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  };
};

type Row = Selectable<RecordingsTables['recordings']>;

export type NewRecording = Pick<
  Recording,
  | 'id'
  | 'owner'
  | 'title'
  | 'language'
  | 'originalExt'
  | 'contentType'
  | 'sizeBytes'
  | 'stages'
  | 'cost'
  | 'createdAt'
>;

/** Fields a pipeline step may set; absent ones are left as they are. */
export interface RecordingChanges {
  status?: RecordingStatus;
  stage?: StageName;
  percent?: number;
  compressedBytes?: number | null;
  durationSeconds?: number | null;
  stages?: Stages;
  transcript?: Transcript | null;
  insights?: Insights | null;
  cost?: RecordingCost;
  warnings?: string[];
  error?: string | null;
  completedAt?: Date | null;
}

export interface RecordingsPage {
  items: Recording[];
  nextCursor: string | null;
}

function toRecording(row: Row): Recording {
  return {
    id: row.id,
    owner: row.owner,
    title: row.title,
    language: row.language,
    status: row.status as RecordingStatus,
    stage: row.stage as StageName,
    percent: row.percent,
    version: row.version,
    originalExt: row.original_ext,
    contentType: row.content_type,
    sizeBytes: Number(row.size_bytes),
    compressedBytes: row.compressed_bytes === null ? null : Number(row.compressed_bytes),
    durationSeconds: row.duration_seconds,
    stages: row.stages,
    transcript: row.transcript,
    insights: row.insights,
    cost: row.cost,
    warnings: row.warnings,
    error: row.error,
    retries: row.retries,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
    completedAt: row.completed_at === null ? null : new Date(row.completed_at),
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isRecordingId = (id: string): boolean => UUID.test(id);

interface CursorKey {
  createdAt: string;
  id: string;
}

const decodeRecordingsCursor = (cursor: string | undefined): CursorKey | undefined => {
  const key = decodeCursor(
    cursor,
    (value) =>
      typeof value.id === 'string' &&
      isRecordingId(value.id) &&
      typeof value.createdAt === 'string' &&
      !Number.isNaN(Date.parse(value.createdAt)),
  );
  return key && { id: String(key.id), createdAt: String(key.createdAt) };
};

/**
 * The recordings tables on the platform's handle. Kysely is invariant in its table map, so the
 * widened handle is narrowed once here; recordings code only ever touches its own table.
 */
export function recordingsDb(db: PlatformDb): Kysely<RecordingsTables> {
  return db.withTables<RecordingsTables>() as unknown as Kysely<RecordingsTables>;
}

export interface RecordingsStoreOptions {
  db: Kysely<RecordingsTables>;
  now?: () => Date;
}

export type RecordingsStore = ReturnType<typeof createRecordingsStore>;

export function createRecordingsStore(options: RecordingsStoreOptions) {
  const { db } = options;
  const now = options.now ?? (() => new Date());

  return {
    async insert(recording: NewRecording): Promise<Recording> {
      const row = await db
        .insertInto('recordings')
        .values({
          id: recording.id,
          owner: recording.owner,
          title: recording.title,
          language: recording.language,
          status: 'queued',
          stage: 'upload',
          percent: 100,
          original_ext: recording.originalExt,
          content_type: recording.contentType,
          size_bytes: recording.sizeBytes,
          stages: JSON.stringify(recording.stages),
          cost: JSON.stringify(recording.cost),
          created_at: recording.createdAt,
          updated_at: recording.createdAt,
        })
        // A retried request with the same id writes nothing twice.
        .onConflict((oc) => oc.column('id').doNothing())
        .returningAll()
        .executeTakeFirst();
      if (row !== undefined) return toRecording(row);
      const existing = await this.get(recording.id);
      if (existing === undefined) throw new Error(`recording ${recording.id} vanished while inserted`);
      return existing;
    },

    async get(id: string): Promise<Recording | undefined> {
      if (!isRecordingId(id)) return undefined;
      const row = await db.selectFrom('recordings').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? undefined : toRecording(row);
    },

    /** The owner's recordings, newest first. */
    async list(owner: string, page: { limit: number; cursor?: string }): Promise<RecordingsPage> {
      const after = decodeRecordingsCursor(page.cursor);
      let query = db.selectFrom('recordings').selectAll().where('owner', '=', owner);
      if (after !== undefined) {
        const at = new Date(after.createdAt);
        query = query.where((eb) =>
          eb.or([eb('created_at', '<', at), eb.and([eb('created_at', '=', at), eb('id', '<', after.id)])]),
        );
      }
      const rows = await query
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(page.limit + 1)
        .execute();
      const items = rows.slice(0, page.limit).map(toRecording);
      const last = items.at(-1);
      return {
        items,
        nextCursor:
          rows.length > page.limit && last !== undefined
            ? encodeCursor({ createdAt: last.createdAt.toISOString(), id: last.id })
            : null,
      };
    },

    /**
     * Applies `changes`, bumping the version; resolves to the row after the change, or undefined
     * when the recording is gone (deleted while its job ran).
     */
    async update(id: string, changes: RecordingChanges): Promise<Recording | undefined> {
      const set: Record<string, unknown> = { updated_at: now(), version: sql`version + 1` };
      if (changes.status !== undefined) set.status = changes.status;
      if (changes.stage !== undefined) set.stage = changes.stage;
      if (changes.percent !== undefined) set.percent = Math.round(changes.percent);
      if (changes.compressedBytes !== undefined) set.compressed_bytes = changes.compressedBytes;
      if (changes.durationSeconds !== undefined) set.duration_seconds = changes.durationSeconds;
      if (changes.stages !== undefined) set.stages = JSON.stringify(changes.stages);
      if (changes.transcript !== undefined)
        set.transcript = changes.transcript === null ? null : JSON.stringify(changes.transcript);
      if (changes.insights !== undefined)
        set.insights = changes.insights === null ? null : JSON.stringify(changes.insights);
      if (changes.cost !== undefined) set.cost = JSON.stringify(changes.cost);
      if (changes.warnings !== undefined) set.warnings = JSON.stringify(changes.warnings);
      if (changes.error !== undefined) set.error = changes.error;
      if (changes.completedAt !== undefined) set.completed_at = changes.completedAt;
      const row = await db
        .updateTable('recordings')
        .set(set)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row === undefined ? undefined : toRecording(row);
    },

    /**
     * Moves a failed recording back to queued for another run, resetting the failed stage;
     * undefined when it is not failed (someone else retried it, or it never failed).
     */
    async requeueFailed(id: string, stages: Stages): Promise<Recording | undefined> {
      const row = await db
        .updateTable('recordings')
        .set({
          status: 'queued',
          stage: 'upload',
          percent: 100,
          error: null,
          stages: JSON.stringify(stages),
          retries: sql<number>`retries + 1`,
          version: sql<number>`version + 1`,
          updated_at: now(),
        })
        .where('id', '=', id)
        .where('status', '=', 'failed')
        .returningAll()
        .executeTakeFirst();
      return row === undefined ? undefined : toRecording(row);
    },

    async delete(id: string): Promise<boolean> {
      if (!isRecordingId(id)) return false;
      const result = await db.deleteFrom('recordings').where('id', '=', id).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },

    /** Ids of recordings created before `before`, oldest first. */
    async createdBefore(before: Date, limit: number): Promise<string[]> {
      const rows = await db
        .selectFrom('recordings')
        .select('id')
        .where('created_at', '<', before)
        .orderBy('created_at')
        .limit(limit)
        .execute();
      return rows.map((r) => r.id);
    },

    /** Which of `ids` have a row. */
    async existing(ids: string[]): Promise<Set<string>> {
      const valid = ids.filter(isRecordingId);
      if (valid.length === 0) return new Set();
      const rows = await db.selectFrom('recordings').select('id').where('id', 'in', valid).execute();
      return new Set(rows.map((r) => r.id));
    },
  };
}
