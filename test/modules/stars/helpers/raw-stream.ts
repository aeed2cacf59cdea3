// A bare SSE client on node:http for tests that need headers, many connections, or the raw text.
import { request, type IncomingMessage } from 'node:http';

export interface RawStream {
  response: IncomingMessage;
  /** Everything received so far. */
  text(): string;
  /** Resolves once the received text satisfies `predicate` (or rejects when the stream ends first). */
  until(predicate: (text: string) => boolean): Promise<string>;
  /** Resolves when the server ends the stream. */
  ended: Promise<void>;
  close(): void;
}

export function openRawStream(url: string, headers: Record<string, string> = {}): Promise<RawStream> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { accept: 'text/event-stream', ...headers } }, (response) => {
      let received = '';
      const waiters = new Set<() => void>();
      const ended = new Promise<void>((done) => {
        response.once('end', done);
        response.once('close', done);
      });
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        received += chunk;
        for (const waiter of [...waiters]) waiter();
      });
      resolve({
        response,
        text: () => received,
        until: (predicate) =>
          new Promise((done, fail) => {
            const check = () => {
              if (!predicate(received)) return;
              waiters.delete(check);
              done(received);
            };
            waiters.add(check);
            check();
            void ended.then(() => {
              if (!waiters.has(check)) return;
              waiters.delete(check);
              if (predicate(received)) done(received);
              else fail(new Error(`stream ended; received: ${received}`));
            });
          }),
        ended,
        close: () => req.destroy(),
      });
    });
    req.once('error', reject);
    req.end();
  });
}

/** The `data:` payloads of the frames in SSE text, parsed, with their ids. */
export function framesOf(text: string): Array<{ id: string | undefined; data: unknown }> {
  const frames: Array<{ id: string | undefined; data: unknown }> = [];
  for (const block of text.split('\n\n')) {
    const lines = block.split('\n');
    const data = lines.filter((l) => l.startsWith('data: ')).map((l) => l.slice(6));
    if (data.length === 0) continue;
    const id = lines.find((l) => l.startsWith('id: '))?.slice(4);
    frames.push({ id, data: JSON.parse(data.join('\n')) as unknown });
  }
  return frames;
}
