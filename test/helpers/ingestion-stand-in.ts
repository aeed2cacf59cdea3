// A local stand-in for the Application Insights ingestion endpoint: accepts what the Azure
// Monitor exporter posts to /v2.1/track (a gzipped JSON array of envelopes) and keeps it, so a
// test can point a connection string's IngestionEndpoint at it and see every kind of telemetry.
// HTTPS with a throwaway self-signed certificate: the exporter rewrites http:// endpoints to
// https://, so the process under test must trust `caFile` (NODE_EXTRA_CA_CERTS).
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';

export interface Envelope {
  name: string;
  iKey?: string;
  tags?: Record<string, string>;
  data: { baseType: string; baseData: Record<string, unknown> };
}

export interface IngestionStandIn {
  /** `InstrumentationKey=…;IngestionEndpoint=https://127.0.0.1:{port}/` */
  connectionString: string;
  /** The certificate to trust (NODE_EXTRA_CA_CERTS). */
  caFile: string;
  envelopes(): Envelope[];
  /** Every request body as received (decompressed text), to search for secrets. */
  rawBodies(): string[];
  close(): Promise<void>;
}

export const standInInstrumentationKey = '00000000-0000-4000-8000-00000000a2b1';

export async function startIngestionStandIn(): Promise<IngestionStandIn> {
  const envelopes: Envelope[] = [];
  const bodies: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'ingestion-'));
  const [key, cert] = [join(dir, 'key.pem'), join(dir, 'cert.pem')];
  execFileSync(
    'openssl',
    [
      ...['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1'],
      ...['-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert],
    ],
    { stdio: 'ignore' },
  );
  const tls = { key: readFileSync(key), cert: readFileSync(cert) };
  const server: Server = createServer(tls, (request, response) => {
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
    connectionString: `InstrumentationKey=${standInInstrumentationKey};IngestionEndpoint=https://127.0.0.1:${port}/`,
    caFile: cert,
    envelopes: () => [...envelopes],
    rawBodies: () => [...bodies],
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        });
      }),
  };
}
