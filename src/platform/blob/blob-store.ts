// The BlobStore port: named binary objects in containers. Drivers: Azure Blob Storage (also
// Azurite) and the local disk; decorators add resilience, instrumentation, SAS caching and quotas.
import type { Readable } from 'node:stream';

/** Where a blob lives. Both parts are validated against Azure's naming rules before any I/O. */
export interface BlobRef {
  container: string;
  name: string;
}

/** A stream is read once (not replayable); a buffer can be sent again on retry. */
export type BlobBody = Readable | Buffer | Uint8Array;

export interface UploadOptions {
  contentType?: string;
  /** User metadata; keys must be valid C# identifiers (Azure's rule), values ASCII. */
  metadata?: Record<string, string>;
  signal?: AbortSignal;
  /** Whose upload quota this counts against (the caller; see http/caller.ts); absent: not counted (internal jobs). */
  quotaSubject?: string;
}

export interface BlobProperties {
  container: string;
  name: string;
  size: number;
  contentType: string;
  /** Quoted entity tag, as sent in the ETag header. */
  etag: string;
  lastModified: Date;
  metadata: Record<string, string>;
}

/** Inclusive byte range, as in an HTTP Range header; `end` omitted means to the last byte. */
export interface ByteRange {
  start: number;
  end?: number;
}

export interface DownloadOptions {
  range?: ByteRange;
  signal?: AbortSignal;
}

export interface BlobDownload {
  properties: BlobProperties;
  /** The bytes sent: the whole blob, or the range (clamped to the blob's end). */
  stream: Readable;
  contentLength: number;
  /** Set when a range was asked for: the inclusive bounds actually sent. */
  range?: { start: number; end: number };
}

export interface ListOptions {
  prefix?: string;
  /** Items per page (1-5000); 100 when omitted. */
  pageSize?: number;
  /** The `continuationToken` of the previous page. */
  continuationToken?: string;
  signal?: AbortSignal;
}

export interface BlobPage {
  items: BlobProperties[];
  /** Present when there is another page. Opaque. */
  continuationToken?: string;
}

/** r read, w write, c create, d delete: a subset, in any order, of `rwcd`. */
export type SasPermissions = string;

export interface SasOptions {
  permissions: SasPermissions;
  expiresInSeconds: number;
  /** Sets Content-Disposition on responses served through the link (e.g. `attachment; filename="a.pdf"`). */
  contentDisposition?: string;
}

export interface SasLink {
  url: string;
  expiresOn: Date;
  permissions: SasPermissions;
}

export interface BlobStore {
  /** `azure` or `disk`, for /health and start-up logs. */
  readonly driver: 'azure' | 'disk';
  /** The container used when a caller has no reason to pick another (AZURE_STORAGE_CONTAINER). */
  readonly defaultContainer: string;
  /** Creates or replaces a blob. Nothing is visible until the whole body has been stored. */
  upload(ref: BlobRef, body: BlobBody, options?: UploadOptions): Promise<BlobProperties>;
  /** Streams a blob or a byte range. NotFound (404) when absent; RangeNotSatisfiable (416). */
  download(ref: BlobRef, options?: DownloadOptions): Promise<BlobDownload>;
  downloadBuffer(ref: BlobRef, options?: DownloadOptions): Promise<Buffer>;
  exists(ref: BlobRef, options?: { signal?: AbortSignal }): Promise<boolean>;
  /** Properties without the body; NotFound (404) when absent. */
  head(ref: BlobRef, options?: { signal?: AbortSignal }): Promise<BlobProperties>;
  /** Idempotent: resolves false when there was nothing to delete. */
  delete(ref: BlobRef, options?: { signal?: AbortSignal }): Promise<boolean>;
  list(container: string, options?: ListOptions): Promise<BlobPage>;
  /** The blob's plain URL (not signed; readable only where access allows). */
  url(ref: BlobRef): string;
  /** A time-limited, permission-scoped link anyone holding it may use. */
  sasUrl(ref: BlobRef, options: SasOptions): Promise<SasLink>;
  /** A cheap call that proves the backend answers; for health checks. */
  ping(container: string, signal?: AbortSignal): Promise<void>;
}
