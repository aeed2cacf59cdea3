// The factory: which driver the settings choose, and a fully decorated Azure store end to end.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  azureAuthFrom,
  blobStoreOptionsFromSettings,
  createBlobStore,
  type BlobStoreDeps,
} from '../../../src/platform/blob/index.js';
import type { StorageAccount, StorageCredential } from '../../../src/platform/storage/storage-account.js';
import { createMemoryQuotaStore } from '../../../src/platform/quota/memory-quota-store.js';
import { createPolicyMetrics } from '../../../src/platform/resilience/index.js';
import { requestContext } from '../../../src/platform/telemetry/request-context.js';
import { startAzurite, type Azurite } from '../../helpers/azurite.js';
import { createArrayAuditLog, createCapturingLogger, createMapCache } from '../../helpers/fakes.js';
import { testSettings } from '../../helpers/test-settings.js';

const settings = (dataDir: string, env: Record<string, string> = {}) =>
  testSettings({ DATA_DIR: dataDir, AZURE_STORAGE_CONTAINER: 'azimuth', ...env });

function deps(registry = new Registry()): BlobStoreDeps & { audit: ReturnType<typeof createArrayAuditLog> } {
  return {
    logger: createCapturingLogger().logger,
    registry,
    audit: createArrayAuditLog(),
    cache: createMapCache(),
    quota: createMemoryQuotaStore(),
    policyMetrics: createPolicyMetrics({ registry }),
  };
}

describe('azureAuthFrom', () => {
  const account = (credential: StorageCredential): StorageAccount => ({
    blobUrl: 'https://acct.blob.core.windows.net',
    tableUrl: 'https://acct.table.core.windows.net',
    credential,
  });
  it('gives the blob driver the resolved account’s endpoint and credential', () => {
    expect(
      azureAuthFrom({ account: account({ kind: 'connection-string', connectionString: 'cs' }) }),
    ).toEqual({
      kind: 'connection-string',
      connectionString: 'cs',
    });
    expect(
      azureAuthFrom({ account: account({ kind: 'account-key', accountName: 'acct', accountKey: 'k' }) }),
    ).toEqual({
      kind: 'account-key',
      accountName: 'acct',
      accountKey: 'k',
      accountUrl: 'https://acct.blob.core.windows.net',
    });
    expect(azureAuthFrom({ account: account({ kind: 'managed-identity' }) })).toEqual({
      kind: 'managed-identity',
      accountUrl: 'https://acct.blob.core.windows.net',
    });
    expect(azureAuthFrom({})).toBeUndefined();
  });

  it('when AZURE_BLOB_ENABLED=false, then blobs stay on disk even with a credential set', async () => {
    const options = blobStoreOptionsFromSettings(
      await settings('/tmp/unused', {
        AZURE_BLOB_ENABLED: 'false',
        AZURE_STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true',
      }),
    );
    expect(options.azure.account).toBeUndefined();
    expect(
      blobStoreOptionsFromSettings(
        await settings('/tmp/unused', { AZURE_STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true' }),
      ).azure.account?.blobUrl,
    ).toBe('http://127.0.0.1:10000/devstoreaccount1');
  });
});

describe('createBlobStore', () => {
  let dataDir: string;
  let azurite: Azurite;
  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'azimuth-factory-'));
    azurite = await startAzurite();
  });
  afterAll(async () => {
    await azurite.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('when no Azure credential is set, then it uses the disk under DATA_DIR with a persistent signing key', async () => {
    const bundle = await createBlobStore(blobStoreOptionsFromSettings(await settings(dataDir)), deps());
    expect(bundle.driver).toBe('disk');
    expect(bundle.policy).toBeUndefined();
    const key = await readFile(join(dataDir, 'blobs', '.signing-key'), 'utf8');
    const again = await createBlobStore(blobStoreOptionsFromSettings(await settings(dataDir)), deps());
    expect(await readFile(join(dataDir, 'blobs', '.signing-key'), 'utf8')).toBe(key);

    await bundle.store.upload({ container: 'azimuth', name: 'x.txt' }, Buffer.from('x'));
    const link = await bundle.store.sasUrl(
      { container: 'azimuth', name: 'x.txt' },
      { permissions: 'r', expiresInSeconds: 600 },
    );
    expect(link.url.startsWith('http://localhost:8080/api/files/x.txt?')).toBe(true);
    const query = Object.fromEntries(new URL(link.url).searchParams);
    // A second process with the same DATA_DIR accepts the first one's links.
    expect(again.verifyLink?.({ name: 'x.txt', query, permission: 'r' }).ok).toBe(true);
    const health = await bundle.health.check(AbortSignal.timeout(5000));
    expect(bundle.health).toMatchObject({ name: 'storage', driver: 'disk', required: true });
    expect(health).toEqual({ status: 'healthy', details: { container: 'azimuth' } });
  });

  it('when a connection string is set, then it uses Azure with every decorator, and /health and /metrics show the breaker', async () => {
    const registry = new Registry();
    const d = deps(registry);
    const bundle = await createBlobStore(
      blobStoreOptionsFromSettings(
        await settings(dataDir, { AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString }),
      ),
      d,
    );
    expect(bundle).toMatchObject({ driver: 'azure', auth: 'connection-string', sasTtlSeconds: 86_400 });
    expect(bundle.verifyLink).toBeUndefined();
    const ref = { container: 'azimuth', name: 'wired/file.txt' };
    await requestContext.run({ correlationId: 'c1', principalId: 'u1' }, async () => {
      await bundle.store.upload(ref, Buffer.from('wired'), { quotaSubject: 'user:u1' });
      const first = await bundle.store.sasUrl(ref, { permissions: 'r', expiresInSeconds: 86_400 });
      const second = await bundle.store.sasUrl(ref, { permissions: 'r', expiresInSeconds: 86_400 });
      expect(second.url).toBe(first.url);
      expect(await (await fetch(first.url)).text()).toBe('wired');
    });
    expect(d.audit.entries.map((e) => e.operation)).toEqual(['blob.upload', 'blob.sas', 'blob.sas']);
    expect((await d.quota.get('user:u1', { windowSeconds: 3600 })).used).toBe(5);
    const health = await bundle.health.check(AbortSignal.timeout(5000));
    expect(health).toEqual({ status: 'healthy', details: { container: 'azimuth', breaker: 'closed' } });
    expect(bundle.health.driver).toBe('azure');
    const metrics = await registry.metrics();
    expect(metrics).toContain('circuit_breaker_state{dependency="storage"} 0');
    expect(metrics).toContain('blob_uploads_total 1');
  });
});
