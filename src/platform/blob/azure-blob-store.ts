// The BlobStore on Azure Blob Storage (or Azurite), with any of the three authentications:
// connection string, account name + key, or managed identity (DefaultAzureCredential).
import { DefaultAzureCredential } from '@azure/identity';
import type { TokenCredential } from '@azure/core-auth';
import {
  BlobSASPermissions,
  BlobServiceClient,
  RestError,
  StorageSharedKeyCredential,
  generateBlobSASQueryParameters,
  type ContainerClient,
  type StoragePipelineOptions,
} from '@azure/storage-blob';
import { Readable, Transform } from 'node:stream';
import { errors } from '../errors/app-error.js';
import type { ResiliencePolicy } from '../resilience/resilience-policy.js';
import {
  assertBlobRef,
  assertContainerName,
  assertMetadata,
  assertSasLifetime,
  normalizeSasPermissions,
} from './blob-names.js';
import { formatBlobUri } from './blob-uri.js';
import { parkErrors, throwIfErrored } from './stream-errors.js';
import { createUserDelegationKeyCache } from './user-delegation-key-cache.js';
import type {
  BlobBody,
  BlobDownload,
  BlobPage,
  BlobProperties,
  BlobRef,
  BlobStore,
  DownloadOptions,
  ListOptions,
  SasLink,
  SasOptions,
  UploadOptions,
} from './blob-store.js';

export type AzureBlobAuth =
  | { kind: 'connection-string'; connectionString: string }
  | { kind: 'account-key'; accountName: string; accountKey: string; accountUrl?: string }
  /** `credential` defaults to DefaultAzureCredential (managed identity in Azure, az login locally). */
  | { kind: 'managed-identity'; accountUrl: string; credential?: TokenCredential };

export interface AzureBlobStoreOptions {
  auth: AzureBlobAuth;
  defaultContainer: string;
  /** Block size for streamed uploads; memory use is about blockSize × (concurrency + 1). */
  uploadBlockSizeBytes?: number;
  uploadConcurrency?: number;
  /** Guards the user-delegation-key request (managed identity); the storage policy in production. */
  delegationKeyPolicy?: ResiliencePolicy;
  now?: () => Date;
}

const defaultContentType = 'application/octet-stream';
const clockSkewMs = 5 * 60_000;

// Our resilience policy is the only retry layer: the SDK's own retry policy is turned off so a
// failing call is not retried 4 × 4 times and our breaker sees every failure.
const pipelineOptions: StoragePipelineOptions = { retryOptions: { maxTries: 1 } };

function createServiceClient(auth: AzureBlobAuth): BlobServiceClient {
  switch (auth.kind) {
    case 'connection-string':
      return BlobServiceClient.fromConnectionString(auth.connectionString, pipelineOptions);
    case 'account-key':
      return new BlobServiceClient(
        auth.accountUrl ?? `https://${auth.accountName}.blob.core.windows.net`,
        new StorageSharedKeyCredential(auth.accountName, auth.accountKey),
        pipelineOptions,
      );
    case 'managed-identity':
      return new BlobServiceClient(
        auth.accountUrl,
        auth.credential ?? new DefaultAzureCredential(),
        pipelineOptions,
      );
  }
}

const errorCode = (error: unknown): string | undefined =>
  error instanceof RestError ? (error.code ?? undefined) : undefined;

/** Turns final Azure answers into catalogue errors; transient ones stay RestErrors for the policy. */
function mapError(error: unknown, target: string): unknown {
  if (!(error instanceof RestError)) return error;
  const code = error.code ?? 'unknown';
  switch (error.statusCode) {
    case 404:
      return code === 'ContainerNotFound'
        ? errors.notFound(`Container of ${target} was not found.`)
        : errors.notFound(`Blob ${target} was not found.`);
    case 409:
      return errors.conflict(`Storage refused ${target}: ${code}.`, { cause: error });
    case 412:
      return errors.preconditionFailed(`Storage precondition failed for ${target}: ${code}.`);
    case 416:
      return errors.rangeNotSatisfiable(`The byte range is not satisfiable for ${target}.`);
    default:
      return error;
  }
}

/** The SDK's own path escaping (storage-blob utils `escape`): keeps `/`, encodes the rest. */
const escapeBlobPath = (name: string): string =>
  encodeURIComponent(name)
    .replace(/%2F/g, '/')
    .replace(/'/g, '%27')
    .replace(/\+/g, '%20')
    .replace(/%25/g, '%');

const countBytes = (onChunk: (n: number) => void) =>
  new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      onChunk(chunk.length);
      callback(null, chunk);
    },
  });

export function createAzureBlobStore(options: AzureBlobStoreOptions): BlobStore {
  const service = createServiceClient(options.auth);
  const now = options.now ?? (() => new Date());
  const blockSize = options.uploadBlockSizeBytes ?? 4 * 1024 * 1024;
  const concurrency = options.uploadConcurrency ?? 4;
  const sharedKey = service.credential instanceof StorageSharedKeyCredential ? service.credential : undefined;
  const delegationKeys = createUserDelegationKeyCache({
    now,
    fetch: (startsOn, expiresOn) =>
      options.delegationKeyPolicy === undefined
        ? service.getUserDelegationKey(startsOn, expiresOn)
        : options.delegationKeyPolicy.execute((abortSignal) =>
            service.getUserDelegationKey(startsOn, expiresOn, { abortSignal }),
          ),
  });

  // Containers are created on first use, once per container per process; a failure (or the
  // container vanishing later) forgets the entry so the next call tries again.
  const ensured = new Map<string, Promise<void>>();
  // Clients are cheap to use but not to build (a pipeline each): one per container, kept.
  const containers = new Map<string, ContainerClient>();
  const containerOf = (name: string): ContainerClient => {
    let client = containers.get(name);
    if (client === undefined) {
      client = service.getContainerClient(name);
      containers.set(name, client);
    }
    return client;
  };
  /** The blob's URL as the SDK would build it, without building a client (hot in SAS issuing). */
  const blobUrl = (ref: BlobRef): string => `${containerOf(ref.container).url}/${escapeBlobPath(ref.name)}`;
  const ensureContainer = (name: string, signal?: AbortSignal): Promise<void> => {
    let pending = ensured.get(name);
    if (pending === undefined) {
      pending = containerOf(name)
        .createIfNotExists(signal === undefined ? {} : { abortSignal: signal })
        .then(() => undefined);
      ensured.set(name, pending);
      pending.catch(() => ensured.delete(name));
    }
    return pending;
  };
  const forgetOnMissingContainer = (container: string, error: unknown): void => {
    if (errorCode(error) === 'ContainerNotFound') ensured.delete(container);
  };

  const blobClient = (ref: BlobRef) => containerOf(ref.container).getBlockBlobClient(ref.name);

  const run = async <T>(ref: BlobRef, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (error) {
      forgetOnMissingContainer(ref.container, error);
      throw mapError(error, formatBlobUri(ref));
    }
  };

  const toProperties = (
    ref: BlobRef,
    p: {
      contentLength?: number;
      contentType?: string;
      etag?: string;
      lastModified?: Date;
      metadata?: Record<string, string>;
    },
    size = p.contentLength ?? 0,
  ): BlobProperties => ({
    container: ref.container,
    name: ref.name,
    size,
    contentType: p.contentType ?? defaultContentType,
    etag: p.etag ?? '',
    lastModified: p.lastModified ?? new Date(0),
    metadata: p.metadata ?? {},
  });

  const download = async (ref: BlobRef, downloadOptions: DownloadOptions = {}): Promise<BlobDownload> => {
    assertBlobRef(ref);
    const { range, signal } = downloadOptions;
    if (
      range !== undefined &&
      (!Number.isInteger(range.start) ||
        range.start < 0 ||
        (range.end !== undefined && range.end < range.start))
    )
      return Promise.reject(
        errors.rangeNotSatisfiable(`Invalid byte range ${range.start}-${range.end ?? ''}.`),
      );
    return run(ref, async () => {
      const count = range?.end === undefined ? undefined : range.end - range.start + 1;
      // maxRetryRequests: the SDK's mid-body resume (re-requests from the broken offset) is kept;
      // it is not a second retry layer for the request itself, which our policy owns.
      const response = await blobClient(ref).download(range?.start ?? 0, count, {
        ...(signal === undefined ? {} : { abortSignal: signal }),
      });
      const body = response.readableStreamBody;
      // Azure answers 416 for a range starting past the end; some emulators send 200 instead.
      if (
        range !== undefined &&
        (response.contentRange === undefined || (response.contentLength ?? 0) === 0)
      ) {
        body?.resume();
        throw errors.rangeNotSatisfiable(`The byte range is not satisfiable for ${formatBlobUri(ref)}.`);
      }
      const contentLength = response.contentLength ?? 0;
      const total = /\/(\d+)$/.exec(response.contentRange ?? '')?.[1];
      const size = total === undefined ? contentLength : Number(total);
      const stream = body === undefined ? Readable.from([]) : Readable.from(body as AsyncIterable<Buffer>);
      return {
        properties: toProperties(ref, response, size),
        stream: body instanceof Readable ? body : stream,
        contentLength,
        ...(range === undefined
          ? {}
          : { range: { start: range.start, end: range.start + contentLength - 1 } }),
      };
    });
  };

  return {
    driver: 'azure',
    defaultContainer: options.defaultContainer,

    async upload(ref: BlobRef, body: BlobBody, uploadOptions: UploadOptions = {}): Promise<BlobProperties> {
      assertBlobRef(ref);
      assertMetadata(uploadOptions.metadata);
      // The container check below awaits; a body failing meanwhile must not go unhandled.
      if (body instanceof Readable) parkErrors(body);
      const { signal } = uploadOptions;
      const common = {
        blobHTTPHeaders: { blobContentType: uploadOptions.contentType ?? defaultContentType },
        metadata: uploadOptions.metadata ?? {},
        ...(signal === undefined ? {} : { abortSignal: signal }),
      };
      await run(ref, () => ensureContainer(ref.container, signal));
      let data: Buffer;
      if (body instanceof Readable) {
        throwIfErrored(body);
        // A body that fits in one block is read whole and sent as one Put Blob: staging a block
        // and committing it would be two round trips for a small file.
        const source = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
        const head: Buffer[] = [];
        let headBytes = 0;
        let ended = false;
        while (headBytes <= blockSize) {
          const next = await source.next();
          if (next.done === true) {
            ended = true;
            break;
          }
          head.push(next.value);
          headBytes += next.value.length;
        }
        if (!ended) {
          // Blocks are staged and committed only at the end: a stream that fails part-way leaves
          // nothing visible (uncommitted blocks are discarded by Azure after 7 days).
          const rest = Readable.from(
            (async function* () {
              yield* head;
              for (let next = await source.next(); next.done !== true; next = await source.next())
                yield next.value;
            })(),
          );
          let size = 0;
          const counted = parkErrors(rest.pipe(countBytes((n) => (size += n))));
          rest.on('error', (error) => counted.destroy(error));
          const response = await run(ref, () =>
            blobClient(ref).uploadStream(counted, blockSize, concurrency, common),
          );
          return toProperties(
            ref,
            { ...common, ...response, contentType: common.blobHTTPHeaders.blobContentType },
            size,
          );
        }
        data = Buffer.concat(head);
      } else {
        data = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
      }
      const put = () => blobClient(ref).uploadData(data, common);
      const response = await run(ref, async () => {
        try {
          return await put();
        } catch (error) {
          // The container vanished since we created it (deleted, or an emulator restarted).
          if (errorCode(error) !== 'ContainerNotFound') throw error;
          ensured.delete(ref.container);
          await ensureContainer(ref.container, signal);
          return put();
        }
      });
      return toProperties(
        ref,
        { ...response, contentType: common.blobHTTPHeaders.blobContentType, metadata: common.metadata },
        data.length,
      );
    },

    download,

    async downloadBuffer(ref, downloadOptions) {
      const { stream } = await download(ref, downloadOptions);
      const chunks: Buffer[] = [];
      for await (const chunk of stream) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks);
    },

    async exists(ref, existsOptions = {}) {
      assertBlobRef(ref);
      const signal = existsOptions.signal;
      return await run(ref, () =>
        blobClient(ref).exists(signal === undefined ? {} : { abortSignal: signal }),
      );
    },

    async head(ref, headOptions = {}) {
      assertBlobRef(ref);
      const signal = headOptions.signal;
      return await run(ref, async () =>
        toProperties(
          ref,
          await blobClient(ref).getProperties(signal === undefined ? {} : { abortSignal: signal }),
        ),
      );
    },

    async delete(ref, deleteOptions = {}) {
      assertBlobRef(ref);
      const signal = deleteOptions.signal;
      return await run(ref, async () => {
        try {
          const response = await blobClient(ref).deleteIfExists({
            deleteSnapshots: 'include',
            ...(signal === undefined ? {} : { abortSignal: signal }),
          });
          return response.succeeded;
        } catch (error) {
          if (errorCode(error) === 'ContainerNotFound') return false;
          throw error;
        }
      });
    },

    async list(container: string, listOptions: ListOptions = {}): Promise<BlobPage> {
      assertContainerName(container);
      const pageSize = listOptions.pageSize ?? 100;
      if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > 5000)
        throw errors.badRequest('Page size must be 1-5000.');
      const ref = { container, name: listOptions.prefix ?? '' };
      try {
        const pages = containerOf(container)
          .listBlobsFlat({
            includeMetadata: true,
            ...(listOptions.prefix === undefined || listOptions.prefix === ''
              ? {}
              : { prefix: listOptions.prefix }),
            ...(listOptions.signal === undefined ? {} : { abortSignal: listOptions.signal }),
          })
          .byPage({
            maxPageSize: pageSize,
            ...(listOptions.continuationToken === undefined
              ? {}
              : { continuationToken: listOptions.continuationToken }),
          });
        const page = await pages.next();
        if (page.done === true) return { items: [] };
        const items = page.value.segment.blobItems.map((item) =>
          toProperties({ container, name: item.name }, { ...item.properties, metadata: item.metadata ?? {} }),
        );
        const token = page.value.continuationToken;
        return token === undefined || token === '' ? { items } : { items, continuationToken: token };
      } catch (error) {
        if (errorCode(error) === 'ContainerNotFound') {
          ensured.delete(container);
          return { items: [] };
        }
        throw mapError(error, formatBlobUri(ref));
      }
    },

    url(ref) {
      assertBlobRef(ref);
      return blobClient(ref).url;
    },

    async sasUrl(ref: BlobRef, sas: SasOptions): Promise<SasLink> {
      assertBlobRef(ref);
      assertSasLifetime(sas.expiresInSeconds);
      const permissions = normalizeSasPermissions(sas.permissions);
      const issuedAt = now().getTime();
      const expiresOn = new Date(Math.floor(issuedAt / 1000) * 1000 + sas.expiresInSeconds * 1000);
      const values = {
        containerName: ref.container,
        blobName: ref.name,
        permissions: BlobSASPermissions.parse(permissions),
        startsOn: new Date(issuedAt - clockSkewMs),
        expiresOn,
        ...(sas.contentDisposition === undefined ? {} : { contentDisposition: sas.contentDisposition }),
      };
      const query =
        sharedKey === undefined
          ? generateBlobSASQueryParameters(values, await delegationKeys.get(expiresOn), service.accountName)
          : generateBlobSASQueryParameters(values, sharedKey);
      return { url: `${blobUrl(ref)}?${query.toString()}`, expiresOn, permissions };
    },

    async ping(container, signal) {
      assertContainerName(container);
      // Container properties: one cheap authenticated round trip; a missing container still proves
      // the account answers.
      await containerOf(container).exists(signal === undefined ? {} : { abortSignal: signal });
    },
  };
}
