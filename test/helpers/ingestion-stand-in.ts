// A local stand-in for the Application Insights ingestion endpoint: accepts what the Azure
// Monitor exporter posts to /v2.1/track (a gzipped JSON array of envelopes) and keeps it, so a
// test can point a connection string's IngestionEndpoint at it and see every kind of telemetry.
import { createServer, type Server } from 'node:http';
import { gunzipSync } from 'node:zlib';

export interface Envelope {
  name: string;
  iKey?: string;
  tags?: Record<string, string>;
  data: { baseType: string; baseData: Record<string, unknown> };
}

export interface IngestionStandIn {
  /** `InstrumentationKey=…;IngestionEndpoint=http://127.0.0.1:{port}/` */
  connectionString: string;
  envelopes(): Envelope[];
  /** Every request body as received (decompressed text), to search for secrets. */
  rawBodies(): string[];
  close(): Promise<void>;
}

export const standInInstrumentationKey = '00000000-0000-4000-8000-00000000a2b1';

export async function startIngestionStandIn(): Promise<IngestionStandIn> {
  const envelopes: Envelope[] = [];
  const bodies: string[] = [];
  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const raw = Buffer.concat(chunks);
      const text = (request.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
      bodies.push(text);
      let received = 0;
      if (request.method === 'POST' && request.url?.startsWith('/v2.1/track') === true) {
        // A JSON array, or newline-delimited envelopes.
        const parsed = text.trimStart().startsWith('[')
          ? (JSON.parse(text) as Envelope[])
          : text
              .split('\n')
              .filter(Boolean)
              .map((line) => JSON.parse(line) as Envelope);
        envelopes.push(...parsed);
        received = parsed.length;
      }
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ itemsReceived: received, itemsAccepted: received, errors: [] }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    connectionString: `InstrumentationKey=${standInInstrumentationKey};IngestionEndpoint=http://127.0.0.1:${port}/`,
    envelopes: () => [...envelopes],
    rawBodies: () => [...bodies],
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
