// Caps an upload body's size while it streams: the stream fails before it ends, so the blob
// driver never commits a body that is too large (shared by the files and recordings uploads).
import { Transform, type Readable } from 'node:stream';
import { parkErrors } from './stream-errors.js';

export interface SizeLimitOptions {
  maxBytes: number;
  /** The error the stream fails with (e.g. a 413 AppError). */
  tooLarge: () => Error;
  /** True once an upstream parser cut the body at its own limit (multipart `truncated`). */
  truncated?: () => boolean;
}

/** Returns `body` piped through the limit; read the result instead of `body`. */
export function limitBodySize(body: Readable, options: SizeLimitOptions): Readable {
  let size = 0;
  // A multipart parser ends a cut-off file normally; failing here, before the stream ends,
  // keeps the driver from committing it.
  const limit = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      size += chunk.length;
      callback(size > options.maxBytes ? options.tooLarge() : null, chunk);
    },
    flush(callback) {
      // Already failed (the parser's 'limit' event): one error is enough.
      if (this.destroyed) {
        callback();
        return;
      }
      callback(options.truncated?.() === true ? options.tooLarge() : null);
    },
  });
  parkErrors(limit);
  body.on('error', (error) => limit.destroy(error));
  // A body that failed before this call (a multipart file part cut off before its closing
  // boundary) emits nothing more: without this the limit would wait for an 'end' that never comes.
  if (body.errored !== null) limit.destroy(body.errored);
  body.once('limit', () => limit.destroy(options.tooLarge()));
  return body.pipe(limit);
}
