// Blob storage: our fully decorated BlobStore (Azure driver: resilience, SAS cache, quota,
// logs, metrics, audit) against the Azure SDK used directly, on the same Azurite in the same
// run. Upload and download of 1 KB, 1 MB and 100 MB, SAS links per second, list of 100 blobs.
// Ratios are SDK time / our time (1.0 = no overhead; target ≥ 0.8).
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  BlobServiceClient,
  BlobSASPermissions,
  StorageSharedKeyCredential,
  generateBlobSASQueryParameters,
} from '@azure/storage-blob';
import { Registry } from 'prom-client';
import { blobStoreOptionsFromSettings, createBlobStore } from '../src/platform/blob/index.js';
import { createMemoryQuotaStore } from '../src/platform/quota/memory-quota-store.js';
import { createLogger } from '../src/platform/telemetry/logger.js';
import { requestContext } from '../src/platform/telemetry/request-context.js';
import { createArrayAuditLog } from '../test/helpers/fakes.js';
import { cacheOptionsFromSettings } from '../src/platform/cache/cache-options.js';
import { MemoryCache } from '../src/platform/cache/memory-cache.js';
import type { BlobStore } from '../src/platform/blob/blob-store.js';
import { devAccount, startAzurite, type Azurite } from '../test/helpers/azurite.js';
import { multipartHeaders, multipartStream } from '../test/helpers/multipart.js';
import { Agent, request, type IncomingMessage } from 'node:http';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { testSettings } from '../test/helpers/test-settings.js';
import { target } from './support/targets.js';
import { freePort, preciseCpuMicros, rssMb, spawnQuiet, stop, waitForOk } from './support/processes.js';

const cli = fileURLToPath(new URL('../dist/roles/cli.js', import.meta.url));

const threshold = 0.8;

function generated(size: number): Readable {
  const chunk = Buffer.alloc(Math.min(size, 64 * 1024), 7);
  let left = size;
  return new Readable({
    read() {
      if (left === 0) {
        this.push(null);
        return;
      }
      const n = Math.min(left, chunk.length);
      left -= n;
      this.push(n === chunk.length ? chunk : chunk.subarray(0, n));
    },
  });
}

const drain = () =>
  new Writable({
    write(_chunk, _encoding, callback) {
      callback();
    },
  });

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};

interface Comparison {
  oursMs: number;
  sdkMs: number;
  /** CPU ms per call, summed over the iterations: this process's for each side, and the server's. */
  cpu: { ours: number; sdk: number; server: number };
}

/**
 * Runs both sides in alternation (order swapped every iteration) and compares medians, so the
 * noise of a shared machine hits both alike. With `serverPid` (the API's process) the CPU that
 * process spends during our calls is counted too: wall time on a loaded machine is mostly the
 * scheduler's, CPU per call is not.
 */
async function compare(
  iterations: number,
  ours: (i: number) => Promise<void>,
  sdk: (i: number) => Promise<void>,
  serverPid?: number,
): Promise<Comparison> {
  const oursTimes: number[] = [];
  const sdkTimes: number[] = [];
  const cpu = { ours: 0, sdk: 0, server: 0 };
  const serverCpu = () => (serverPid === undefined ? Promise.resolve(0) : preciseCpuMicros(serverPid));
  const measure = async (fn: (i: number) => Promise<void>, i: number, into: number[]) => {
    const serverBefore = fn === ours ? await serverCpu() : 0;
    const before = process.cpuUsage();
    const started = performance.now();
    await fn(i);
    into.push(performance.now() - started);
    const spent = process.cpuUsage(before);
    cpu[fn === ours ? 'ours' : 'sdk'] += (spent.user + spent.system) / 1000;
    if (fn === ours) cpu.server += ((await serverCpu()) - serverBefore) / 1000;
  };
  for (let i = 0; i < iterations; i++) {
    if (i % 2 === 0) {
      await measure(ours, i, oursTimes);
      await measure(sdk, i, sdkTimes);
    } else {
      await measure(sdk, i, sdkTimes);
      await measure(ours, i, oursTimes);
    }
  }
  const per = (ms: number) => ms / iterations;
  return {
    oursMs: median(oursTimes),
    sdkMs: median(sdkTimes),
    cpu: { ours: per(cpu.ours), sdk: per(cpu.sdk), server: per(cpu.server) },
  };
}

function row(label: string, result: Comparison, server = false): void {
  const { oursMs, sdkMs, cpu } = result;
  const ratio = sdkMs / oursMs;
  console.log(
    `${label.padEnd(28)} ours ${oursMs.toFixed(2).padStart(9)} ms  sdk ${sdkMs.toFixed(2).padStart(9)} ms  ratio ${ratio.toFixed(2)}`,
  );
  // CPU per call besides Azurite's (the same for both): the client's, and for the API the server's.
  const ourCpu = server
    ? `client ${cpu.ours.toFixed(2)} + server ${cpu.server.toFixed(2)}`
    : cpu.ours.toFixed(2);
  console.log(`${''.padEnd(28)} cpu ms per call: ours ${ourCpu}, sdk ${cpu.sdk.toFixed(2)}`);
  // Issue 15's targets are the 1 MB and 100 MB transfers and SAS issuance; the rest is context.
  if (/1 MB|100 MB|SAS/.test(label)) console.log(target(`${label}: SDK time / ours`, ratio, threshold));
}

export async function run(args: string[] = []): Promise<void> {
  // `--only=sas`: the SAS comparison alone (seconds instead of minutes), for work on that path;
  // `--only=api`: the files API comparison alone.
  const sasOnly = args.includes('--only=sas');
  const apiOnly = args.includes('--only=api');
  // A child process, so Azurite's work and memory are not counted against either side.
  const azurite = await startAzurite({ mode: 'child' });
  try {
    if (apiOnly) {
      await throughApi(azurite);
      return;
    }
    const discard = new Writable({ write: (_c, _e, cb) => cb() });
    const silent = createLogger({ level: 'silent' });
    const { store } = await createBlobStore(
      blobStoreOptionsFromSettings(
        await testSettings({
          AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString,
          AZURE_STORAGE_CONTAINER: 'bench',
          UPLOAD_QUOTA_MB_PER_HOUR: '1000000',
        }),
      ),
      {
        logger: createLogger({ level: 'info', destination: discard }),
        registry: new Registry(),
        audit: createArrayAuditLog(),
        // The embedded cache driver (the one a single process runs with), not a test fake.
        cache: new MemoryCache(cacheOptionsFromSettings(await testSettings({})), { logger: silent }),
        quota: createMemoryQuotaStore(),
      },
    );
    const service = BlobServiceClient.fromConnectionString(azurite.connectionString);
    const sdk = service.getContainerClient('bench-sdk');
    await sdk.createIfNotExists();
    const ours = (name: string) => ({ container: 'bench', name });
    const context = { correlationId: 'bench', principalId: 'bench-user', clientIp: '127.0.0.1' };

    await requestContext.run(context, async () => {
      if (sasOnly) {
        await sasLinks(store);
        return;
      }
      // Warm-up: connections, JIT, container creation.
      for (let i = 0; i < 20; i++) {
        await store.upload(ours('warm'), Buffer.alloc(1024));
        await sdk.getBlockBlobClient('warm').uploadData(Buffer.alloc(1024));
      }

      const sizes: [string, number, number][] = [
        ['1 KB', 1024, 300],
        ['1 MB', 1024 * 1024, 40],
        ['100 MB', 100 * 1024 * 1024, 3],
      ];
      for (const [label, size, iterations] of sizes) {
        const body = size <= 1024 * 1024 ? Buffer.alloc(size, 3) : undefined;
        const upload = (i: number) =>
          body === undefined
            ? store.upload(ours(`up-${label}-${i % 4}`), generated(size)).then(() => undefined)
            : store.upload(ours(`up-${label}-${i % 4}`), body).then(() => undefined);
        const sdkUpload = (i: number) =>
          body === undefined
            ? sdk
                .getBlockBlobClient(`up-${label}-${i % 4}`)
                .uploadStream(generated(size), 4 * 1024 * 1024, 4)
                .then(() => undefined)
            : sdk
                .getBlockBlobClient(`up-${label}-${i % 4}`)
                .uploadData(body)
                .then(() => undefined);
        row(`upload ${label}`, await compare(iterations, upload, sdkUpload));

        const download = async () => {
          const { stream } = await store.download(ours(`up-${label}-0`));
          await pipeline(stream, drain());
        };
        const sdkDownload = async () => {
          const response = await sdk.getBlockBlobClient(`up-${label}-0`).download();
          if (response.readableStreamBody !== undefined) await pipeline(response.readableStreamBody, drain());
        };
        row(`download ${label}`, await compare(iterations, download, sdkDownload));
      }

      await sasLinks(store);

      for (let i = 0; i < 100; i++) {
        await store.upload(ours(`list/${String(i).padStart(3, '0')}`), Buffer.from('x'));
        await sdk.getBlockBlobClient(`list/${String(i).padStart(3, '0')}`).uploadData(Buffer.from('x'));
      }
      const ourList = async () => {
        const page = await store.list('bench', { prefix: 'list/', pageSize: 100 });
        if (page.items.length !== 100) throw new Error(`listed ${page.items.length}`);
      };
      const sdkList = async () => {
        const page = await sdk
          .listBlobsFlat({ prefix: 'list/', includeMetadata: true })
          .byPage({ maxPageSize: 100 })
          .next();
        if (page.done === true || page.value.segment.blobItems.length !== 100) throw new Error('list failed');
      };
      row('list 100 blobs', await compare(40, ourList, sdkList));
    });
    if (!sasOnly) await throughApi(azurite);
  } finally {
    await azurite.close();
  }
}

/** CPU microseconds per call of `fn` over `count` calls (wall time on a shared machine is mostly waiting). */
async function cpuPerCall(count: number, start: number, fn: (i: number) => unknown) {
  const before = process.cpuUsage();
  for (let i = 0; i < count; i++) await fn(start + i);
  const spent = process.cpuUsage(before);
  return (spent.user + spent.system) / count;
}

/**
 * SAS links: fresh ones (every name new, so every link is signed, cached, logged, audited and
 * counted) against `generateBlobSASQueryParameters(…).toString()`, in alternating batches in this
 * process; the figure is CPU time per link (median of the batches after a warm-up), since on a
 * shared machine the wall time of a 10 µs call is mostly the scheduler's.
 */
async function sasLinks(store: BlobStore): Promise<void> {
  const credential = new StorageSharedKeyCredential(devAccount.name, devAccount.key);
  const sdkLink = (i: number) =>
    generateBlobSASQueryParameters(
      {
        containerName: 'bench-sdk',
        blobName: `sas-${i}`,
        permissions: BlobSASPermissions.parse('r'),
        expiresOn: new Date(Date.now() + 86_400_000),
      },
      credential,
    ).toString();
  const ourLink = (i: number) =>
    store.sasUrl({ container: 'bench', name: `sas-${i}` }, { permissions: 'r', expiresInSeconds: 86_400 });
  const batch = 500;
  const rounds = 40;
  const warmUp = 5;
  const sdkUs: number[] = [];
  const oursUs: number[] = [];
  for (let round = 0, next = 0; round < rounds; round++, next += batch) {
    // Order swapped every round, so neither side always runs right after the other's garbage.
    const first = round % 2 === 0;
    const a = await cpuPerCall(batch, next, first ? ourLink : sdkLink);
    const b = await cpuPerCall(batch, next, first ? sdkLink : ourLink);
    if (round < warmUp) continue;
    (first ? oursUs : sdkUs).push(a);
    (first ? sdkUs : oursUs).push(b);
  }
  const cached = await cpuPerCall(5000, 0, () =>
    store.sasUrl({ container: 'bench', name: 'sas-0' }, { permissions: 'r', expiresInSeconds: 86_400 }),
  );
  const sdk = median(sdkUs);
  const fresh = median(oursUs);
  console.log(
    `SAS link CPU per link        ours fresh ${fresh.toFixed(1)} µs, ours cached ${cached.toFixed(1)} µs, sdk ${sdk.toFixed(1)} µs`,
  );
  console.log(target('SAS link (fresh, signed): SDK CPU time / ours', sdk / fresh, threshold));
}

/** `azimuth api` on its own process, with the files module on Azurite (as Azurite is for the SDK). */
async function startFilesApi(azurite: Azurite): Promise<{ child: ChildProcess; port: number }> {
  const port = await freePort();
  const child = spawnQuiet([cli, 'api'], {
    ENVIRONMENT: 'test',
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    DATA_DIR: mkdtempSync(join(tmpdir(), 'azimuth-bench-files-')),
    AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString,
    MAX_UPLOAD_MB: '128',
    UPLOAD_QUOTA_MB_PER_HOUR: '1000000',
    API_RATE_LIMIT_GLOBAL: '1000000000',
    API_RATE_LIMIT_TIMES: '1000000000',
    UPLOAD_RATE_LIMIT_MAX_REQUESTS: '1000000000',
  });
  await waitForOk(`http://127.0.0.1:${port}/health/readiness`, performance.now(), 120_000);
  return { child, port };
}

/** Resolves when the response has been read to its end with the expected status. */
function consume(expected: number, what: string, resolve: () => void, reject: (error: Error) => void) {
  return (res: IncomingMessage) => {
    res.resume();
    res.on('error', reject);
    res.on('end', () =>
      res.statusCode === expected ? resolve() : reject(new Error(`${what} ${res.statusCode ?? 0}`)),
    );
  };
}

/** Samples a process's RSS every 20 ms until stopped; the stop returns the rise over its starting value. */
async function rssRise(pid: number): Promise<() => number> {
  const before = await rssMb(pid);
  let peak = before;
  const sampler = setInterval(() => void rssMb(pid).then((mb) => (peak = Math.max(peak, mb))), 20);
  return () => {
    clearInterval(sampler);
    return peak - before;
  };
}

/**
 * The files API (Fastify, multipart, every decorator, on its own process) against the SDK used
 * directly: the bench process is the client of both, over node:http, so each side pays the same
 * client cost and the server's work is what differs.
 */
async function throughApi(azurite: Azurite): Promise<void> {
  console.log('\nthrough the HTTP API (POST /api/files, GET /api/files/{name}) vs the SDK direct');
  const api = await startFilesApi(azurite);
  try {
    const sdk = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(
      'bench-api-sdk',
    );
    await sdk.createIfNotExists();
    const agent = new Agent({ keepAlive: true });
    const server = { host: '127.0.0.1', port: api.port, agent };
    const post = (name: string, size: number) =>
      new Promise<void>((resolve, reject) => {
        const req = request(
          { ...server, method: 'POST', path: '/api/files', headers: multipartHeaders },
          consume(201, 'upload', resolve, reject),
        );
        req.on('error', reject);
        multipartStream({ size, fields: { name } }).pipe(req);
      });
    const get = (name: string) =>
      new Promise<void>((resolve, reject) => {
        request({ ...server, path: `/api/files/${name}` }, consume(200, 'download', resolve, reject))
          .on('error', reject)
          .end();
      });
    for (let i = 0; i < 20; i++) await post('warm', 1024);
    const sizes: [string, number, number][] = [
      ['1 KB', 1024, 200],
      ['1 MB', 1024 * 1024, 30],
      ['100 MB', 100 * 1024 * 1024, 3],
    ];
    for (const [label, size, iterations] of sizes) {
      const body = size <= 1024 * 1024 ? Buffer.alloc(size, 0x61) : undefined;
      const name = `api-${label.replace(' ', '')}`;
      const sdkUpload = () =>
        (body === undefined
          ? sdk.getBlockBlobClient(name).uploadStream(generated(size), 4 * 1024 * 1024, 4)
          : sdk.getBlockBlobClient(name).uploadData(body)
        ).then(() => undefined);
      const rise = await rssRise(api.child.pid ?? 0);
      row(
        `API upload ${label}`,
        await compare(iterations, () => post(name, size), sdkUpload, api.child.pid),
        true,
      );
      const riseMb = rise();
      if (size >= 100 * 1024 * 1024) {
        console.log(
          target('API process RSS rise during 100 MB uploads', riseMb, 64, {
            unit: ' MB',
            below: true,
            digits: 1,
          }),
        );
      }
      const sdkDownload = async () => {
        const response = await sdk.getBlockBlobClient(name).download();
        if (response.readableStreamBody !== undefined) await pipeline(response.readableStreamBody, drain());
      };
      row(
        `API download ${label}`,
        await compare(iterations, () => get(name), sdkDownload, api.child.pid),
        true,
      );
    }
    agent.destroy();
  } finally {
    await stop(api.child);
  }
}
