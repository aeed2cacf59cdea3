// A bare TCP client for tests that must send HTTP a byte at a time, stop mid-request (a stalled
// upload, a slowloris), and read exactly what the server answers before it closes the connection.
import { connect, type Socket } from 'node:net';

export interface RawAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export interface RawConnection {
  socket: Socket;
  write(data: string | Buffer): void;
  /** Resolves when the server closes the connection, with what it sent (undefined: nothing). */
  closed: Promise<RawAnswer | undefined>;
}

export function rawConnection(baseUrl: string): Promise<RawConnection> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port) });
    socket.once('error', reject);
    socket.once('connect', () => {
      socket.off('error', reject);
      // A reset after the answer still ends the exchange; 'close' reports what arrived.
      socket.on('error', () => undefined);
      const chunks: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      const closed = new Promise<RawAnswer | undefined>((done) => {
        socket.once('close', () => done(parseAnswer(Buffer.concat(chunks).toString('latin1'))));
      });
      resolve({ socket, write: (data) => socket.write(data), closed });
    });
  });
}

function parseAnswer(text: string): RawAnswer | undefined {
  if (text === '') return undefined;
  const [head = '', ...rest] = text.split('\r\n\r\n');
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  const body = rest.join('\r\n\r\n');
  return { status: Number(statusLine.split(' ')[1]), headers, body: dechunk(body, headers) };
}

function dechunk(body: string, headers: Record<string, string>): string {
  if (headers['transfer-encoding'] !== 'chunked') return body;
  let out = '';
  let rest = body;
  for (;;) {
    const eol = rest.indexOf('\r\n');
    const size = parseInt(rest.slice(0, eol), 16);
    if (!(size > 0)) return out;
    out += rest.slice(eol + 2, eol + 2 + size);
    rest = rest.slice(eol + 2 + size + 2);
  }
}

/** The head of a POST whose body the test then writes itself (Content-Length promises more). */
export function requestHead(path: string, headers: Record<string, string | number>): string {
  const lines = Object.entries({ host: 'localhost', ...headers }).map(([name, value]) => `${name}: ${value}`);
  return `POST ${path} HTTP/1.1\r\n${lines.join('\r\n')}\r\n\r\n`;
}
