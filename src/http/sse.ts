// Server-Sent Events on a hijacked Fastify reply: the head (with the headers hooks already set,
// which hijack would otherwise drop), frames, a guard that drops a client too slow to read, the
// per-client cap on open streams, and an end that tells the client to reconnect.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { errors } from '../platform/errors/app-error.js';

export interface SseFrame {
  /** Becomes the `id:` line (what the client sends back as Last-Event-ID). */
  id?: string;
  /** Omitted: the default `message` event. */
  event?: string;
  /** Sent as one `data:` line per line of text. */
  data: string;
}

/** Serializes one event; do it once per event and write the string to every client. */
export function sseFrame(frame: SseFrame): string {
  let text = '';
  if (frame.id !== undefined) text += `id: ${frame.id.replace(/[\r\n]/g, '')}\n`;
  if (frame.event !== undefined) text += `event: ${frame.event.replace(/[\r\n]/g, '')}\n`;
  for (const line of frame.data.split(/\r\n|\r|\n/)) text += `data: ${line}\n`;
  return `${text}\n`;
}

/** A comment line: ignored by clients, keeps proxies and load balancers from timing out. */
export function sseComment(text: string): string {
  return `: ${text.replace(/[\r\n]/g, ' ')}\n\n`;
}

/** The client id to resume after: the `Last-Event-ID` header, else a query value (for clients that cannot set headers). */
export function lastEventIdOf(request: FastifyRequest, queryValue: string | undefined): string | undefined {
  const header = request.headers['last-event-id'];
  const value = typeof header === 'string' && header !== '' ? header : queryValue;
  return value === undefined || value === '' ? undefined : value;
}

/**
 * One event's bytes, made once and written to every stream: the SSE text, and the same text as one
 * HTTP/1.1 chunk (size line, bytes, CRLF) that a stream can hand its socket in a single write.
 */
export class SsePayload {
  readonly bytes: Buffer;
  readonly chunk: Buffer;

  constructor(text: string) {
    this.bytes = Buffer.from(text);
    this.chunk = Buffer.concat([
      Buffer.from(`${this.bytes.length.toString(16)}\r\n`, 'latin1'),
      this.bytes,
      Buffer.from('\r\n', 'latin1'),
    ]);
  }
}

export interface SseConnection {
  readonly closed: boolean;
  /**
   * Writes a prepared frame; false (and the stream closes) when the client stopped reading.
   * Fan-out passes one payload to every client: encoding and chunk-framing the text once instead
   * of once per socket, and one socket write per client instead of Node's four (size, CRLF,
   * bytes, CRLF, corked until the next tick), are most of the server's share at 10,000 streams.
   */
  write(payload: SsePayload): boolean;
  /** Ends the stream with a short, jittered `retry:` so clients reconnect soon, spread out; idempotent. */
  close(): void;
  /** Runs once when the stream ends for any reason (client gone, close(), server shutdown). */
  onClose(callback: () => void): void;
}

export interface OpenSseOptions {
  /** Bytes a client may leave unread before it is dropped (default 1 MiB). */
  maxBufferedBytes?: number;
  /** The first thing sent: tells EventSource how long to wait before reconnecting. */
  retryMs?: number;
}

/** Reconnect delays a closing stream suggests: spread, so a draining instance's clients do not return at once. */
const reconnectMinMs = 500;
const reconnectSpreadMs = 2000;

/** Hijacks the reply and writes the head (with what hooks set) and the `retry:` and `connected` lines. */
function writeHead(request: FastifyRequest, reply: FastifyReply, retryMs: number): void {
  reply.hijack();
  const socket = request.raw.socket;
  // A stream is idle between events by design; the heartbeat, not a timeout, detects dead peers.
  socket.setTimeout(0);
  socket.setNoDelay(true);
  socket.setKeepAlive(true);

  const headers: Record<string, string | number | string[]> = {};
  for (const [name, value] of Object.entries(reply.getHeaders())) {
    if (value !== undefined) headers[name] = value;
  }
  delete headers['content-length'];
  delete headers['content-encoding'];
  reply.raw.writeHead(200, {
    ...headers,
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    'x-accel-buffering': 'no',
    connection: 'keep-alive',
  });
  reply.raw.write(`retry: ${retryMs}\n${sseComment('connected')}`);
}

/**
 * Takes over the reply and writes the SSE head. Never compressed and never buffered by proxies
 * (`no-transform`, `X-Accel-Buffering: no`). The caller must not use `reply` afterwards. Throws
 * 429 (before taking over) when the client already holds as many streams as it may.
 */
export function openSseStream(
  request: FastifyRequest,
  reply: FastifyReply,
  options: OpenSseOptions = {},
): SseConnection {
  const maxBuffered = options.maxBufferedBytes ?? 1024 * 1024;
  const slots = request.server.streamSlots;
  const release = slots.take(request);
  if (release === undefined)
    throw errors.tooManyRequests(
      `A client may hold ${slots.maxPerClient} event streams and WebSockets open at once; close one first.`,
      5,
    );
  writeHead(request, reply, options.retryMs ?? 3000);
  const raw = reply.raw;
  const socket = request.raw.socket;
  // Once the head is with the socket, Node holds nothing of this response back (it would for a
  // response queued behind an earlier pipelined one), so prepared chunks written straight to the
  // socket keep the body valid chunked HTTP/1.1, and the end Node writes follows them in order.
  const direct = raw.chunkedEncoding && raw.writableLength === socket.writableLength;

  let closed = false;
  const callbacks: Array<() => void> = [];
  const finish = () => {
    if (closed) return;
    closed = true;
    release();
    for (const callback of callbacks.splice(0)) callback();
  };
  raw.once('close', finish);
  raw.once('error', finish);

  return {
    get closed() {
      return closed;
    },
    write(payload) {
      if (closed) return false;
      if (direct) socket.write(payload.chunk);
      else raw.write(payload.bytes);
      if (raw.writableLength > maxBuffered) {
        raw.destroy();
        finish();
        return false;
      }
      return true;
    },
    close() {
      if (closed) return;
      raw.end(`retry: ${reconnectMinMs + Math.floor(Math.random() * reconnectSpreadMs)}\n\n`);
      finish();
    },
    onClose(callback) {
      if (closed) callback();
      else callbacks.push(callback);
    },
  };
}
