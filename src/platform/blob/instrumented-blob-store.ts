// Logs, metrics and audit records for every blob operation, whatever the driver: one structured
// line per call (WARN for 404/409 and other client faults, ERROR for failures), Prometheus
// counters and histograms, and an audit entry for uploads, downloads, deletes and SAS links.
import { Readable, Transform } from 'node:stream';
import { Counter, Histogram, type Registry } from 'prom-client';
import type { AuditEntry, AuditLog } from '../audit/audit-log.js';
import { isAppError } from '../errors/app-error.js';
import { statusOf } from '../resilience/failure-classification.js';
import type { Logger } from '../telemetry/logger.js';
import { requestContext } from '../telemetry/request-context.js';
import { formatBlobUri } from './blob-uri.js';
import type { BlobDownload, BlobProperties, BlobRef, BlobStore, SasLink } from './blob-store.js';

export interface InstrumentationOptions {
  logger: Logger;
  registry: Registry;
  audit: AuditLog;
  /** Milliseconds clock for durations; performance.now by default. */
  clock?: () => number;
}

type Operation =
  'upload' | 'download' | 'downloadBuffer' | 'exists' | 'head' | 'delete' | 'list' | 'sas' | 'ping';

const auditedOperations: Partial<Record<Operation, string>> = {
  upload: 'blob.upload',
  download: 'blob.download',
  downloadBuffer: 'blob.download',
  delete: 'blob.delete',
  sas: 'blob.sas',
};

/** 404 and 409 are expected in normal traffic, as are the caller's own mistakes: info, not error. */
const refusalStatuses = new Set([400, 404, 409, 412, 413, 416, 429]);

function createMetrics(registry: Registry) {
  const registers = [registry];
  return {
    uploads: new Counter({ name: 'blob_uploads_total', help: 'Blob uploads completed', registers }),
    uploadBytes: new Counter({
      name: 'blob_upload_bytes_total',
      help: 'Bytes uploaded to blob storage',
      registers,
    }),
    downloads: new Counter({ name: 'blob_downloads_total', help: 'Blob downloads completed', registers }),
    downloadBytes: new Counter({
      name: 'blob_download_bytes_total',
      help: 'Bytes downloaded from blob storage',
      registers,
    }),
    errors: new Counter({
      name: 'blob_errors_total',
      help: 'Failed blob operations',
      labelNames: ['operation', 'status'],
      registers,
    }),
    duration: new Histogram({
      name: 'blob_operation_duration_seconds',
      help: 'Duration of blob operations (downloads: until the body is fully sent)',
      labelNames: ['operation', 'outcome'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
      registers,
    }),
  };
}

/** What every instrumented call needs: where lines, numbers and audit records go, and the clock. */
interface Instruments {
  metrics: ReturnType<typeof createMetrics>;
  clock: () => number;
  logger: Logger;
  audit: AuditLog;
}

type AuditFields = Omit<AuditEntry, 'actor' | 'clientIp' | 'correlationId' | 'at'>;

/**
 * Writes the audit record; resolves once it is written (or its failure logged), never rejects.
 * Callers acknowledge the operation only after it resolves, so a crash cannot lose the record of
 * an operation someone was told succeeded.
 */
function recordAudit({ audit, logger }: Instruments, entry: AuditFields): Promise<void> {
  const context = requestContext.get();
  const record: AuditEntry = {
    actor: context?.principalId ?? null,
    clientIp: context?.clientIp ?? null,
    correlationId: context?.correlationId ?? null,
    at: new Date(),
    ...entry,
  };
  // An audit sink that fails must not fail the operation it records (already done); the log line
  // carries the whole record instead, so it can be restored from the logs.
  return audit.record(record).catch((error: unknown) => {
    logger.error({ err: error, audit: record }, 'audit record failed');
  });
}

type Call = { operation: Operation; ref: BlobRef; started: number };

/** The log line's `blob` fields and the audit record (for audited operations) of one call. */
function report(
  instruments: Instruments,
  call: Call,
  outcome: { audit: AuditEntry['outcome']; bytes: number | null; durationMs: number; detail: string | null },
  extra: Record<string, unknown>,
) {
  const { operation, ref } = call;
  const auditOperation = auditedOperations[operation];
  const audited =
    auditOperation === undefined
      ? Promise.resolve()
      : recordAudit(instruments, {
          operation: auditOperation,
          target: formatBlobUri(ref),
          outcome: outcome.audit,
          bytes: outcome.bytes,
          detail: outcome.detail,
        });
  const blob = {
    operation,
    container: ref.container,
    name: ref.name,
    bytes: outcome.bytes,
    durationMs: Math.round(outcome.durationMs),
    ...extra,
  };
  return { blob, audited };
}

/** Resolves once the audit record (for audited operations) is written. */
function succeeded(
  instruments: Instruments,
  call: Call,
  bytes: number | null,
  extra: Record<string, unknown> = {},
): Promise<void> {
  const durationMs = instruments.clock() - call.started;
  instruments.metrics.duration.observe({ operation: call.operation, outcome: 'success' }, durationMs / 1000);
  const detail = typeof extra.detail === 'string' ? extra.detail : null;
  const { blob, audited } = report(instruments, call, { audit: 'success', bytes, durationMs, detail }, extra);
  instruments.logger.info({ blob }, `blob ${call.operation}`);
  return audited;
}

/** Resolves once the audit record (for audited operations) is written. */
function failed(
  instruments: Instruments,
  call: Call,
  error: unknown,
  bytes: number | null = null,
): Promise<void> {
  const { operation } = call;
  const durationMs = instruments.clock() - call.started;
  const status = statusOf(error);
  instruments.metrics.duration.observe({ operation, outcome: 'failure' }, durationMs / 1000);
  instruments.metrics.errors.inc({ operation, status: status === undefined ? 'none' : String(status) });
  const denied = status === 401 || status === 403 || status === 413 || status === 429;
  const detail = error instanceof Error ? error.message : String(error);
  const audit = denied ? 'denied' : 'failure';
  const { blob, audited } = report(instruments, call, { audit, bytes, durationMs, detail }, { status });
  // A refusal (404, 416, quota…) is the caller's doing: info, and no stack to read past.
  if (status !== undefined && refusalStatuses.has(status) && isAppError(error))
    instruments.logger.info({ blob, reason: error.message }, `blob ${operation} refused`);
  else instruments.logger.error({ blob, err: error }, `blob ${operation} failed`);
  return audited;
}

async function around<T>(
  instruments: Instruments,
  operation: Operation,
  ref: BlobRef,
  fn: () => Promise<T>,
  bytesOf?: (value: T) => number | null,
): Promise<T> {
  const call = { operation, ref, started: instruments.clock() };
  try {
    const value = await fn();
    await succeeded(instruments, call, bytesOf === undefined ? null : bytesOf(value));
    return value;
  } catch (error) {
    await failed(instruments, call, error);
    throw error;
  }
}

async function upload(
  instruments: Instruments,
  store: BlobStore,
  ...[ref, body, uploadOptions]: Parameters<BlobStore['upload']>
): Promise<BlobProperties> {
  const call = { operation: 'upload' as const, ref, started: instruments.clock() };
  let properties: BlobProperties;
  try {
    properties = await store.upload(ref, body, uploadOptions);
  } catch (error) {
    await failed(instruments, call, error, body instanceof Readable ? null : body.byteLength);
    throw error;
  }
  instruments.metrics.uploads.inc();
  instruments.metrics.uploadBytes.inc(properties.size);
  await succeeded(instruments, call, properties.size, { contentType: properties.contentType });
  return properties;
}

/** The download's body, metered: the outcome is known only when it has been sent (or abandoned). */
function meteredBody(instruments: Instruments, call: Call, download: BlobDownload): Readable {
  const { metrics } = instruments;
  let sent = 0;
  let settled = false;
  const meter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      sent += chunk.length;
      callback(null, chunk);
    },
  });
  const settle = (error?: unknown) => {
    if (settled) return;
    settled = true;
    metrics.downloadBytes.inc(sent);
    if (error === undefined && sent === download.contentLength) {
      metrics.downloads.inc();
      // Written as the body ends; the response is already on its way, so nothing waits for it.
      void succeeded(instruments, call, sent, download.range === undefined ? {} : { range: download.range });
    } else {
      const cause = error ?? new Error(`download ended after ${sent} of ${download.contentLength} bytes`);
      void failed(instruments, call, cause, sent);
    }
  };
  const source = download.stream;
  source.once('error', (error) => {
    settle(error);
    meter.destroy(error);
  });
  meter.once('end', () => settle());
  meter.once('close', () =>
    settle(sent === download.contentLength ? undefined : new Error('download aborted by the reader')),
  );
  // A reader that stops early destroys the meter; the source must not keep streaming.
  meter.once('close', () => source.destroy());
  return source.pipe(meter);
}

async function download(
  instruments: Instruments,
  store: BlobStore,
  ...[ref, downloadOptions]: Parameters<BlobStore['download']>
): Promise<BlobDownload> {
  const call = { operation: 'download' as const, ref, started: instruments.clock() };
  let found;
  try {
    found = await store.download(ref, downloadOptions);
  } catch (error) {
    await failed(instruments, call, error);
    throw error;
  }
  return { ...found, stream: meteredBody(instruments, call, found) };
}

/** `expiresOn` as ISO text, the last one remembered: links issued in one second share it. */
function isoMemo(): (date: Date) => string {
  let lastMs = Number.NaN;
  let last = '';
  return (date) => {
    const ms = date.getTime();
    if (ms !== lastMs) {
      last = date.toISOString();
      lastMs = ms;
    }
    return last;
  };
}

const sasSuccess = { operation: 'sas', outcome: 'success' } as const;

/**
 * The hot path of link issuing: one `then` instead of an async frame, the ISO expiry formatted
 * once per second, the label set and log fields built directly rather than spread.
 */
function sasUrl(
  instruments: Instruments,
  expiryText: (date: Date) => string,
  store: BlobStore,
  ...[ref, sas]: Parameters<BlobStore['sasUrl']>
): Promise<SasLink> {
  const started = instruments.clock();
  return store.sasUrl(ref, sas).then(
    (link) => {
      const durationMs = instruments.clock() - started;
      instruments.metrics.duration.observe(sasSuccess, durationMs / 1000);
      const expiresOn = expiryText(link.expiresOn);
      const detail = `permissions=${link.permissions} expiresOn=${expiresOn}${sas.contentDisposition === undefined ? '' : ' contentDisposition=set'}`;
      const audited = recordAudit(instruments, {
        operation: 'blob.sas',
        target: formatBlobUri(ref),
        outcome: 'success',
        bytes: null,
        detail,
      });
      const blob = {
        operation: 'sas',
        container: ref.container,
        name: ref.name,
        bytes: null,
        durationMs: Math.round(durationMs),
        detail,
        permissions: link.permissions,
        expiresOn,
      };
      instruments.logger.info({ blob }, 'blob sas');
      // The link is handed out only once its issuance is on record.
      return audited.then(() => link);
    },
    (error: unknown) =>
      failed(instruments, { operation: 'sas', ref, started }, error).then(() => {
        throw error;
      }),
  );
}

export function withInstrumentation(store: BlobStore, options: InstrumentationOptions): BlobStore {
  const instruments: Instruments = {
    metrics: createMetrics(options.registry),
    clock: options.clock ?? (() => performance.now()),
    logger: options.logger,
    audit: options.audit,
  };
  const expiryText = isoMemo();
  return {
    driver: store.driver,
    defaultContainer: store.defaultContainer,
    upload: (...args) => upload(instruments, store, ...args),
    download: (...args) => download(instruments, store, ...args),
    downloadBuffer: (ref, o) =>
      around(
        instruments,
        'downloadBuffer',
        ref,
        async () => {
          const buffer = await store.downloadBuffer(ref, o);
          instruments.metrics.downloads.inc();
          instruments.metrics.downloadBytes.inc(buffer.length);
          return buffer;
        },
        (b) => b.length,
      ),
    exists: (ref, o) => around(instruments, 'exists', ref, () => store.exists(ref, o)),
    head: (ref, o) => around(instruments, 'head', ref, () => store.head(ref, o)),
    delete: (ref, o) => around(instruments, 'delete', ref, () => store.delete(ref, o)),
    list: (container, o) =>
      around(instruments, 'list', { container, name: o?.prefix ?? '' }, () => store.list(container, o)),
    url: (ref) => store.url(ref),
    sasUrl: (...args) => sasUrl(instruments, expiryText, store, ...args),
    ping: (container, signal) => store.ping(container, signal),
  };
}
