// Picks and assembles the BlobStore from configuration: the Azure driver for the storage account
// (storage-account.ts) unless AZURE_BLOB_ENABLED=false or none is set, else the disk under DATA_DIR; then the decorators, outermost first:
// NFC names → instrumentation → upload quota → SAS cache → resilience (Azure only) → driver.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { TokenCredential } from '@azure/core-auth';
import type { Registry } from 'prom-client';
import type { AuditLog } from '../audit/audit-log.js';
import type { Cache } from '../cache/cache.js';
import type { Settings } from '../config/settings-schema.js';
import {
  blobStorageAccount,
  type StorageAccount,
  type StorageAccountSettings,
} from '../storage/storage-account.js';
import type { DependencyCheck } from '../health/dependency-check.js';
import type { QuotaStore } from '../quota/quota-store.js';
import type { PolicyMetrics } from '../resilience/policy-metrics.js';
import {
  policyOptionsOf,
  policySettingsOf,
  type PolicySettingNames,
  type PolicySettings,
} from '../resilience/policy-settings.js';
import { createPolicy, type ResiliencePolicy } from '../resilience/resilience-policy.js';
import type { Logger } from '../telemetry/logger.js';
import type { AzureBlobAuth } from './azure-blob-store.js';
import type { BlobStore } from './blob-store.js';
import { createDiskBlobStore, diskUploadTemp } from './disk-blob-store.js';
import { createDiskLinkVerifier } from './disk-signed-links.js';
import { withInstrumentation } from './instrumented-blob-store.js';
import { withNfcNames } from './nfc-names-blob-store.js';
import { withUploadQuota } from './quota-blob-store.js';
import { withResilience } from './resilient-blob-store.js';
import { withSasCache } from './sas-cached-blob-store.js';
import type { SignedLinkVerifier } from './signed-link-verifier.js';
import { createStorageHealthCheck } from './storage-health.js';

/** STORAGE_TIMEOUT_MS, STORAGE_RETRY_* and STORAGE_BREAKER_*. */
export type StorageResilienceOptions = PolicySettings;

export interface BlobStoreFactoryOptions {
  azure: {
    /** The storage account (storage-account.ts); undefined for the disk driver. */
    account?: StorageAccount;
    /** Overrides DefaultAzureCredential (tests, or a specific managed identity). */
    credential?: TokenCredential;
  };
  /** DATA_DIR: the disk driver keeps blobs in `{dataDir}/blobs`. */
  dataDir: string;
  container: string;
  /** BLOB_SIGNING_KEY; when absent a random key is created once in `{dataDir}/blobs/.signing-key`. */
  signingKey?: string;
  /** The API's public origin for disk-driver links, e.g. `http://localhost:8080`. */
  publicBaseUrl: string;
  sasTtlSeconds: number;
  sasCacheSeconds: number;
  uploadQuotaMbPerHour: number;
  resilience: StorageResilienceOptions;
}

export interface BlobStoreDeps {
  logger: Logger;
  registry: Registry;
  audit: AuditLog;
  cache: Cache;
  quota: QuotaStore;
  /** When given, the storage policy's breaker state and retries are exported on /metrics. */
  policyMetrics?: PolicyMetrics;
}

export interface BlobStoreBundle {
  /** The store modules use: every decorator applied. */
  store: BlobStore;
  driver: 'azure' | 'disk';
  /** Which credential the Azure driver uses (for the start-up line and /health). */
  auth?: AzureBlobAuth['kind'];
  /** The storage resilience policy (Azure only). */
  policy?: ResiliencePolicy;
  health: DependencyCheck;
  /** Default lifetime of SAS links (BLOB_SAS_TTL_SECONDS), for the API's default. */
  sasTtlSeconds: number;
  /** Disk driver only: checks the signed links the API serves (any container the store signed). */
  verifyLink?: SignedLinkVerifier;
  /** Stops background work (the disk driver's sweep of temporary files). */
  close(): void;
}

/** How often the disk driver sweeps temporary upload files a stopped process left. */
export const TEMP_SWEEP_INTERVAL_MS = 600_000;

/** Maps settings to factory options; `publicBaseUrl` defaults to BLOB_PUBLIC_BASE_URL or localhost:PORT. */
export function blobStoreOptionsFromSettings(
  settings: StorageAccountSettings &
    Pick<
      Settings,
      | 'AZURE_BLOB_ENABLED'
      | 'AZURE_STORAGE_CONTAINER'
      | 'DATA_DIR'
      | 'PORT'
      | 'BLOB_SIGNING_KEY'
      | 'BLOB_PUBLIC_BASE_URL'
      | 'BLOB_SAS_TTL_SECONDS'
      | 'BLOB_SAS_CACHE_SECONDS'
      | 'UPLOAD_QUOTA_MB_PER_HOUR'
      | PolicySettingNames<'STORAGE'>
    >,
): BlobStoreFactoryOptions {
  return {
    azure: { account: blobStorageAccount(settings) },
    dataDir: settings.DATA_DIR,
    container: settings.AZURE_STORAGE_CONTAINER,
    signingKey: settings.BLOB_SIGNING_KEY,
    publicBaseUrl: (settings.BLOB_PUBLIC_BASE_URL ?? `http://localhost:${settings.PORT}`).replace(/\/+$/, ''),
    sasTtlSeconds: settings.BLOB_SAS_TTL_SECONDS,
    sasCacheSeconds: settings.BLOB_SAS_CACHE_SECONDS,
    uploadQuotaMbPerHour: settings.UPLOAD_QUOTA_MB_PER_HOUR,
    resilience: policySettingsOf(settings, 'STORAGE'),
  };
}

/** The blob driver's credential for the account, or undefined for the disk driver. */
export function azureAuthFrom(azure: BlobStoreFactoryOptions['azure']): AzureBlobAuth | undefined {
  const { account } = azure;
  if (account?.blobUrl === undefined) return undefined;
  const { credential } = account;
  switch (credential.kind) {
    case 'connection-string':
      return credential;
    case 'account-key':
      return { ...credential, accountUrl: account.blobUrl };
    case 'managed-identity': {
      const token = azure.credential ?? credential.credential;
      return {
        kind: 'managed-identity',
        accountUrl: account.blobUrl,
        ...(token === undefined ? {} : { credential: token }),
      };
    }
  }
}

/** Reads the disk driver's signing key, creating it (0600) on first start. */
export async function loadSigningKey(options: { signingKey?: string; dir: string }): Promise<Buffer> {
  if (options.signingKey !== undefined) return Buffer.from(options.signingKey, 'utf8');
  const path = join(options.dir, '.signing-key');
  await mkdir(options.dir, { recursive: true });
  try {
    await writeFile(path, randomBytes(32).toString('hex'), { flag: 'wx', mode: 0o600 });
  } catch (error) {
    // Another process (or an earlier start) created it first: use theirs.
    if ((error as { code?: unknown }).code !== 'EEXIST') throw error;
  }
  return Buffer.from((await readFile(path, 'utf8')).trim(), 'utf8');
}

/** The storage policy from STORAGE_* settings; `name` tells blob (`storage`) and `tables` apart. */
export function createStoragePolicy(
  resilience: StorageResilienceOptions,
  name = 'storage',
): ResiliencePolicy {
  return createPolicy(policyOptionsOf(name, resilience));
}

export async function createBlobStore(
  options: BlobStoreFactoryOptions,
  deps: BlobStoreDeps,
): Promise<BlobStoreBundle> {
  const auth = azureAuthFrom(options.azure);
  let driver: BlobStore;
  let policy: ResiliencePolicy | undefined;
  let verifyLink: BlobStoreBundle['verifyLink'];
  let close = (): void => undefined;
  if (auth !== undefined) {
    policy = createStoragePolicy(options.resilience);
    // Loaded only when configured: the Azure SDK is a large import an embedded start doesn't need.
    const { createAzureBlobStore } = await import('./azure-blob-store.js');
    driver = createAzureBlobStore({ auth, defaultContainer: options.container, delegationKeyPolicy: policy });
    deps.policyMetrics?.track(policy);
  } else {
    const root = join(options.dataDir, 'blobs');
    const key = await loadSigningKey({
      ...(options.signingKey === undefined ? {} : { signingKey: options.signingKey }),
      dir: root,
    });
    const temp = diskUploadTemp(root);
    // At start and every so often, as the jobs' temporary directories: what a crash mid-upload left.
    const sweeping = await temp.sweepEvery(TEMP_SWEEP_INTERVAL_MS, (names) =>
      deps.logger.info({ removed: names.length }, 'removed temporary upload files of stopped processes'),
    );
    close = () => sweeping.stop();
    driver = createDiskBlobStore({
      root,
      defaultContainer: options.container,
      signingKey: key,
      publicBaseUrl: options.publicBaseUrl,
      temp,
    });
    verifyLink = createDiskLinkVerifier(key, options.container);
  }
  let store = policy === undefined ? driver : withResilience(driver, { policy });
  store = withSasCache(store, {
    cache: deps.cache,
    minRemainingSeconds: Math.max(0, options.sasTtlSeconds - options.sasCacheSeconds),
  });
  store = withUploadQuota(store, {
    quota: deps.quota,
    limitBytes: options.uploadQuotaMbPerHour * 1024 * 1024,
  });
  store = withInstrumentation(store, { logger: deps.logger, registry: deps.registry, audit: deps.audit });
  // Outermost: every layer below, audit and quota included, sees the one form of each name.
  store = withNfcNames(store);
  return {
    store,
    driver: driver.driver,
    ...(auth === undefined ? {} : { auth: auth.kind }),
    ...(policy === undefined ? {} : { policy }),
    health: createStorageHealthCheck({
      store: driver,
      container: options.container,
      ...(policy === undefined ? {} : { policy }),
    }),
    sasTtlSeconds: options.sasTtlSeconds,
    ...(verifyLink === undefined ? {} : { verifyLink }),
    close,
  };
}
