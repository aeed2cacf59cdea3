// One rule for a dependency outage, proven per module: cut the module's dependency with the TCP
// proxy during requests, then the answer is 503 problem+json with Retry-After naming the
// dependency; restore it, then the module answers again by itself.
import { randomBytes } from 'node:crypto';
import type { LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, type TestApp, type TestAppFor } from '../helpers/test-app.js';

type StarsApp = TestAppFor<{ modules: ['stars'] }>;
import type { App } from '../../src/http/app-types.js';
import { PostgresStarsStore } from '../../src/modules/stars/postgres-stars-store.js';
import type { StarsTables } from '../../src/modules/stars/stars-tables.js';
import { starsMigrations } from '../../src/modules/stars/stars-migrations.js';
import { createStarsStore } from '../../src/modules/stars/stars-store-factory.js';
import { createStoragePolicy } from '../../src/platform/blob/create-blob-store.js';
import { moduleDb, type Database } from '../../src/platform/db/database.js';
import { migrateUp } from '../../src/platform/db/migrator.js';
import { createPostgresDatabase, type PostgresDatabase } from '../../src/platform/db/postgres-database.js';
import { buildRecordingsApp, type RecordingsFixture } from '../modules/recordings/recordings-fixture.js';
import { buildScansApp, makePhoto, postScan, type ScansFixture } from '../modules/scans/scans-fixture.js';
import { devAccount, startAzurite, type Azurite } from '../helpers/azurite.js';
import { createTestPostgres, type TestPostgres } from '../helpers/postgres.js';
import { available, services } from '../helpers/services.js';
import { silentLogger } from '../helpers/silent-logger.js';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.js';

const postgresUp = await available('postgres');

/** Quick to fail and quick to recover, so the test runs in seconds. */
const storagePolicyEnv = {
  STORAGE_TIMEOUT_MS: '2000',
  STORAGE_RETRY_ATTEMPTS: '1',
  STORAGE_RETRY_BASE_MS: '10',
  STORAGE_RETRY_MAX_DELAY_MS: '20',
  STORAGE_BREAKER_THRESHOLD: '2',
  STORAGE_BREAKER_HALF_OPEN_MS: '200',
};
const storageResilience = {
  timeoutMs: 2000,
  retryAttempts: 1,
  retryBaseMs: 10,
  retryMaxDelayMs: 20,
  breakerThreshold: 2,
  breakerHalfOpenMs: 200,
};

function expectOutage(response: LightMyRequestResponse, dependency: string) {
  expect(response.statusCode, response.body).toBe(503);
  expect(response.headers['content-type']).toMatch(/problem\+json/);
  expect(Number(response.headers['retry-after'])).toBeGreaterThanOrEqual(1);
  expect(response.json()).toMatchObject({ status: 503, dependency });
}

/** Cuts the proxy, expects the outage on `request`, restores it, and waits for `ok` again. */
async function outageAndRecovery(options: {
  proxy: TcpProxy;
  request: () => Promise<LightMyRequestResponse>;
  dependency: string;
  ok: number;
}) {
  expect((await options.request()).statusCode).toBe(options.ok);
  options.proxy.cut();
  // The first request after the cut finds its pooled connection dropped; the second has to open
  // a new one, which the cut refuses: both are the same outage.
  expectOutage(await options.request(), options.dependency);
  expectOutage(await options.request(), options.dependency);
  options.proxy.restore();
  await expect
    .poll(async () => (await options.request()).statusCode, { timeout: 20_000, interval: 250 })
    .toBe(options.ok);
}

const proxiedConnectionString = (azurite: Azurite, proxy: TcpProxy, service: 'Blob' | 'Table') =>
  [
    'DefaultEndpointsProtocol=http',
    `AccountName=${devAccount.name}`,
    `AccountKey=${devAccount.key}`,
    `${service}Endpoint=http://127.0.0.1:${proxy.port}/${devAccount.name}`,
  ].join(';') + ';';

describe('files: when Blob Storage (Azurite) is cut', () => {
  let azurite: Azurite;
  let proxy: TcpProxy;
  let files: TestApp;
  beforeAll(async () => {
    azurite = await startAzurite({ blob: true, table: false });
    proxy = await startTcpProxy({ host: '127.0.0.1', port: azurite.blobPort });
    files = await buildTestApp({
      modules: ['files'],
      env: {
        AZURE_STORAGE_CONNECTION_STRING: proxiedConnectionString(azurite, proxy, 'Blob'),
        AZURE_REGION: 'westeurope',
        ...storagePolicyEnv,
      },
    });
    const created = await files.app.inject({ method: 'GET', url: '/api/files' });
    expect(created.statusCode).toBe(200);
  });
  afterAll(async () => {
    await files.close();
    await proxy.close();
    await azurite.close();
  });

  it('then /health/azure-storage (seed 001) says so, with AZURE_REGION', async () => {
    proxy.cut();
    const down = await files.app.inject('/health/azure-storage');
    proxy.restore();
    expect(down.statusCode).toBe(503);
    expect(down.json()).toMatchObject({
      status: 'unhealthy',
      service: 'azure_blob_storage',
      driver: 'azure',
      region: 'westeurope',
    });
  });

  it('then listing files is 503 with Retry-After naming storage, and recovers', async () => {
    await outageAndRecovery({
      proxy,
      request: () => files.app.inject({ method: 'GET', url: '/api/files' }),
      dependency: 'storage',
      ok: 200,
    });
  });
});

describe('scans: when Blob Storage (Azurite) is cut', () => {
  let azurite: Azurite;
  let proxy: TcpProxy;
  let scans: ScansFixture;
  let photo: Buffer;
  beforeAll(async () => {
    azurite = await startAzurite({ blob: true, table: false });
    proxy = await startTcpProxy({ host: '127.0.0.1', port: azurite.blobPort });
    scans = await buildScansApp({
      env: {
        AZURE_STORAGE_CONNECTION_STRING: proxiedConnectionString(azurite, proxy, 'Blob'),
        ...storagePolicyEnv,
      },
    });
    photo = await makePhoto('jpeg');
  });
  afterAll(async () => {
    await scans.close();
    await proxy.close();
    await azurite.close();
  });

  it('then posting a photo is 503 with Retry-After naming storage, records nothing, and recovers', async () => {
    const post = () => postScan(scans, { image: { data: photo } });
    expect((await post()).status).toBe(202);
    proxy.cut();
    const down = await post();
    proxy.restore();
    expect(down.status, JSON.stringify(down.body)).toBe(503);
    expect(down.headers.get('content-type')).toMatch(/problem\+json/);
    expect(Number(down.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(down.body).toMatchObject({ status: 503, dependency: 'storage' });
    const listed = await scans.app.inject({ method: 'GET', url: '/api/scans' });
    expect(listed.json<{ items: unknown[] }>().items).toHaveLength(1);
    await expect.poll(async () => (await post()).status, { timeout: 20_000, interval: 250 }).toBe(202);
  });
});

describe('stars: when Table Storage (Azurite) is cut', () => {
  let azurite: Azurite;
  let proxy: TcpProxy;
  let stars: StarsApp;
  beforeAll(async () => {
    azurite = await startAzurite({ blob: false, table: true });
    proxy = await startTcpProxy({ host: '127.0.0.1', port: azurite.tablePort });
    const store = createStarsStore({
      store: 'tables',
      account: {
        credential: {
          kind: 'connection-string',
          connectionString: proxiedConnectionString(azurite, proxy, 'Table'),
        },
      },
      tablePrefix: `o${randomBytes(4).toString('hex')}`,
      policy: createStoragePolicy(storageResilience, 'tables'),
    });
    await store.init();
    stars = await buildTestApp({ modules: ['stars'], stars: { store } });
  });
  afterAll(async () => {
    await stars.close();
    await proxy.close();
    await azurite.close();
  });

  it('then creating a user is 503 with Retry-After naming tables, and recovers', async () => {
    await outageAndRecovery({
      proxy,
      request: () => stars.app.inject({ method: 'POST', url: '/users', payload: { name: 'Ada' } }),
      dependency: 'tables',
      ok: 201,
    });
  });
});

describe.runIf(postgresUp)('with PostgreSQL behind the proxy', () => {
  let postgres: TestPostgres;
  let proxy: TcpProxy;
  let database: Database;
  const proxiedUrl = () => {
    const url = new URL(postgres.url);
    url.host = `127.0.0.1:${proxy.port}`;
    return url.toString();
  };
  beforeAll(async () => {
    postgres = await createTestPostgres('outage');
    proxy = await startTcpProxy({ host: services.postgres.host, port: services.postgres.port });
  });
  afterAll(async () => {
    await database.close();
    await proxy.close();
    await postgres.drop();
  });

  describe('stars: when PostgreSQL is cut', () => {
    let stars: StarsApp;
    beforeAll(async () => {
      database = await createPostgresDatabase(
        {
          url: proxiedUrl(),
          poolSize: 2,
          idleTimeoutMs: 10_000,
          maxLifetimeSeconds: 60,
          statementTimeoutMs: 5_000,
        },
        { logger: silentLogger() },
      );
      await migrateUp({ db: database.db, migrations: starsMigrations });
      const store = new PostgresStarsStore({ db: moduleDb<StarsTables>(database.db), driver: 'postgres' });
      stars = await buildTestApp({ modules: ['stars'], stars: { store } });
    });
    afterAll(async () => {
      await stars.close();
    });

    it('then creating a user is 503 with Retry-After naming the database, and recovers', async () => {
      await outageAndRecovery({
        proxy,
        request: () => stars.app.inject({ method: 'POST', url: '/users', payload: { name: 'Ada' } }),
        dependency: 'database',
        ok: 201,
      });
    });

    it('then, with no connection left in the pool, the first request (which must connect) is 503 too', async () => {
      const pool = (database as PostgresDatabase).pool;
      const request = () => stars.app.inject({ method: 'GET', url: '/users?limit=1' });
      expect((await request()).statusCode).toBe(200);
      proxy.cut();
      // Every idle connection is dropped by the cut; wait until the pool has let them go.
      await expect.poll(() => pool.totalCount, { timeout: 10_000, interval: 50 }).toBe(0);
      expectOutage(await request(), 'database');
      expectOutage(await request(), 'database');
      proxy.restore();
      await expect
        .poll(async () => (await request()).statusCode, { timeout: 20_000, interval: 250 })
        .toBe(200);
    });
  });

  describe('recordings: when PostgreSQL is cut', () => {
    let recordings: RecordingsFixture;
    let other: TestPostgres;
    let app: App;
    beforeAll(async () => {
      other = await createTestPostgres('outage_recordings');
      const url = new URL(other.url);
      url.host = `127.0.0.1:${proxy.port}`;
      recordings = await buildRecordingsApp({ databaseUrl: url.toString(), worker: false });
      app = recordings.app;
    });
    afterAll(async () => {
      await recordings.close();
      await other.drop();
    });

    it('then listing recordings is 503 with Retry-After naming the database, and recovers', async () => {
      await outageAndRecovery({
        proxy,
        request: () => app.inject({ method: 'GET', url: '/api/recordings?userId=u1' }),
        dependency: 'database',
        ok: 200,
      });
    });
  });
});
