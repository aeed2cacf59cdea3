// The live channels the smoke test listens on: the stars SSE stream and the /ws progress socket.
import WebSocket from 'ws';
import type { SmokeTarget } from './smoke-api.js';

export interface TextStream {
  /** Resolves once the text received so far satisfies `until`; rejects after `seconds`. */
  waitFor(until: (text: string) => boolean, seconds: number, what: string): Promise<void>;
  close(): void;
}

function waiter(read: () => string) {
  const pending: { until: (text: string) => boolean; resolve: () => void }[] = [];
  return {
    check: () => {
      for (const entry of [...pending])
        if (entry.until(read())) {
          pending.splice(pending.indexOf(entry), 1);
          entry.resolve();
        }
    },
    waitFor: (until: (text: string) => boolean, seconds: number, what: string): Promise<void> => {
      if (until(read())) return Promise.resolve();
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`${what}: nothing within ${seconds} s`)),
          seconds * 1000,
        );
        pending.push({
          until,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        });
      });
    },
  };
}

/** Opens a Server-Sent Events stream and keeps its text. */
export async function openEventStream(target: SmokeTarget, path: string): Promise<TextStream> {
  const abort = new AbortController();
  const headers: Record<string, string> = { accept: 'text/event-stream' };
  if (target.token) headers.authorization = `Bearer ${target.token}`;
  const response = await fetch(`${target.base}${path}`, { headers, signal: abort.signal });
  if (response.status !== 200 || response.body === null)
    throw new Error(`GET ${path}: expected a 200 event stream, got ${response.status}`);
  let text = '';
  const wait = waiter(() => text);
  const decoder = new TextDecoder();
  void (async () => {
    try {
      for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
        text += decoder.decode(chunk, { stream: true });
        wait.check();
      }
    } catch {
      // Aborted by close(), or the server went away: waitFor times out and says so.
    }
  })();
  return { waitFor: wait.waitFor, close: () => abort.abort() };
}

/** Opens /ws with the test identity (access_token in AUTH_MODE=jwt) and keeps every message. */
export async function openProgressSocket(
  target: SmokeTarget,
): Promise<TextStream & { send(message: object): void }> {
  const url = new URL(`${target.base.replace(/^http/, 'ws')}/ws`);
  if (target.token) url.searchParams.set('access_token', target.token);
  const socket = new WebSocket(url);
  let text = '';
  const wait = waiter(() => text);
  socket.on('message', (data: WebSocket.RawData) => {
    text += `${Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(Array.isArray(data) ? data : [Buffer.from(data)]).toString('utf8')}\n`;
    wait.check();
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', (error) => reject(new Error(`WS /ws: ${error.message}`)));
    socket.once('unexpected-response', (_request, response) =>
      reject(new Error(`WS /ws: upgrade refused with ${response.statusCode}`)),
    );
  });
  return {
    waitFor: wait.waitFor,
    send: (message) => socket.send(JSON.stringify(message)),
    close: () => socket.close(),
  };
}
