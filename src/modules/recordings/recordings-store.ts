// Recording rows on PostgreSQL or PGlite through Kysely. Every write is an upsert or a keyed
// update, so a retried job step writes the same row again instead of adding one.
import type { Kysely, Selectable } from 'kysely';
import type { OutboxMessage, OutboxWriter } from '../../platform/outbox/outbox.js';
import { jobRowColumns, jobRowFields, jobRows, type ChangeColumns } from '../../platform/db/job-rows.js';
import { isUuid, type Page } from '../../platform/db/newest-first-page.js';
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
    ...jobRowFields(row),
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
  /** Where progress events go with their update, in one transaction; without it `announces` is false. */
  outbox?: OutboxWriter;
}

/** What every use case of the store works over. */
interface StoreDeps {
  db: Kysely<RecordingsTables>;
  get: (id: string) => Promise<Row | undefined>;
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
  const existing = row ?? (await deps.get(recording.id));
  if (existing === undefined) throw new Error(`recording ${recording.id} vanished while inserted`);
  return toRecording(existing);
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
    ...(options.outbox === undefined ? {} : { outbox: options.outbox }),
  });
  const deps: StoreDeps = { db: options.db, get: (id) => rows.get(id) };
  const recordingOf = (row: Row | undefined) => (row === undefined ? undefined : toRecording(row));
  return {
    insert: (recording: NewRecording) => insert(deps, recording),
    get: async (id: string) => recordingOf(await rows.get(id)),
    /** The owner's recordings, newest first. */
    list: (owner: string, page: { limit: number; cursor?: string }): Promise<RecordingsPage> =>
      rows.page(owner, page, toRecording),
    /** True when `update` writes its `announce` events in the update's transaction (the outbox). */
    announces: options.outbox !== undefined,
    /**
     * Applies `changes`, bumping the version; resolves to the row after the change, or undefined
     * when the recording is gone (deleted while its job ran). `announce`: see `announces`.
     */
    update: async (
      id: string,
      changes: RecordingChanges,
      announce?: (recording: Recording) => readonly OutboxMessage[],
    ) =>
      recordingOf(
        await rows.update(
          id,
          {
            ...changes,
            ...(changes.percent === undefined ? {} : { percent: Math.round(changes.percent) }),
          },
          {},
          announce === undefined ? undefined : (row) => announce(toRecording(row)),
        ),
      ),
    /** Moves a failed recording back to queued, its failed stages pending; undefined when it is not failed. */
    requeueFailed: async (id: string, stages: Stages) => recordingOf(await rows.requeueFailed(id, stages)),
    delete: (id: string) => remove(deps, id),
    createdBefore: (before: Date, limit: number) => createdBefore(deps, before, limit),
    existing: (ids: string[]) => existing(deps, ids),
  };
}
