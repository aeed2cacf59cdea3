// Scan rows, job attempts (image_jobs) and stored artifacts (content_snapshot) on PostgreSQL or
// PGlite through Kysely. Writes are keyed updates or upserts, so a retried job step writes the same
// rows again instead of adding ones.
import { sql, type Kysely, type Selectable } from 'kysely';
import { decodeCursor, encodeCursor } from '../../platform/paging/page-cursor.js';
import type { LabelReading } from './stages/label-reading.js';
import type { RiskSummary } from './reports/risk-report.js';
import type { ImageFacts, Scan, ScanStatus, Stages } from './scan.js';
import type { ScansTables } from './scans-tables.js';

type Row = Selectable<ScansTables['scan_history']>;

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

/** A stored artifact of a scan (content_snapshot). */
export interface Snapshot {
  kind: string;
  container: string;
  name: string;
  contentType: string;
  sizeBytes: number;
  sasUrl: string | null;
  sasExpiresAt: Date | null;
}

export interface ScansPage {
  items: Scan[];
  nextCursor: string | null;
}

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
    error: row.error,
    retries: row.retries,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
    completedAt: row.completed_at === null ? null : new Date(row.completed_at),
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isScanId = (id: string): boolean => UUID.test(id);

/** Newest-first keyset cursor: the last item's creation time and id. */
const scanCursor = {
  encode: (scan: Scan) => encodeCursor({ at: scan.createdAt.toISOString(), id: scan.id }),
  decode(cursor: string | undefined): { at: Date; id: string } | undefined {
    const key = decodeCursor(
      cursor,
      (value) =>
        typeof value.id === 'string' &&
        isScanId(value.id) &&
        typeof value.at === 'string' &&
        !Number.isNaN(Date.parse(value.at)),
    );
    return key && { at: new Date(String(key.at)), id: String(key.id) };
  },
};

export type ScansStore = ReturnType<typeof createScansStore>;

export function createScansStore(options: { db: Kysely<ScansTables>; now?: () => Date }) {
  const { db } = options;
  const now = options.now ?? (() => new Date());

  return {
    async insert(scan: NewScan): Promise<Scan> {
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
    },

    async get(id: string): Promise<Scan | undefined> {
      if (!isScanId(id)) return undefined;
      const row = await db.selectFrom('scan_history').selectAll().where('id', '=', id).executeTakeFirst();
      return row === undefined ? undefined : toScan(row);
    },

    /** Newest first; every owner's scans when `owner` is null (admins). */
    async list(owner: string | null, page: { limit: number; cursor?: string }): Promise<ScansPage> {
      const after = scanCursor.decode(page.cursor);
      let query = db.selectFrom('scan_history').selectAll();
      if (owner !== null) query = query.where('owner', '=', owner);
      if (after !== undefined)
        query = query.where((eb) =>
          eb.or([
            eb('created_at', '<', after.at),
            eb.and([eb('created_at', '=', after.at), eb('id', '<', after.id)]),
          ]),
        );
      const rows = await query
        .orderBy('created_at', 'desc')
        .orderBy('id', 'desc')
        .limit(page.limit + 1)
        .execute();
      const items = rows.slice(0, page.limit).map(toScan);
      const last = items.at(-1);
      return {
        items,
        nextCursor: rows.length > page.limit && last !== undefined ? scanCursor.encode(last) : null,
      };
    },

    /** Applies `changes` and bumps the version; undefined when the scan is gone. */
    async update(id: string, changes: ScanChanges): Promise<Scan | undefined> {
      const set: Record<string, unknown> = { updated_at: now(), version: sql`version + 1` };
      if (changes.status !== undefined) set.status = changes.status;
      if (changes.stage !== undefined) set.stage = changes.stage;
      if (changes.stages !== undefined) set.stages = json(changes.stages);
      if (changes.image !== undefined) {
        set.image = json(changes.image);
        set.perceptual_hash = changes.image.perceptualHash;
      }
      if (changes.analysis !== undefined)
        set.analysis = changes.analysis === null ? null : json(changes.analysis);
      if (changes.risk !== undefined) set.risk = json(changes.risk);
      if (changes.error !== undefined) set.error = changes.error;
      if (changes.completedAt !== undefined) set.completed_at = changes.completedAt;
      const row = await db
        .updateTable('scan_history')
        .set(set)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row === undefined ? undefined : toScan(row);
    },

    /** Moves a failed scan back to queued with `stages`; undefined when it is not failed. */
    async requeueFailed(id: string, stages: Stages): Promise<Scan | undefined> {
      const row = await db
        .updateTable('scan_history')
        .set({
          status: 'queued',
          stage: 'queued',
          error: null,
          stages: json(stages),
          retries: sql<number>`retries + 1`,
          version: sql<number>`version + 1`,
          updated_at: now(),
        })
        .where('id', '=', id)
        .where('status', '=', 'failed')
        .returningAll()
        .executeTakeFirst();
      return row === undefined ? undefined : toScan(row);
    },

    /** Deletes the scan; its jobs, snapshots and shares go with it (ON DELETE CASCADE). */
    async delete(id: string): Promise<boolean> {
      const result = await db.deleteFrom('scan_history').where('id', '=', id).executeTakeFirst();
      return result.numDeletedRows > 0n;
    },

    /** Perceptual hashes of the owner's other scans, newest first. */
    async hashesOf(owner: string, except: string, limit = 500): Promise<{ id: string; hash: string }[]> {
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
    },

    /** Records the start of a processing attempt (an image_jobs row). */
    async startJob(job: { id: string; scanId: string; attempt: number; container: string; name: string }) {
      await db
        .insertInto('image_jobs')
        .values({
          id: job.id,
          scan_id: job.scanId,
          attempt: job.attempt,
          blob_container: job.container,
          blob_name: job.name,
          status: 'running',
          started_at: now(),
        })
        .execute();
    },

    async finishJob(id: string, outcome: { status: 'completed' | 'failed'; stage?: string; error?: string }) {
      await db
        .updateTable('image_jobs')
        .set({
          status: outcome.status,
          stage: outcome.stage ?? null,
          error: outcome.error ?? null,
          finished_at: now(),
        })
        .where('id', '=', id)
        .execute();
    },

    async jobsOf(scanId: string) {
      return db
        .selectFrom('image_jobs')
        .selectAll()
        .where('scan_id', '=', scanId)
        .orderBy('started_at')
        .execute();
    },

    /** Records (or replaces) a stored artifact; a replaced blob's cached link is dropped. */
    async putSnapshot(scanId: string, snapshot: Omit<Snapshot, 'sasUrl' | 'sasExpiresAt'>): Promise<void> {
      const values = {
        blob_container: snapshot.container,
        blob_name: snapshot.name,
        content_type: snapshot.contentType,
        size_bytes: snapshot.sizeBytes,
        blob_sas_url: null,
        sas_expires_at: null,
        created_at: now(),
      };
      await db
        .insertInto('content_snapshot')
        .values({ scan_id: scanId, kind: snapshot.kind, ...values })
        .onConflict((oc) => oc.columns(['scan_id', 'kind']).doUpdateSet(values))
        .execute();
    },

    async snapshots(scanId: string): Promise<Snapshot[]> {
      const rows = await db
        .selectFrom('content_snapshot')
        .selectAll()
        .where('scan_id', '=', scanId)
        .orderBy('kind')
        .execute();
      return rows.map((r) => ({
        kind: r.kind,
        container: r.blob_container,
        name: r.blob_name,
        contentType: r.content_type,
        sizeBytes: Number(r.size_bytes),
        sasUrl: r.blob_sas_url,
        sasExpiresAt: r.sas_expires_at === null ? null : new Date(r.sas_expires_at),
      }));
    },

    /** Caches a read link on its snapshot (seed 001: blob_sas_url, reused until near expiry). */
    async cacheLink(scanId: string, kind: string, link: { url: string; expiresOn: Date }): Promise<void> {
      await db
        .updateTable('content_snapshot')
        .set({ blob_sas_url: link.url, sas_expires_at: link.expiresOn })
        .where('scan_id', '=', scanId)
        .where('kind', '=', kind)
        .execute();
    },
  };
}
