// Reads the first bytes of a stream without consuming them: they are pushed back (unshift), so
// whoever reads the stream next still gets every byte from the start.
import type { Readable } from 'node:stream';

/**
 * Resolves with up to `bytes` first bytes (fewer when the stream is shorter); rejects with the
 * stream's error when it fails (or has failed already) before they arrive.
 *
 * `read(bytes)` hands out nothing until `bytes` are buffered or the stream's data has ended, and
 * the bytes go back (unshift) in the same tick: 'end' is only emitted once the buffer is empty, so
 * a body shorter than `bytes` is pushed back before 'end' could fire and reaches its next reader
 * whole. The listeners stay on for the whole peek: a 'readable' listener added while bytes are
 * buffered fires at once, and re-adding one per wait would spin without yielding to I/O.
 */
export async function peekStream(stream: Readable, bytes: number): Promise<Buffer> {
  /** Signals so far: one that arrives between a read and the wait is not lost. */
  let signals = 0;
  let wake: () => void = () => undefined;
  let failure: Error | undefined;
  const onSignal = () => {
    signals++;
    wake();
  };
  const onError = (error: Error) => {
    failure ??= error;
    onSignal();
  };
  const events = ['readable', 'end', 'close'] as const;
  for (const event of events) stream.on(event, onSignal);
  stream.on('error', onError);
  try {
    for (;;) {
      const failed = failure ?? stream.errored;
      if (failed !== null) throw failed;
      const seen = signals;
      const head = stream.read(bytes) as Buffer | null;
      if (head !== null) {
        stream.unshift(head);
        return head;
      }
      // Destroyed without an error, or ended empty: there is nothing to peek at.
      if (stream.readableEnded || stream.destroyed) return Buffer.alloc(0);
      if (signals === seen) await new Promise<void>((resolve) => (wake = resolve));
    }
  } finally {
    for (const event of events) stream.off(event, onSignal);
    stream.off('error', onError);
  }
}
