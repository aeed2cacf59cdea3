// Reads the first bytes of a stream without consuming them: they are pushed back (unshift), so
// whoever reads the stream next still gets every byte from the start.
import type { Readable } from 'node:stream';

/** Resolves with up to `bytes` first bytes (fewer when the stream is shorter). */
export async function peekStream(stream: Readable, bytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  while (size < bytes) {
    const chunk = stream.read() as Buffer | null;
    if (chunk !== null) {
      chunks.push(chunk);
      size += chunk.length;
      continue;
    }
    if (stream.readableEnded || stream.destroyed) break;
    const ended = await new Promise<boolean>((resolve, reject) => {
      const done = (value: boolean) => {
        stream.off('readable', onReadable);
        stream.off('end', onEnd);
        stream.off('error', onError);
        resolve(value);
      };
      const onReadable = () => done(false);
      const onEnd = () => done(true);
      const onError = (error: Error) => {
        stream.off('readable', onReadable);
        stream.off('end', onEnd);
        reject(error);
      };
      stream.once('readable', onReadable);
      stream.once('end', onEnd);
      stream.once('error', onError);
    });
    if (ended) break;
  }
  const head = Buffer.concat(chunks);
  if (head.length > 0 && !stream.readableEnded) stream.unshift(head);
  return head.subarray(0, bytes);
}
