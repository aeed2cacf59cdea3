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

/** Runs `fn` while sampling RSS; returns the peak growth over the RSS at the start. */
async function peakRssGrowth(fn: () => Promise<void>): Promise<number> {
  const start = process.memoryUsage().rss;
  let peak = start;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 10);
  try {
    await fn();
  } finally {
    clearInterval(timer);
  }
  return Math.max(peak, process.memoryUsage().rss) - start;
}

function settingsFor(dataDir: string, connectionString?: string) {
  return blobStoreOptionsFromSettings({
    AZURE_STORAGE_CONNECTION_STRING: connectionString,
    AZURE_STORAGE_USE_MANAGED_IDENTITY: false,
    AZURE_STORAGE_CONTAINER: 'stream',
    DATA_DIR: dataDir,
    PORT: 8080,
    BLOB_SAS_TTL_SECONDS: 86_400,
    BLOB_SAS_CACHE_SECONDS: 82_800,
    UPLOAD_QUOTA_MB_PER_HOUR: 100,
    STORAGE_TIMEOUT_MS: 30_000,
    STORAGE_RETRY_ATTEMPTS: 3,
    STORAGE_RETRY_BASE_MS: 1000,
    STORAGE_RETRY_MAX_DELAY_MS: 30_000,
    STORAGE_BREAKER_THRESHOLD: 5,
    STORAGE_BREAKER_HALF_OPEN_MS: 60_000,
  });
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
    const { store } = await createBlobStore(settingsFor(dataDir), deps());
    await proveStreaming(store);
  });

  it('when the driver is azure, then peak RSS growth stays under 64 MiB both ways', async () => {
    const { store } = await createBlobStore(settingsFor(dataDir, azurite.connectionString), deps());
    await proveStreaming(store);
  });
});
