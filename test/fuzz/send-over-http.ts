// Sends a fuzz request over a real socket, byte for byte as generated (no URL normalization), and
// hangs up once an event stream's head has arrived, since a stream never ends by itself.
import { request as httpRequest } from 'node:http';
import type { FuzzRequest } from './operation-requests.js';
import type { FuzzResponse } from './response-properties.js';

/**
 * A body goes with a Content-Length, as any client sends one: node:http sends a GET's body unframed,
 * and bytes after a request without a length are the next request's (a malformed one) to a server.
 */
function framed(fuzz: FuzzRequest): FuzzRequest['headers'] {
  const headers = { ...fuzz.headers };
  const named = (name: string) => Object.keys(headers).some((key) => key.toLowerCase() === name);
  if (fuzz.payload !== undefined && !named('content-length') && !named('transfer-encoding'))
    headers['content-length'] = String(Buffer.byteLength(fuzz.payload));
  return headers;
}

export function sendOverHttp(baseUrl: string, fuzz: FuzzRequest, hangMs: number): Promise<FuzzResponse> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest({
      host: hostname,
      port,
      method: fuzz.method,
      path: fuzz.url,
      headers: framed(fuzz),
    });
    outgoing.on('error', reject);
    outgoing.setTimeout(hangMs, () => outgoing.destroy(new Error(`no answer within ${hangMs / 1000} s`)));
    outgoing.on('response', (incoming) => {
      const answer = { statusCode: incoming.statusCode ?? 0, headers: incoming.headers };
      if (String(incoming.headers['content-type']).startsWith('text/event-stream')) {
        outgoing.destroy();
        resolve({ ...answer, body: '' });
        return;
      }
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => resolve({ ...answer, body: Buffer.concat(chunks).toString('utf8') }));
      incoming.on('error', reject);
    });
    outgoing.end(fuzz.payload);
  });
}
