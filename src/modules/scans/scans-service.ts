// The scans use cases behind the HTTP API: store an uploaded photo (type judged by its first bytes,
// size and quota enforced while it streams), list, read with short-lived links, download a report,
// delete, retry. Callers see only their own scans (admins see all); someone else's answers 404.
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { BlobDownload, BlobStore } from '../../platform/blob/blob-store.js';
import { formatBlobUri } from '../../platform/blob/blob-uri.js';
import { limitBodySize } from '../../platform/blob/size-limited-body.js';
import { errors } from '../../platform/errors/app-error.js';
import type { JobQueue } from '../../platform/jobs/job-queue.js';
import { peekStream } from '../recordings/stream-head.js';
import { detectImageFormat, IMAGE_SIGNATURE_BYTES, type ImageFormat } from './image-format.js';
import { initialStages, type Scan, type Stages } from './scan.js';
import { refIn, removeScanBlobs, scanBlobs, type ReportFormat } from './scan-blobs.js';
import type { ScanJobPayload } from './stages/scan-pipeline.js';
import type { ScansPage, ScansStore, Snapshot } from './scans-store.js';

export const SCAN_JOB = 'scans-process';

/** Read links handed out with a scan live this long (re-issued when less than a third is left). */
export const SCAN_LINK_SECONDS = 900;

export interface ScanCaller {
  userId: string;
  /** Admins read and manage every owner's scans. */
  admin: boolean;
}

export interface ScansServiceDeps {
  store: ScansStore;
  /** The blob store with the upload quota applied (the caller's quota counts the photo). */
  blobs: BlobStore;
  container: string;
  jobs: Pick<JobQueue, 'enqueue'>;
  /** SCANS_MAX_IMAGE_MB in bytes. */
  maxImageBytes: number;
  jobAttempts: number;
  retryDelayMs: number;
  now?: () => Date;
}

/** A photo stored before its row exists: registered once the rest of the form is read, or discarded. */
export interface StoredPhoto {
  id: string;
  owner: string;
  format: ImageFormat;
  name: string;
  sizeBytes: number;
}

export interface ScanFields {
  productName?: string;
  barcode?: string;
  ingredients?: string;
}

export type ScanLinks = Record<string, string> & { expiresOn: string };

export type ScansService = ReturnType<typeof createScansService>;

export function createScansService(deps: ScansServiceDeps) {
  const { store, blobs, container } = deps;
  const now = deps.now ?? (() => new Date());
  const ref = refIn(container);
  const maxMb = Math.round(deps.maxImageBytes / 1024 / 1024);

  const enqueue = (id: string, jobId: string) =>
    deps.jobs.enqueue(SCAN_JOB, { scanId: id, attempts: deps.jobAttempts } satisfies ScanJobPayload, {
      jobId,
      attempts: deps.jobAttempts,
      backoff: { type: 'exponential', delayMs: deps.retryDelayMs },
    });

  const owned = async (id: string, caller: ScanCaller): Promise<Scan> => {
    const scan = await store.get(id);
    if (scan === undefined) throw errors.notFound(`Scan ${id} was not found.`);
    if (!caller.admin && scan.owner !== caller.userId) throw errors.notYours(`Scan ${id} was not found.`);
    return scan;
  };

  /** A read link per stored artifact, reusing the one cached on its content_snapshot row. */
  async function linkOf(scan: Scan, snapshot: Snapshot): Promise<{ url: string; expiresOn: Date }> {
    const fresh = now().getTime() + (SCAN_LINK_SECONDS * 1000) / 3;
    if (snapshot.sasUrl !== null && snapshot.sasExpiresAt !== null && snapshot.sasExpiresAt.getTime() > fresh)
      return { url: snapshot.sasUrl, expiresOn: snapshot.sasExpiresAt };
    const link = await blobs.sasUrl(
      { container: snapshot.container, name: snapshot.name },
      { permissions: 'r', expiresInSeconds: SCAN_LINK_SECONDS },
    );
    await store.cacheLink(scan.id, snapshot.kind, link);
    return link;
  }

  return {
    /** Streams the photo to `scans/{owner}/{id}/original.{ext}`; 415 unless JPEG, PNG or WebP; 413 over the limit. */
    async storePhoto(upload: {
      owner: string;
      body: Readable;
      truncated: () => boolean;
    }): Promise<StoredPhoto> {
      const head = await peekStream(upload.body, IMAGE_SIGNATURE_BYTES);
      const format = detectImageFormat(head);
      if (format === undefined) {
        upload.body.resume();
        throw errors.unsupportedMediaType(
          'The photo must be JPEG, PNG or WebP (judged by its first bytes; HEIC is not accepted).',
        );
      }
      const id = randomUUID();
      const name = scanBlobs.original(upload.owner, id, format.ext);
      const body = limitBodySize(upload.body, {
        maxBytes: deps.maxImageBytes,
        tooLarge: () =>
          errors.payloadTooLarge(`The photo exceeds the ${maxMb} MB limit.`, {
            extensions: { limitBytes: deps.maxImageBytes },
          }),
        truncated: upload.truncated,
      });
      const properties = await blobs.upload(ref(name), body, {
        contentType: format.contentType,
        metadata: { scanId: id },
      });
      return { id, owner: upload.owner, format, name, sizeBytes: properties.size };
    },

    /** Removes a stored photo whose request was refused after it arrived. */
    async discard(photo: StoredPhoto): Promise<void> {
      await blobs.delete(ref(photo.name)).catch(() => undefined);
    },

    /** Creates the scan row for a stored photo and queues its job. */
    async register(photo: StoredPhoto, fields: ScanFields): Promise<Scan> {
      try {
        const scan = await store.insert({
          id: photo.id,
          owner: photo.owner,
          productName: fields.productName?.trim() || null,
          barcode: fields.barcode?.trim() || null,
          typedIngredients: fields.ingredients?.trim() || null,
          originalExt: photo.format.ext,
          contentType: photo.format.contentType,
          sizeBytes: photo.sizeBytes,
          blobUrl: formatBlobUri(ref(photo.name)),
          stages: initialStages(),
          createdAt: now(),
        });
        await enqueue(scan.id, scan.id);
        return scan;
      } catch (error) {
        await store.delete(photo.id).catch(() => undefined);
        await this.discard(photo);
        throw error;
      }
    },

    list(caller: ScanCaller, page: { limit: number; cursor?: string }): Promise<ScansPage> {
      return store.list(caller.admin ? null : caller.userId, page);
    },

    get: owned,

    /** Read links (≤ 15 min) to every artifact stored so far, by kind (`thumbnail`, `report.pdf`…). */
    async links(scan: Scan): Promise<ScanLinks> {
      const links: Record<string, string> = {};
      let expiresOn: Date | undefined;
      for (const snapshot of await store.snapshots(scan.id)) {
        const link = await linkOf(scan, snapshot);
        links[snapshot.kind] = link.url;
        if (expiresOn === undefined || link.expiresOn < expiresOn) expiresOn = link.expiresOn;
      }
      return { ...links, expiresOn: (expiresOn ?? now()).toISOString() };
    },

    /** A report's bytes; 409 until the scan has completed. */
    async report(scan: Scan, format: ReportFormat): Promise<BlobDownload> {
      if (scan.status !== 'completed')
        throw errors.conflict(`Scan ${scan.id} is ${scan.status}; its report is not ready.`);
      return blobs.download(ref(scanBlobs.report(scan.id, format)));
    },

    /** Deletes the row first (its jobs, snapshots and shares cascade), so a running job stops; then the blobs. */
    async delete(id: string, caller: ScanCaller): Promise<void> {
      const scan = await owned(id, caller);
      await store.delete(id);
      await removeScanBlobs(blobs, container, [
        scanBlobs.imagePrefix(scan.owner, id),
        scanBlobs.reportPrefix(id),
      ]);
    },

    /** Runs a failed scan again from the stage that failed; 409 when it is not failed. */
    async retry(id: string, caller: ScanCaller): Promise<Scan> {
      const scan = await owned(id, caller);
      if (scan.status !== 'failed')
        throw errors.conflict(`Scan ${id} is ${scan.status}; only a failed scan can be retried.`);
      const stages = Object.fromEntries(
        Object.entries(scan.stages).map(([name, stage]) => [
          name,
          stage.state === 'failed' ? { state: 'pending' } : stage,
        ]),
      ) as Stages;
      const requeued = await store.requeueFailed(id, stages);
      if (requeued === undefined) throw errors.conflict(`Scan ${id} is no longer failed.`);
      await enqueue(id, `${id}-retry-${requeued.retries}`);
      return requeued;
    },
  };
}
