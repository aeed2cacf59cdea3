// A process killed mid-upload leaves its half-written file in `{DATA_DIR}/blobs/.tmp`: the next
// start sweeps it (and so does the periodic sweep), while an upload still running is left alone.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blobStoreOptionsFromSettings, createBlobStore } from '../../../src/platform/blob/index.js';
import { createMemoryQuotaStore } from '../../../src/platform/quota/memory-quota-store.js';
import { createArrayAuditLog, createCapturingLogger, createMapCache } from '../../helpers/fakes.js';
import { testSettings } from '../../helpers/test-settings.js';

/** A process that starts an upload to the disk store under `root` and never finishes its body. */
const crashingUploader = (root: string) => `
  import { PassThrough } from 'node:stream';
  import { createDiskBlobStore } from ${JSON.stringify(new URL('../../../src/platform/blob/disk-blob-store.ts', import.meta.url).pathname)};
  const store = createDiskBlobStore({ root: ${JSON.stringify(root)}, defaultContainer: 'azimuth', signingKey: Buffer.alloc(32), publicBaseUrl: 'http://x' });
  const body = new PassThrough();
  void store.upload({ container: 'azimuth', name: 'half.bin' }, body);
  body.write(Buffer.alloc(65536, 1));
  setInterval(() => undefined, 1000);
`;

async function openBundle(dataDir: string) {
  return createBlobStore(
    blobStoreOptionsFromSettings(
      await testSettings({ DATA_DIR: dataDir, AZURE_STORAGE_CONTAINER: 'azimuth' }),
    ),
    {
      logger: createCapturingLogger().logger,
      registry: new Registry(),
      audit: createArrayAuditLog(),
      cache: createMapCache(),
      quota: createMemoryQuotaStore(),
    },
  );
}

describe('temporary upload files of the disk store', () => {
  let dataDir: string;
  const tmp = () => readdir(join(dataDir, 'blobs', '.tmp')).catch(() => [] as string[]);

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'azimuth-upload-temp-'));
  });
  afterAll(() => rm(dataDir, { recursive: true, force: true }));

  it('when a process dies mid-upload, then the next start removes its file and keeps a live one', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', crashingUploader(join(dataDir, 'blobs'))],
      { stdio: 'ignore' },
    );
    try {
      await expect.poll(async () => (await tmp()).length, { timeout: 20_000 }).toBeGreaterThan(0);
    } finally {
      child.kill('SIGKILL');
      await once(child, 'exit').catch(() => undefined);
    }
    const left = await tmp();
    expect(left.length).toBeGreaterThan(0);

    // An upload of this process, still in progress, while the next store starts.
    const first = await openBundle(dataDir);
    const body = new PassThrough();
    const uploading = first.store.upload({ container: 'azimuth', name: 'live.bin' }, body);
    body.write(Buffer.alloc(1024, 2));
    await expect.poll(async () => (await tmp()).filter((n) => !left.includes(n)).length).toBe(1);

    const second = await openBundle(dataDir);
    try {
      const now = await tmp();
      expect(now.filter((name) => left.includes(name))).toEqual([]);
      expect(now).toHaveLength(1);
      body.end(Buffer.alloc(1024, 3));
      expect((await uploading).size).toBe(2048);
      expect(await tmp()).toEqual([]);
    } finally {
      first.close();
      second.close();
    }
  });
});
