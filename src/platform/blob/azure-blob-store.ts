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
import { buffer } from 'node:stream/consumers';
import { errors } from '../errors/app-error.js';
import type { ResiliencePolicy } from '../resilience/resilience-policy.js';
import {
  assertBlobRef,
  assertContainerName,
  listPageSize,
  assertMetadata,
  assertSasLifetime,
  normalizeSasPermissions,
} from './blob-names.js';
import { formatBlobUri } from './blob-uri.js';
import { parkErrors, throwIfErrored } from './stream-errors.js';
import { createUserDelegationKeyCache, type UserDelegationKeyCache } from './user-delegation-key-cache.js';
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

/** What every operation needs: the service client, the caches of container clients, the clock. */
interface AzureContext {
  service: BlobServiceClient;
  now: () => Date;
  blockSize: number;
  concurrency: number;
  /** Set with account-key auth: SAS are signed with it; otherwise with a user delegation key. */
  sharedKey: StorageSharedKeyCredential | undefined;
  delegationKeys: UserDelegationKeyCache;
  // Containers are created on first use, once per container per process; a failure (or the
  // container vanishing later) forgets the entry so the next call tries again.
  ensured: Map<string, Promise<void>>;
  // Clients are cheap to use but not to build (a pipeline each): one per container, kept.
  containers: Map<string, ContainerClient>;
}

function createContext(options: AzureBlobStoreOptions): AzureContext {
  const service = createServiceClient(options.auth);
  const now = options.now ?? (() => new Date());
  const policy = options.delegationKeyPolicy;
  const sharedKey = service.credential instanceof StorageSharedKeyCredential ? service.credential : undefined;
  return {
    service,
    now,
    blockSize: options.uploadBlockSizeBytes ?? 4 * 1024 * 1024,
    concurrency: options.uploadConcurrency ?? 4,
    sharedKey,
    delegationKeys: createUserDelegationKeyCache({
      now,
      fetch: (startsOn, expiresOn) =>
        policy === undefined
          ? service.getUserDelegationKey(startsOn, expiresOn)
          : policy.execute((abortSignal) =>
              service.getUserDelegationKey(startsOn, expiresOn, { abortSignal }),
            ),
    }),
    ensured: new Map(),
    containers: new Map(),
  };
}

function containerOf(context: AzureContext, name: string): ContainerClient {
  let client = context.containers.get(name);
  if (client === undefined) {
    client = context.service.getContainerClient(name);
    context.containers.set(name, client);
  }
  return client;
}

const blobClient = (context: AzureContext, ref: BlobRef) =>
  containerOf(context, ref.container).getBlockBlobClient(ref.name);

function ensureContainer(context: AzureContext, name: string, signal?: AbortSignal): Promise<void> {
  let pending = context.ensured.get(name);
  if (pending === undefined) {
    pending = containerOf(context, name)
      .createIfNotExists(signal === undefined ? {} : { abortSignal: signal })
      .then(() => undefined);
    context.ensured.set(name, pending);
    pending.catch(() => context.ensured.delete(name));
  }
  return pending;
}

/** Runs a call on `ref`, forgetting a vanished container and mapping final answers to the catalogue. */
async function run<T>(context: AzureContext, ref: BlobRef, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (errorCode(error) === 'ContainerNotFound') context.ensured.delete(ref.container);
    throw mapError(error, formatBlobUri(ref));
  }
}

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

async function download(
  context: AzureContext,
  ref: BlobRef,
  downloadOptions: DownloadOptions = {},
): Promise<BlobDownload> {
  assertBlobRef(ref);
  const { range, signal } = downloadOptions;
  if (
    range !== undefined &&
    (!Number.isInteger(range.start) ||
      range.start < 0 ||
      (range.end !== undefined && range.end < range.start))
  )
    throw errors.rangeNotSatisfiable(`Invalid byte range ${range.start}-${range.end ?? ''}.`);
  return run(context, ref, async () => {
    const count = range?.end === undefined ? undefined : range.end - range.start + 1;
    // maxRetryRequests: the SDK's mid-body resume (re-requests from the broken offset) is kept;
    // it is not a second retry layer for the request itself, which our policy owns.
    const response = await blobClient(context, ref).download(range?.start ?? 0, count, {
      ...(signal === undefined ? {} : { abortSignal: signal }),
    });
    const body = response.readableStreamBody;
    // Azure answers 416 for a range starting past the end; some emulators send 200 instead.
    if (range !== undefined && (response.contentRange === undefined || (response.contentLength ?? 0) === 0)) {
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
      ...(range === undefined ? {} : { range: { start: range.start, end: range.start + contentLength - 1 } }),
    };
  });
}

/** The SDK options every upload of one call shares: content type, metadata, abort signal. */
type UploadCommon = {
  blobHTTPHeaders: { blobContentType: string };
  metadata: Record<string, string>;
  abortSignal?: AbortSignal;
};

/** Reads chunks until more than one block has arrived or the body ends. */
async function readHead(
  source: AsyncIterator<Buffer>,
  blockSize: number,
): Promise<{ head: Buffer[]; ended: boolean }> {
  const head: Buffer[] = [];
  let headBytes = 0;
  while (headBytes <= blockSize) {
    const next = await source.next();
    if (next.done === true) return { head, ended: true };
    head.push(next.value);
    headBytes += next.value.length;
  }
  return { head, ended: false };
}

/**
 * A body larger than one block: blocks are staged and committed only at the end, so a stream that
 * fails part-way leaves nothing visible (uncommitted blocks are discarded by Azure after 7 days).
 */
async function uploadBlocks(
  context: AzureContext,
  ref: BlobRef,
  body: { head: Buffer[]; source: AsyncIterator<Buffer> },
  common: UploadCommon,
): Promise<BlobProperties> {
  const { head, source } = body;
  const rest = Readable.from(
    (async function* () {
      yield* head;
      for (let next = await source.next(); next.done !== true; next = await source.next()) yield next.value;
    })(),
  );
  let size = 0;
  const counted = parkErrors(rest.pipe(countBytes((n) => (size += n))));
  rest.on('error', (error) => counted.destroy(error));
  const response = await run(context, ref, () =>
    blobClient(context, ref).uploadStream(counted, context.blockSize, context.concurrency, common),
  );
  return toProperties(
    ref,
    { ...common, ...response, contentType: common.blobHTTPHeaders.blobContentType },
    size,
  );
}

/**
 * A body that fits in one block: one Put Blob (staging and committing would be two round trips).
 * The chunks as they came are sent as they are: no copy into one buffer.
 */
async function uploadWhole(
  context: AzureContext,
  ref: BlobRef,
  chunks: readonly Buffer[],
  common: UploadCommon,
): Promise<BlobProperties> {
  let size = 0;
  for (const chunk of chunks) size += chunk.length;
  // A factory, so the retry below (and the SDK) can send the same chunks again.
  const body =
    chunks.length <= 1 ? (chunks[0] ?? Buffer.alloc(0)) : () => Readable.from(chunks, { objectMode: false });
  const put = () => blobClient(context, ref).upload(body, size, common);
  const response = await run(context, ref, async () => {
    try {
      return await put();
    } catch (error) {
      // The container vanished since we created it (deleted, or an emulator restarted).
      if (errorCode(error) !== 'ContainerNotFound') throw error;
      context.ensured.delete(ref.container);
      await ensureContainer(context, ref.container, common.abortSignal);
      return put();
    }
  });
  return toProperties(
    ref,
    { ...response, contentType: common.blobHTTPHeaders.blobContentType, metadata: common.metadata },
    size,
  );
}

async function upload(
  context: AzureContext,
  ref: BlobRef,
  body: BlobBody,
  uploadOptions: UploadOptions = {},
): Promise<BlobProperties> {
  assertBlobRef(ref);
  assertMetadata(uploadOptions.metadata);
  // The container check below awaits; a body failing meanwhile must not go unhandled.
  if (body instanceof Readable) parkErrors(body);
  const { signal } = uploadOptions;
  const common: UploadCommon = {
    blobHTTPHeaders: { blobContentType: uploadOptions.contentType ?? defaultContentType },
    metadata: uploadOptions.metadata ?? {},
    ...(signal === undefined ? {} : { abortSignal: signal }),
  };
  await run(context, ref, () => ensureContainer(context, ref.container, signal));
  if (!(body instanceof Readable)) {
    const data = Buffer.isBuffer(body) ? body : Buffer.from(body.buffer, body.byteOffset, body.byteLength);
    return uploadWhole(context, ref, [data], common);
  }
  throwIfErrored(body);
  const source = body[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const { head, ended } = await readHead(source, context.blockSize);
  return ended
    ? uploadWhole(context, ref, head, common)
    : uploadBlocks(context, ref, { head, source }, common);
}

async function remove(context: AzureContext, ref: BlobRef, signal?: AbortSignal): Promise<boolean> {
  assertBlobRef(ref);
  return await run(context, ref, async () => {
    try {
      const response = await blobClient(context, ref).deleteIfExists({
        deleteSnapshots: 'include',
        ...(signal === undefined ? {} : { abortSignal: signal }),
      });
      return response.succeeded;
    } catch (error) {
      if (errorCode(error) === 'ContainerNotFound') return false;
      throw error;
    }
  });
}

async function list(
  context: AzureContext,
  container: string,
  listOptions: ListOptions = {},
): Promise<BlobPage> {
  assertContainerName(container);
  const pageSize = listPageSize(listOptions.pageSize);
  const ref = { container, name: listOptions.prefix ?? '' };
  try {
    const pages = containerOf(context, container)
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
      context.ensured.delete(container);
      return { items: [] };
    }
    throw mapError(error, formatBlobUri(ref));
  }
}

/** The validated link's times: start 5 minutes back (clock skew), expiry on a whole second. */
function sasTimes(context: AzureContext, sas: SasOptions): { startsOn: Date; expiresOn: Date } {
  const issuedAt = context.now().getTime();
  return {
    startsOn: new Date(issuedAt - clockSkewMs),
    expiresOn: new Date(Math.floor(issuedAt / 1000) * 1000 + sas.expiresInSeconds * 1000),
  };
}

/** The blob's URL as the SDK would build it, without building a client (hot in SAS issuing). */
const plainUrl = (context: AzureContext, ref: BlobRef) =>
  `${containerOf(context, ref.container).url}/${escapeBlobPath(ref.name)}`;

/** The SDK's signing values for one blob link. */
function sasValues(ref: BlobRef, sas: SasOptions, signed: SignedTimes) {
  return {
    containerName: ref.container,
    blobName: ref.name,
    permissions: BlobSASPermissions.parse(signed.permissions),
    startsOn: signed.startsOn,
    expiresOn: signed.expiresOn,
    ...(sas.contentDisposition === undefined ? {} : { contentDisposition: sas.contentDisposition }),
  };
}

interface SignedTimes {
  permissions: string;
  startsOn: Date;
  expiresOn: Date;
}

/** Shared-key links are local CPU work: no await, so no promise beyond the one returned. */
function sasUrl(context: AzureContext, ref: BlobRef, sas: SasOptions): Promise<SasLink> {
  try {
    assertBlobRef(ref);
    assertSasLifetime(sas.expiresInSeconds);
    const signed = { permissions: normalizeSasPermissions(sas.permissions), ...sasTimes(context, sas) };
    if (context.sharedKey === undefined) return delegatedSasUrl(context, ref, sas, signed);
    const query = generateBlobSASQueryParameters(sasValues(ref, sas, signed), context.sharedKey);
    const { expiresOn, permissions } = signed;
    return Promise.resolve({ url: `${plainUrl(context, ref)}?${query.toString()}`, expiresOn, permissions });
  } catch (error) {
    // eslint-disable-next-line @typescript-eslint/prefer-promise-reject-errors -- rethrown as caught
    return Promise.reject(error);
  }
}

/** Managed identity: signed with the (cached) user delegation key. */
async function delegatedSasUrl(
  context: AzureContext,
  ref: BlobRef,
  sas: SasOptions,
  signed: SignedTimes,
): Promise<SasLink> {
  const key = await context.delegationKeys.get(signed.expiresOn);
  const query = generateBlobSASQueryParameters(sasValues(ref, sas, signed), key, context.service.accountName);
  const { expiresOn, permissions } = signed;
  return { url: `${plainUrl(context, ref)}?${query.toString()}`, expiresOn, permissions };
}

const abortOf = (signal: AbortSignal | undefined) => (signal === undefined ? {} : { abortSignal: signal });

export function createAzureBlobStore(options: AzureBlobStoreOptions): BlobStore {
  const context = createContext(options);
  return {
    driver: 'azure',
    defaultContainer: options.defaultContainer,
    upload: (ref, body, uploadOptions) => upload(context, ref, body, uploadOptions),
    download: (ref, downloadOptions) => download(context, ref, downloadOptions),
    downloadBuffer: async (ref, downloadOptions) =>
      buffer((await download(context, ref, downloadOptions)).stream),
    async exists(ref, existsOptions = {}) {
      assertBlobRef(ref);
      return await run(context, ref, () => blobClient(context, ref).exists(abortOf(existsOptions.signal)));
    },
    async head(ref, headOptions = {}) {
      assertBlobRef(ref);
      return await run(context, ref, async () =>
        toProperties(ref, await blobClient(context, ref).getProperties(abortOf(headOptions.signal))),
      );
    },
    delete: (ref, deleteOptions = {}) => remove(context, ref, deleteOptions.signal),
    list: (container, listOptions) => list(context, container, listOptions),
    url(ref) {
      assertBlobRef(ref);
      return blobClient(context, ref).url;
    },
    sasUrl: (ref, sas) => sasUrl(context, ref, sas),
    async ping(container, signal) {
      assertContainerName(container);
      // Container properties: one cheap authenticated round trip; a missing container still proves
      // the account answers.
      await containerOf(context, container).exists(abortOf(signal));
    },
  };
}
