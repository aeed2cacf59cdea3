// One process of the SSE fan-out bench's clients: opens its share of the streams, then for each
// round records when each of its sockets received the round's create event, on a clock every
// process on the machine shares (performance.timeOrigin + performance.now(), epoch ms). Real
// clients are on other machines: several processes keep one event loop reading 10,000 sockets from
// being what the bench measures. Started with fork() (IPC, `serialization: 'advanced'`).
import { connect, type Socket } from 'node:net';

/** What the process is given, as JSON in its first argument. */
export interface ClientWorkerData {
  port: number;
  count: number;
}

/** Bench → client process: start recording a round. Back: opened, a round's receipts, or a failure. */
export interface ToWorker {
  type: 'round';
}
export type FromWorker =
  { type: 'opened' } | { type: 'received'; at: Float64Array } | { type: 'failed'; message: string };

const { port, count } = JSON.parse(process.argv[2] ?? '{}') as ClientWorkerData;
const send = (message: FromWorker) => process.send?.(message);
const createMarker = Buffer.from('"type":"create"');
// Every socket reads into this one buffer: the callback runs synchronously and keeps nothing of it,
// so a read allocates nothing (this process's clients cost their reads, not garbage collection).
const readBuffer = Buffer.alloc(64 * 1024);

const sockets: Socket[] = [];
const receivedAt = new Float64Array(count);
let pending = 0;
let closing = false;

function openClient(index: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let connected = false;
    let head = '';
    const socket = connect({
      port,
      host: '127.0.0.1',
      onread: {
        buffer: readBuffer,
        callback: (length) => {
          const bytes = readBuffer.subarray(0, length);
          if (!connected) {
            // Wait for the `connected` comment: the stream is open and subscribed.
            head += bytes.toString('latin1');
            if (!head.includes(': connected')) return true;
            connected = true;
            head = '';
            resolve();
            return true;
          }
          // Each frame is one small write, so it arrives in one read on loopback.
          if (Number.isNaN(receivedAt[index]) && bytes.includes(createMarker)) {
            receivedAt[index] = performance.timeOrigin + performance.now();
            if (--pending === 0) send({ type: 'received', at: receivedAt.slice() });
          }
          return true;
        },
      },
    });
    socket.setNoDelay(true);
    socket.once('error', reject);
    // A refusal (a cap, an error status) ends the socket before `connected`; a stream that ends
    // later would never receive a round. Either fails the bench loudly instead of hanging it.
    socket.once('close', () => {
      if (!connected) reject(new Error(`stream refused before it connected: ${head.slice(0, 200)}`));
      else if (!closing) send({ type: 'failed', message: 'a stream closed during the bench' });
    });
    socket.write(
      `GET /events/stars/stream HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nAccept: text/event-stream\r\n\r\n`,
    );
    sockets.push(socket);
  });
}

process.on('message', (_message: ToWorker) => {
  receivedAt.fill(NaN);
  pending = count;
});
// The bench stops this process when it is done; its sockets closing then is no failure.
process.once('SIGTERM', () => {
  closing = true;
  process.exit(0);
});

try {
  for (let i = 0; i < count; i += 250) {
    const batch = Math.min(250, count - i);
    await Promise.all(Array.from({ length: batch }, (_, j) => openClient(i + j)));
  }
  send({ type: 'opened' });
} catch (error) {
  send({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
}
