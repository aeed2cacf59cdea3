// The scans use cases behind the HTTP API: store an uploaded photo (type judged by its first bytes,
// size and quota enforced while it streams), list, read with short-lived links, download a report,
// delete, retry. Callers see only their own scans (admins see all); someone else's answers 404.
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { BlobDownload, BlobRef, BlobStore } from '../../platform/blob/blob-store.js';
import { formatBlobUri } from '../../platform/blob/blob-uri.js';
import { limitBodySize } from '../../platform/blob/size-limited-body.js';
import { errors } from '../../platform/errors/app-error.js';
import type { JobQueue } from '../../platform/jobs/job-queue.js';
import { peekStream } from '../../platform/streams/stream-head.js';
import { detectImageFormat, IMAGE_SIGNATURE_BYTES, type ImageFormat } from './image-format.js';
import { initialStages, type Scan } from './scan.js';
import { refIn, removeScanBlobs, scanBlobs, type ReportFormat } from './scan-blobs.js';
import type { ScanJobPayload } from './stages/scan-pipeline.js';
import type { ScansPage, ScansStore, Snapshot } from './scans-store.js';

export const SCAN_JOB = 'scans-process';

/** Read links handed out with a scan live this long (re-issued when less than a third is left). */
export const SCAN_LINK_SECONDS = 900;

/** Who is calling, as http/caller.ts decides it. */
export interface ScanCaller {
  id: string;
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

/** What every use case works over. */
interface ServiceDeps extends ScansServiceDeps {
  now: () => Date;
  ref: (name: string) => BlobRef;
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

export interface PhotoUpload {
  owner: string;
  /** Whose upload quota the photo counts against (the caller's). */
  quotaSubject: string;
  body: Readable;
  truncated: () => boolean;
}

const enqueue = (deps: ServiceDeps, id: string, jobId: string) =>
  deps.jobs.enqueue(SCAN_JOB, { scanId: id, attempts: deps.jobAttempts } satisfies ScanJobPayload, {
    jobId,
    attempts: deps.jobAttempts,
    backoff: { type: 'exponential', delayMs: deps.retryDelayMs },
  });

async function owned({ store }: ServiceDeps, id: string, caller: ScanCaller): Promise<Scan> {
  const scan = await store.get(id);
  if (scan === undefined) throw errors.notFound(`Scan ${id} was not found.`);
  if (!caller.admin && scan.owner !== caller.id) throw errors.notYours(`Scan ${id} was not found.`);
  return scan;
}

/** Streams the photo to `scans/{owner}/{id}/original.{ext}`; 415 unless JPEG, PNG or WebP; 413 over the limit. */
async function storePhoto(deps: ServiceDeps, upload: PhotoUpload): Promise<StoredPhoto> {
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
      errors.payloadTooLarge(
        `The photo exceeds the ${Math.round(deps.maxImageBytes / 1024 / 1024)} MB limit.`,
        {
          extensions: { limitBytes: deps.maxImageBytes },
        },
      ),
    truncated: upload.truncated,
  });
  const properties = await deps.blobs.upload(deps.ref(name), body, {
    contentType: format.contentType,
    metadata: { scanId: id },
    quotaSubject: upload.quotaSubject,
  });
  return { id, owner: upload.owner, format, name, sizeBytes: properties.size };
}

/** Removes a stored photo whose request was refused after it arrived. */
async function discard(deps: ServiceDeps, photo: StoredPhoto): Promise<void> {
  await deps.blobs.delete(deps.ref(photo.name)).catch(() => undefined);
}

/** Creates the scan row for a stored photo and queues its job. */
async function register(deps: ServiceDeps, photo: StoredPhoto, fields: ScanFields): Promise<Scan> {
  try {
    const scan = await deps.store.insert({
      id: photo.id,
      owner: photo.owner,
      productName: fields.productName?.trim() || null,
      barcode: fields.barcode?.trim() || null,
      typedIngredients: fields.ingredients?.trim() || null,
      originalExt: photo.format.ext,
      contentType: photo.format.contentType,
      sizeBytes: photo.sizeBytes,
      blobUrl: formatBlobUri(deps.ref(photo.name)),
      stages: initialStages(),
      createdAt: deps.now(),
    });
    await enqueue(deps, scan.id, scan.id);
    return scan;
  } catch (error) {
    await deps.store.delete(photo.id).catch(() => undefined);
    await discard(deps, photo);
    throw error;
  }
}

/** A read link per stored artifact, reusing the one cached on its content_snapshot row. */
async function linkOf(
  deps: ServiceDeps,
  scan: Scan,
  snapshot: Snapshot,
): Promise<{ url: string; expiresOn: Date }> {
  const fresh = deps.now().getTime() + (SCAN_LINK_SECONDS * 1000) / 3;
  if (snapshot.sasUrl !== null && snapshot.sasExpiresAt !== null && snapshot.sasExpiresAt.getTime() > fresh)
    return { url: snapshot.sasUrl, expiresOn: snapshot.sasExpiresAt };
  const link = await deps.blobs.sasUrl(
    { container: snapshot.container, name: snapshot.name },
    { permissions: 'r', expiresInSeconds: SCAN_LINK_SECONDS },
  );
  await deps.store.cacheLink(scan.id, snapshot.kind, link);
  return link;
}

/** Read links (≤ 15 min) to every artifact stored so far, by kind (`thumbnail`, `report.pdf`…). */
async function links(deps: ServiceDeps, scan: Scan): Promise<ScanLinks> {
  const found: Record<string, string> = {};
  let expiresOn: Date | undefined;
  for (const snapshot of await deps.store.snapshots(scan.id)) {
    const link = await linkOf(deps, scan, snapshot);
    found[snapshot.kind] = link.url;
    if (expiresOn === undefined || link.expiresOn < expiresOn) expiresOn = link.expiresOn;
  }
  return { ...found, expiresOn: (expiresOn ?? deps.now()).toISOString() };
}

/** A report's bytes; 409 until the scan has completed. */
async function report(deps: ServiceDeps, scan: Scan, format: ReportFormat): Promise<BlobDownload> {
  if (scan.status !== 'completed')
    throw errors.conflict(`Scan ${scan.id} is ${scan.status}; its report is not ready.`);
  return deps.blobs.download(deps.ref(scanBlobs.report(scan.id, format)));
}

/** Deletes the row first (its jobs, snapshots and shares cascade), so a running job stops; then the blobs. */
async function remove(deps: ServiceDeps, id: string, caller: ScanCaller): Promise<void> {
  const scan = await owned(deps, id, caller);
  await deps.store.delete(id);
  await removeScanBlobs(deps.blobs, deps.container, [
    scanBlobs.imagePrefix(scan.owner, id),
    scanBlobs.reportPrefix(id),
  ]);
}

/** Runs a failed scan again from the stage that failed; 409 when it is not failed. */
async function retry(deps: ServiceDeps, id: string, caller: ScanCaller): Promise<Scan> {
  const scan = await owned(deps, id, caller);
  if (scan.status !== 'failed')
    throw errors.conflict(`Scan ${id} is ${scan.status}; only a failed scan can be retried.`);
  const requeued = await deps.store.requeueFailed(id, scan.stages);
  if (requeued === undefined) throw errors.conflict(`Scan ${id} is no longer failed.`);
  await enqueue(deps, id, `${id}-retry-${requeued.retries}`);
  return requeued;
}

export type ScansService = ReturnType<typeof createScansService>;

export function createScansService(options: ScansServiceDeps) {
  const deps: ServiceDeps = {
    ...options,
    now: options.now ?? (() => new Date()),
    ref: refIn(options.container),
  };
  return {
    storePhoto: (upload: PhotoUpload) => storePhoto(deps, upload),
    discard: (photo: StoredPhoto) => discard(deps, photo),
    register: (photo: StoredPhoto, fields: ScanFields) => register(deps, photo, fields),
    list: (caller: ScanCaller, page: { limit: number; cursor?: string }): Promise<ScansPage> =>
      deps.store.list(caller.admin ? null : caller.id, page),
    get: (id: string, caller: ScanCaller) => owned(deps, id, caller),
    links: (scan: Scan) => links(deps, scan),
    report: (scan: Scan, format: ReportFormat) => report(deps, scan, format),
    delete: (id: string, caller: ScanCaller) => remove(deps, id, caller),
    retry: (id: string, caller: ScanCaller) => retry(deps, id, caller),
  };
}
