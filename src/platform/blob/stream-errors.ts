// Upload bodies pass through several layers (size limit, quota meter, byte counter) before a
// driver consumes them, and some layers await first. An error raised in that gap, with nobody
// listening yet, would crash the process; these helpers park it for the consumer instead.
import type { Readable } from 'node:stream';

/**
 * Keeps an early 'error' from being unhandled. The error is not lost: the stream is destroyed
 * with it, and the consumer finds it in `stream.errored` (see throwIfErrored) or its own listener.
 */
export function parkErrors<T extends Readable>(stream: T): T {
  stream.on('error', () => undefined);
  return stream;
}

/** Call after any await and before consuming: rethrows an error the body already failed with. */
export function throwIfErrored(stream: Readable): void {
  if (stream.errored !== null) throw stream.errored;
}
