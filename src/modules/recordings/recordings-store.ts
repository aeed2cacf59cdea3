// Recording rows on PostgreSQL or PGlite through Kysely. Every write is an upsert or a keyed
// update, so a retried job step writes the same row again instead of adding one.
import type { Kysely, Selectable } from 'kysely';
import { jobRowColumns, jobRows, type ChangeColumns } from '../../platform/db/job-rows.js';
import {
  after,
  decodeCursor,
  isUuid,
  newestFirst,
  pageOf,
  type Page,
} from '../../platform/db/newest-first-page.js';
import type { Insights } from './insights.js';
import type {
  Recording,
  RecordingCost,
  RecordingStatus,
  StageName,
  Stages,
  Transcript,
} from './recording.js';
import type { RecordingsTable, RecordingsTables } from './recordings-tables.js';

type Row = Selectable<RecordingsTable>;

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

export type RecordingsPage = Page<Recording>;

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

export const isRecordingId = isUuid;

const changeColumns: ChangeColumns<RecordingChanges> = {
  ...jobRowColumns,
  percent: 'percent',
  compressedBytes: 'compressed_bytes',
  durationSeconds: 'duration_seconds',
  transcript: { json: 'transcript' },
  insights: { json: 'insights' },
  cost: { json: 'cost' },
  warnings: { json: 'warnings' },
};

export interface RecordingsStoreOptions {
  db: Kysely<RecordingsTables>;
  now?: () => Date;
}

/** What every use case of the store works over. */
interface StoreDeps {
  db: Kysely<RecordingsTables>;
}

async function insert(deps: StoreDeps, recording: NewRecording): Promise<Recording> {
  const row = await deps.db
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
  const existing = await get(deps, recording.id);
  if (existing === undefined) throw new Error(`recording ${recording.id} vanished while inserted`);
  return existing;
}

async function get({ db }: StoreDeps, id: string): Promise<Recording | undefined> {
  if (!isRecordingId(id)) return undefined;
  const row = await db.selectFrom('recordings').selectAll().where('id', '=', id).executeTakeFirst();
  return row === undefined ? undefined : toRecording(row);
}

/** The owner's recordings, newest first. */
async function list(
  { db }: StoreDeps,
  owner: string,
  page: { limit: number; cursor?: string },
): Promise<RecordingsPage> {
  const key = decodeCursor(page.cursor);
  let query = db.selectFrom('recordings').selectAll().where('owner', '=', owner);
  if (key !== undefined) query = query.where(after(key));
  const rows = await query
    .orderBy(newestFirst)
    .limit(page.limit + 1)
    .execute();
  return pageOf(rows.map(toRecording), page.limit);
}

async function remove({ db }: StoreDeps, id: string): Promise<boolean> {
  if (!isRecordingId(id)) return false;
  const result = await db.deleteFrom('recordings').where('id', '=', id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** Ids of recordings created before `before`, oldest first. */
async function createdBefore({ db }: StoreDeps, before: Date, limit: number): Promise<string[]> {
  const rows = await db
    .selectFrom('recordings')
    .select('id')
    .where('created_at', '<', before)
    .orderBy('created_at')
    .limit(limit)
    .execute();
  return rows.map((r) => r.id);
}

/** Which of `ids` have a row. */
async function existing({ db }: StoreDeps, ids: string[]): Promise<Set<string>> {
  const valid = ids.filter(isRecordingId);
  if (valid.length === 0) return new Set();
  const rows = await db.selectFrom('recordings').select('id').where('id', 'in', valid).execute();
  return new Set(rows.map((r) => r.id));
}

export type RecordingsStore = ReturnType<typeof createRecordingsStore>;

export function createRecordingsStore(options: RecordingsStoreOptions) {
  const rows = jobRows<Row, RecordingChanges>(options.db, {
    table: 'recordings',
    columns: changeColumns,
    queuedStage: 'upload',
    requeueExtra: { percent: 100 },
    now: options.now ?? (() => new Date()),
  });
  const deps: StoreDeps = { db: options.db };
  const recordingOf = (row: Row | undefined) => (row === undefined ? undefined : toRecording(row));
  return {
    insert: (recording: NewRecording) => insert(deps, recording),
    get: (id: string) => get(deps, id),
    list: (owner: string, page: { limit: number; cursor?: string }) => list(deps, owner, page),
    /**
     * Applies `changes`, bumping the version; resolves to the row after the change, or undefined
     * when the recording is gone (deleted while its job ran).
     */
    update: async (id: string, changes: RecordingChanges) =>
      recordingOf(
        await rows.update(id, {
          ...changes,
          ...(changes.percent === undefined ? {} : { percent: Math.round(changes.percent) }),
        }),
      ),
    /** Moves a failed recording back to queued, its failed stages pending; undefined when it is not failed. */
    requeueFailed: async (id: string, stages: Stages) => recordingOf(await rows.requeueFailed(id, stages)),
    delete: (id: string) => remove(deps, id),
    createdBefore: (before: Date, limit: number) => createdBefore(deps, before, limit),
    existing: (ids: string[]) => existing(deps, ids),
  };
}
