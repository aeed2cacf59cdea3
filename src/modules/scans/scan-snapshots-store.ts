// The stored artifacts of a scan (seed 001's content_snapshot), each with its cached read link.
import type { Kysely } from 'kysely';
import type { ScansTables } from './scans-tables.js';

/** A stored artifact of a scan. */
export interface Snapshot {
  kind: string;
  container: string;
  name: string;
  contentType: string;
  sizeBytes: number;
  sasUrl: string | null;
  sasExpiresAt: Date | null;
}

interface SnapshotsDeps {
  db: Kysely<ScansTables>;
  now: () => Date;
}

/** Records (or replaces) a stored artifact; a replaced blob's cached link is dropped. */
async function putSnapshot(
  { db, now }: SnapshotsDeps,
  scanId: string,
  snapshot: Omit<Snapshot, 'sasUrl' | 'sasExpiresAt'>,
): Promise<void> {
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
}

async function snapshots({ db }: SnapshotsDeps, scanId: string): Promise<Snapshot[]> {
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
}

/** Caches a read link on its snapshot (seed 001: blob_sas_url, reused until near expiry). */
async function cacheLink(
  { db }: SnapshotsDeps,
  scanId: string,
  kind: string,
  link: { url: string; expiresOn: Date },
): Promise<void> {
  await db
    .updateTable('content_snapshot')
    .set({ blob_sas_url: link.url, sas_expires_at: link.expiresOn })
    .where('scan_id', '=', scanId)
    .where('kind', '=', kind)
    .execute();
}

export function createScanSnapshotsStore(deps: SnapshotsDeps) {
  return {
    putSnapshot: (scanId: string, snapshot: Omit<Snapshot, 'sasUrl' | 'sasExpiresAt'>) =>
      putSnapshot(deps, scanId, snapshot),
    snapshots: (scanId: string) => snapshots(deps, scanId),
    cacheLink: (scanId: string, kind: string, link: { url: string; expiresOn: Date }) =>
      cacheLink(deps, scanId, kind, link),
  };
}
