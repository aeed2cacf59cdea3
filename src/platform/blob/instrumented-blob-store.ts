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
import type { BlobRef, BlobStore } from './blob-store.js';

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

/** 404 and 409 are expected in normal traffic, as are the caller's own mistakes: WARN, not ERROR. */
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

export function withInstrumentation(store: BlobStore, options: InstrumentationOptions): BlobStore {
  const metrics = createMetrics(options.registry);
  const clock = options.clock ?? (() => performance.now());
  const { logger } = options;

  const audit = (entry: Omit<AuditEntry, 'actor' | 'clientIp' | 'correlationId' | 'at'>): void => {
    const context = requestContext.get();
    const record: AuditEntry = {
      actor: context?.principalId ?? null,
      clientIp: context?.clientIp ?? null,
      correlationId: context?.correlationId ?? null,
      at: new Date(),
      ...entry,
    };
    // An audit sink that fails must not fail the operation it records; it is logged instead.
    options.audit.record(record).catch((error: unknown) => {
      logger.error(
        { err: error, audit: { operation: record.operation, target: record.target } },
        'audit record failed',
      );
    });
  };

  const succeeded = (
    operation: Operation,
    ref: BlobRef,
    started: number,
    bytes: number | null,
    extra: Record<string, unknown> = {},
  ) => {
    const durationMs = clock() - started;
    metrics.duration.observe({ operation, outcome: 'success' }, durationMs / 1000);
    logger.info(
      {
        blob: {
          operation,
          container: ref.container,
          name: ref.name,
          bytes,
          durationMs: Math.round(durationMs),
          ...extra,
        },
      },
      `blob ${operation}`,
    );
    const auditOperation = auditedOperations[operation];
    if (auditOperation !== undefined) {
      const detail = typeof extra.detail === 'string' ? extra.detail : null;
      audit({ operation: auditOperation, target: formatBlobUri(ref), outcome: 'success', bytes, detail });
    }
  };

  const failed = (
    operation: Operation,
    ref: BlobRef,
    started: number,
    error: unknown,
    bytes: number | null = null,
  ) => {
    const durationMs = clock() - started;
    const status = statusOf(error);
    metrics.duration.observe({ operation, outcome: 'failure' }, durationMs / 1000);
    metrics.errors.inc({ operation, status: status === undefined ? 'none' : String(status) });
    const blob = {
      operation,
      container: ref.container,
      name: ref.name,
      bytes,
      durationMs: Math.round(durationMs),
      status,
    };
    // A refusal (404, 416, quota…) is the caller's doing: info, and no stack to read past.
    if (status !== undefined && refusalStatuses.has(status) && isAppError(error))
      logger.info({ blob, reason: error.message }, `blob ${operation} refused`);
    else logger.error({ blob, err: error }, `blob ${operation} failed`);
    const auditOperation = auditedOperations[operation];
    if (auditOperation !== undefined) {
      const denied = status === 401 || status === 403 || status === 413 || status === 429;
      audit({
        operation: auditOperation,
        target: formatBlobUri(ref),
        outcome: denied ? 'denied' : 'failure',
        bytes,
        detail: error instanceof Error ? error.message : String(error),
      });
    }
  };

  const around = async <T>(
    operation: Operation,
    ref: BlobRef,
    fn: () => Promise<T>,
    bytesOf?: (value: T) => number | null,
  ): Promise<T> => {
    const started = clock();
    try {
      const value = await fn();
      succeeded(operation, ref, started, bytesOf === undefined ? null : bytesOf(value));
      return value;
    } catch (error) {
      failed(operation, ref, started, error);
      throw error;
    }
  };

  return {
    driver: store.driver,
    defaultContainer: store.defaultContainer,

    async upload(ref, body, uploadOptions) {
      const started = clock();
      try {
        const properties = await store.upload(ref, body, uploadOptions);
        metrics.uploads.inc();
        metrics.uploadBytes.inc(properties.size);
        succeeded('upload', ref, started, properties.size, { contentType: properties.contentType });
        return properties;
      } catch (error) {
        failed('upload', ref, started, error, body instanceof Readable ? null : body.byteLength);
        throw error;
      }
    },

    async download(ref, downloadOptions) {
      const started = clock();
      let download;
      try {
        download = await store.download(ref, downloadOptions);
      } catch (error) {
        failed('download', ref, started, error);
        throw error;
      }
      // The outcome is known only when the body has been sent (or the client went away).
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
        if (error === undefined && sent === download.contentLength) {
          metrics.downloads.inc();
          metrics.downloadBytes.inc(sent);
          succeeded(
            'download',
            ref,
            started,
            sent,
            download.range === undefined ? {} : { range: download.range },
          );
        } else {
          metrics.downloadBytes.inc(sent);
          failed(
            'download',
            ref,
            started,
            error ?? new Error(`download ended after ${sent} of ${download.contentLength} bytes`),
            sent,
          );
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
      return { ...download, stream: source.pipe(meter) };
    },

    downloadBuffer: (ref, o) =>
      around(
        'downloadBuffer',
        ref,
        async () => {
          const buffer = await store.downloadBuffer(ref, o);
          metrics.downloads.inc();
          metrics.downloadBytes.inc(buffer.length);
          return buffer;
        },
        (b) => b.length,
      ),
    exists: (ref, o) => around('exists', ref, () => store.exists(ref, o)),
    head: (ref, o) => around('head', ref, () => store.head(ref, o)),
    delete: (ref, o) => around('delete', ref, () => store.delete(ref, o)),
    list: async (container, o) => {
      const ref = { container, name: o?.prefix ?? '' };
      return around('list', ref, () => store.list(container, o));
    },
    url: (ref) => store.url(ref),
    async sasUrl(ref, sas) {
      const started = clock();
      try {
        const link = await store.sasUrl(ref, sas);
        const detail = `permissions=${link.permissions} expiresOn=${link.expiresOn.toISOString()}${sas.contentDisposition === undefined ? '' : ' contentDisposition=set'}`;
        succeeded('sas', ref, started, null, {
          detail,
          permissions: link.permissions,
          expiresOn: link.expiresOn.toISOString(),
        });
        return link;
      } catch (error) {
        failed('sas', ref, started, error);
        throw error;
      }
    },
    ping: (container, signal) => store.ping(container, signal),
  };
}
