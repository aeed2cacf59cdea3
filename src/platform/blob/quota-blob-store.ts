// Per-user upload quota (seed 001: UPLOAD_QUOTA_MB_PER_HOUR). Checked before an upload starts and
// enforced while it streams; the upload that would cross the limit is refused with 429 (a rate
// over time, so Retry-After says when the hour's window resets) and leaves nothing stored.
// Whose quota it is comes with each upload (`quotaSubject`), never from ambient request state.
import { Readable, Transform } from 'node:stream';
import { errors, type AppError } from '../errors/app-error.js';
import type { QuotaStore, QuotaUsage } from '../quota/quota-store.js';
import type { BlobStore } from './blob-store.js';
import { parkErrors, throwIfErrored } from './stream-errors.js';

export interface UploadQuotaOptions {
  quota: QuotaStore;
  /** Bytes each subject may upload per window (UPLOAD_QUOTA_MB_PER_HOUR × 1 MiB). */
  limitBytes: number;
  /** 3600 by default. */
  windowSeconds?: number;
  /** Bytes reserved in the shared store at a time while streaming (256 KiB). */
  reserveStepBytes?: number;
  now?: () => Date;
}

export function withUploadQuota(store: BlobStore, options: UploadQuotaOptions): BlobStore {
  const windowSeconds = options.windowSeconds ?? 3600;
  const step = options.reserveStepBytes ?? 256 * 1024;
  const now = options.now ?? (() => new Date());
  const limitMb = Math.round((options.limitBytes / 1024 / 1024) * 100) / 100;

  const refusal = (usage: QuotaUsage): AppError =>
    errors.tooManyRequests(
      `Upload quota of ${limitMb} MB per ${windowSeconds / 3600} h exceeded; it resets at ${usage.resetAt.toISOString()}.`,
      Math.max(1, Math.ceil((usage.resetAt.getTime() - now().getTime()) / 1000)),
      { extensions: { quotaBytes: options.limitBytes, usedBytes: Math.max(0, usage.used) } },
    );

  return {
    ...store,
    async upload(ref, body, uploadOptions) {
      const subject = uploadOptions?.quotaSubject;
      if (subject === undefined) return store.upload(ref, body, uploadOptions);
      if (body instanceof Readable) parkErrors(body);
      const before = await options.quota.get(subject, { windowSeconds });
      if (before.used >= options.limitBytes) throw refusal(before);
      const window = { windowSeconds, at: before.windowStart };
      let reserved = 0;
      const reserve = async (bytes: number): Promise<void> => {
        reserved += bytes;
        const usage = await options.quota.add(subject, bytes, window);
        if (usage.used > options.limitBytes) throw refusal(usage);
      };
      try {
        if (!(body instanceof Readable)) {
          if (before.used + body.byteLength > options.limitBytes)
            throw refusal({ ...before, used: before.used });
          await reserve(body.byteLength);
          return await store.upload(ref, body, uploadOptions);
        }
        let counted = 0;
        let unreserved = 0;
        const meter = new Transform({
          transform(chunk: Buffer, _encoding, callback) {
            counted += chunk.length;
            unreserved += chunk.length;
            // Local check first: no round trip needed to see this upload alone crossing the line.
            if (before.used + counted > options.limitBytes) {
              callback(refusal({ ...before, used: before.used + counted }));
              return;
            }
            if (unreserved < step) {
              callback(null, chunk);
              return;
            }
            const bytes = unreserved;
            unreserved = 0;
            reserve(bytes).then(
              () => callback(null, chunk),
              (error: unknown) => callback(error as Error),
            );
          },
          flush(callback) {
            reserve(unreserved).then(
              () => callback(),
              (error: unknown) => callback(error as Error),
            );
          },
        });
        throwIfErrored(body);
        parkErrors(meter);
        body.on('error', (error) => meter.destroy(error));
        return await store.upload(ref, body.pipe(meter), uploadOptions);
      } catch (error) {
        // The refused or failed upload stored nothing, so it costs nothing.
        if (reserved > 0) await options.quota.add(subject, -reserved, window).catch(() => undefined);
        throw error;
      }
    },
  };
}
