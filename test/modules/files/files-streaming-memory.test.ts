// Streaming proof through the API: 100 MiB uploaded as multipart over a real socket and
// downloaded back, with the process's peak RSS growth far below the file's size.
import { get, request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAzurite, type Azurite } from '../../helpers/azurite.js';
import { multipartHeaders, multipartStream } from '../../helpers/multipart.js';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';
import { peakRssGrowth } from '../../helpers/memory.js';

const size = 100 * 1024 * 1024;
const maxGrowth = 64 * 1024 * 1024;

async function roundTrip(fixture: TestApp): Promise<void> {
  await fixture.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = fixture.app.server.address() as AddressInfo;
  let status = 0;
  let uploaded = '';
  const uploadGrowth = await peakRssGrowth(async () => {
    await new Promise<void>((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: '/api/files',
          headers: multipartHeaders,
          agent: false,
        },
        (res) => {
          status = res.statusCode ?? 0;
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => (uploaded += chunk));
          res.on('end', resolve);
        },
      );
      req.on('error', reject);
      multipartStream({ size, fields: { name: 'big/through-api.bin' } }).pipe(req);
    });
  });
  expect(status, uploaded).toBe(201);
  expect(JSON.parse(uploaded)).toMatchObject({ name: 'big/through-api.bin', size });

  let received = 0;
  const downloadGrowth = await peakRssGrowth(async () => {
    // agent: false, so no keep-alive socket outlives the test and delays the server's close.
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      get({ host: '127.0.0.1', port, path: '/api/files/big/through-api.bin', agent: false }, resolve).on(
        'error',
        reject,
      );
    });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-length']).toBe(String(size));
    await pipeline(
      response,
      new Writable({
        write(chunk: Buffer, _encoding, callback) {
          received += chunk.length;
          callback();
        },
      }),
    );
  });
  expect(received).toBe(size);
  console.log(
    `API rss growth upload ${(uploadGrowth / 1048576).toFixed(1)} MiB, download ${(downloadGrowth / 1048576).toFixed(1)} MiB`,
  );
  expect(uploadGrowth).toBeLessThan(maxGrowth);
  expect(downloadGrowth).toBeLessThan(maxGrowth);
}

describe('100 MiB through the files API', () => {
  let azurite: Azurite;
  beforeAll(async () => {
    azurite = await startAzurite({ mode: 'child' });
  });
  afterAll(async () => {
    await azurite.close();
  });
  const env = { MAX_UPLOAD_MB: '128', UPLOAD_QUOTA_MB_PER_HOUR: '1000' };

  it('when the driver is disk, then neither direction holds the file in memory', async () => {
    const fixture = await buildTestApp({ modules: ['files'], env: env });
    try {
      await roundTrip(fixture);
    } finally {
      await fixture.close();
    }
  });

  it('when the driver is azure, then neither direction holds the file in memory', async () => {
    const fixture = await buildTestApp({
      modules: ['files'],
      env: {
        ...env,
        AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString,
      },
    });
    try {
      await roundTrip(fixture);
    } finally {
      await fixture.close();
    }
  });
});
