// Sends a fuzz request over a real socket, byte for byte as generated (no URL normalization), and
// hangs up once an event stream's head has arrived, since a stream never ends by itself.
import { request as httpRequest } from 'node:http';
import type { FuzzRequest } from './operation-requests.js';
import type { FuzzResponse } from './response-properties.js';

export function sendOverHttp(baseUrl: string, fuzz: FuzzRequest, hangMs: number): Promise<FuzzResponse> {
  const { hostname, port } = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest({
      host: hostname,
      port,
      method: fuzz.method,
      path: fuzz.url,
      headers: fuzz.headers,
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
