// Scan rows, job attempts (image_jobs) and stored artifacts (content_snapshot) on PostgreSQL or
// PGlite through Kysely. Writes are keyed updates or upserts, so a retried job step writes the same
// rows again instead of adding ones.
import type { Kysely, Selectable } from 'kysely';
import type { OutboxMessage, OutboxWriter } from '../../platform/outbox/outbox.js';
import { jobRowColumns, jobRowFields, jobRows, type ChangeColumns } from '../../platform/db/job-rows.js';
import { isUuid, type Page } from '../../platform/db/newest-first-page.js';
import type { LabelReading } from './stages/label-reading.js';
import type { RiskSummary } from './reports/risk-report.js';
import type { ImageFacts, Scan, ScanStatus, Stages } from './scan.js';
import { createScanAttemptsStore } from './scan-attempts-store.js';
import { createScanSnapshotsStore } from './scan-snapshots-store.js';
import type { ScanHistoryTable, ScansTables } from './scans-tables.js';

export type { Snapshot } from './scan-snapshots-store.js';

type Row = Selectable<ScanHistoryTable>;

export type NewScan = Pick<
  Scan,
  | 'id'
  | 'owner'
  | 'productName'
  | 'barcode'
  | 'typedIngredients'
  | 'originalExt'
  | 'contentType'
  | 'sizeBytes'
  | 'blobUrl'
  | 'stages'
  | 'createdAt'
>;

/** Fields a job step may set; absent ones stay as they are. */
export interface ScanChanges {
  status?: ScanStatus;
  stage?: Scan['stage'];
  stages?: Stages;
  image?: ImageFacts;
  analysis?: LabelReading | null;
  risk?: RiskSummary;
  error?: string | null;
  completedAt?: Date | null;
}

export type ScansPage = Page<Scan>;

const json = (value: unknown) => JSON.stringify(value);

function toScan(row: Row): Scan {
  return {
    id: row.id,
    owner: row.owner,
    status: row.status as ScanStatus,
    stage: row.stage as Scan['stage'],
    version: row.version,
    productName: row.product_name,
    barcode: row.barcode,
    typedIngredients: row.typed_ingredients,
    originalExt: row.original_ext as Scan['originalExt'],
    contentType: row.content_type,
    sizeBytes: Number(row.size_bytes),
    blobUrl: row.blob_url,
    stages: row.stages,
    image: row.image,
    analysis: row.analysis,
    risk: row.risk,
    ...jobRowFields(row),
  };
}

export const isScanId = isUuid;

const changeColumns: ChangeColumns<ScanChanges> = {
  ...jobRowColumns,
  image: { json: 'image' },
  analysis: { json: 'analysis' },
  risk: { json: 'risk' },
};

/** What every use case of the store works over. */
interface StoreDeps {
  db: Kysely<ScansTables>;
  now: () => Date;
}

async function insert({ db }: StoreDeps, scan: NewScan): Promise<Scan> {
  const row = await db
    .insertInto('scan_history')
    .values({
      id: scan.id,
      owner: scan.owner,
      status: 'queued',
      stage: 'queued',
      product_name: scan.productName,
      barcode: scan.barcode,
      typed_ingredients: scan.typedIngredients,
      original_ext: scan.originalExt,
      content_type: scan.contentType,
      size_bytes: scan.sizeBytes,
      blob_url: scan.blobUrl,
      stages: json(scan.stages),
      created_at: scan.createdAt,
      updated_at: scan.createdAt,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toScan(row);
}

/** Deletes the scan; its jobs, snapshots and shares go with it (ON DELETE CASCADE). */
async function remove({ db }: StoreDeps, id: string): Promise<boolean> {
  const result = await db.deleteFrom('scan_history').where('id', '=', id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** Perceptual hashes of the owner's other scans, newest first. */
async function hashesOf(
  { db }: StoreDeps,
  owner: string,
  except: string,
  limit = 500,
): Promise<{ id: string; hash: string }[]> {
  const rows = await db
    .selectFrom('scan_history')
    .select(['id', 'perceptual_hash'])
    .where('owner', '=', owner)
    .where('id', '!=', except)
    .where('perceptual_hash', 'is not', null)
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute();
  return rows.flatMap((r) => (r.perceptual_hash === null ? [] : [{ id: r.id, hash: r.perceptual_hash }]));
}

export type ScansStore = ReturnType<typeof createScansStore>;

/** Scan rows, with their job attempts (scan-attempts-store.ts) and artifacts (scan-snapshots-store.ts). */
export function createScansStore(options: {
  db: Kysely<ScansTables>;
  now?: () => Date;
  /** Where progress events go with their update, in one transaction; without it `announces` is false. */
  outbox?: OutboxWriter;
}) {
  const deps: StoreDeps = { db: options.db, now: options.now ?? (() => new Date()) };
  const rows = jobRows<Row, ScanChanges>(options.db, {
    table: 'scan_history',
    columns: changeColumns,
    queuedStage: 'queued',
    now: deps.now,
    ...(options.outbox === undefined ? {} : { outbox: options.outbox }),
  });
  const scanOf = (row: Row | undefined) => (row === undefined ? undefined : toScan(row));
  return {
    insert: (scan: NewScan) => insert(deps, scan),
    get: async (id: string) => scanOf(await rows.get(id)),
    /** Newest first; every owner's scans when `owner` is null (admins). */
    list: (owner: string | null, page: { limit: number; cursor?: string }): Promise<ScansPage> =>
      rows.page(owner, page, toScan),
    /** True when `update` writes its `announce` events in the update's transaction (the outbox). */
    announces: options.outbox !== undefined,
    /** Applies `changes` and bumps the version; undefined when the scan is gone. `announce`: see `announces`. */
    update: async (id: string, changes: ScanChanges, announce?: (scan: Scan) => readonly OutboxMessage[]) =>
      scanOf(
        await rows.update(
          id,
          changes,
          changes.image === undefined ? {} : { perceptual_hash: changes.image.perceptualHash },
          announce === undefined ? undefined : (row) => announce(toScan(row)),
        ),
      ),
    /** Moves a failed scan back to queued, its failed stages pending; undefined when it is not failed. */
    requeueFailed: async (id: string, stages: Stages) => scanOf(await rows.requeueFailed(id, stages)),
    delete: (id: string) => remove(deps, id),
    hashesOf: (owner: string, except: string, limit?: number) => hashesOf(deps, owner, except, limit),
    ...createScanAttemptsStore(deps),
    ...createScanSnapshotsStore(deps),
  };
}
