// Streaming proof: ~96 MB generated on the fly goes through the fully decorated BlobStore (and
// back) without the process holding it: peak RSS growth stays far below the blob's size.
// Azurite runs as a child process here so its own copy of the bytes is not in our RSS.
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  blobStoreOptionsFromSettings,
  createBlobStore,
  type BlobStore,
} from '../../../src/platform/blob/index.js';
import { createMemoryQuotaStore } from '../../../src/platform/quota/memory-quota-store.js';
import { startAzurite, type Azurite } from '../../helpers/azurite.js';
import { createArrayAuditLog, createCapturingLogger, createMapCache } from '../../helpers/fakes.js';
import { peakRssGrowth } from '../../helpers/memory.js';
import { testSettings } from '../../helpers/test-settings.js';

const chunkSize = 64 * 1024;
const chunks = 1536; // 96 MiB
const total = chunkSize * chunks;
/** Generous: the blob is 96 MiB; a buffering implementation would grow by at least that. */
const maxGrowth = 64 * 1024 * 1024;

function generated(hash: ReturnType<typeof createHash>): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent === chunks) {
        this.push(null);
        return;
      }
      const chunk = Buffer.alloc(chunkSize, sent % 251);
      chunk.writeUInt32BE(sent, 0);
      hash.update(chunk);
      sent++;
      this.push(chunk);
    },
  });
}

async function settingsFor(dataDir: string, connectionString?: string) {
  return blobStoreOptionsFromSettings(
    await testSettings({
      DATA_DIR: dataDir,
      AZURE_STORAGE_CONTAINER: 'stream',
      ...(connectionString === undefined ? {} : { AZURE_STORAGE_CONNECTION_STRING: connectionString }),
    }),
  );
}

async function proveStreaming(store: BlobStore): Promise<void> {
  const ref = { container: 'stream', name: 'big/stream.bin' };
  const sent = createHash('sha256');
  const uploadGrowth = await peakRssGrowth(async () => {
    const properties = await store.upload(ref, generated(sent), { contentType: 'application/octet-stream' });
    expect(properties.size).toBe(total);
  });
  const received = createHash('sha256');
  let bytes = 0;
  const downloadGrowth = await peakRssGrowth(async () => {
    const download = await store.download(ref);
    await pipeline(
      download.stream,
      new Writable({
        write(chunk: Buffer, _encoding, callback) {
          bytes += chunk.length;
          received.update(chunk);
          callback();
        },
      }),
    );
  });
  expect(bytes).toBe(total);
  expect(received.digest('hex')).toBe(sent.digest('hex'));
  console.log(
    `rss growth upload ${(uploadGrowth / 1048576).toFixed(1)} MiB, download ${(downloadGrowth / 1048576).toFixed(1)} MiB`,
  );
  expect(uploadGrowth).toBeLessThan(maxGrowth);
  expect(downloadGrowth).toBeLessThan(maxGrowth);
}

const deps = () => ({
  logger: createCapturingLogger().logger,
  registry: new Registry(),
  audit: createArrayAuditLog(),
  cache: createMapCache(),
  quota: createMemoryQuotaStore(),
});

describe('streaming a 96 MiB blob through the decorated BlobStore', () => {
  let dataDir: string;
  let azurite: Azurite;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'azimuth-stream-'));
    azurite = await startAzurite({ mode: 'child' });
  });
  afterAll(async () => {
    await azurite.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('when the driver is disk, then peak RSS growth stays under 64 MiB both ways', async () => {
    const { store } = await createBlobStore(await settingsFor(dataDir), deps());
    await proveStreaming(store);
  });

  it('when the driver is azure, then peak RSS growth stays under 64 MiB both ways', async () => {
    const { store } = await createBlobStore(await settingsFor(dataDir, azurite.connectionString), deps());
    await proveStreaming(store);
  });
});
