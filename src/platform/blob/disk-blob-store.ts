// The embedded BlobStore: blobs as files under DATA_DIR/blobs. Every name segment is encoded
// and suffixed, so no name can escape the root or collide with another (`a` and `a/b` coexist).
//
// Layout: {root}/{container}/{seg}~d/…/{last}~m  JSON metadata, pointing at the current version
//                                     …/{last}~{version}  the bytes of that version
// An upload writes the bytes to {root}/.tmp, renames them beside the blob under a fresh version,
// then atomically renames a new ~m file into place: readers see the old blob or the new one. The
// .tmp files are named for their process (platform/temp/owned-temp.ts), so those a crash left are
// swept by the same rule as the jobs' temporary directories.
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { access, mkdir, open, readFile, readdir, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { pipeline } from 'node:stream/promises';
import { errors } from '../errors/app-error.js';
import { createOwnedTemp, type OwnedTemp } from '../temp/owned-temp.js';
import {
  assertBlobRef,
  assertContainerName,
  listPageSize,
  assertMetadata,
  assertSasLifetime,
} from './blob-names.js';
import { formatBlobUri } from './blob-uri.js';
import { signDiskLink } from './disk-signed-links.js';
import { filesPath } from './signed-link-verifier.js';
import { resolveRange } from './byte-range.js';
import { parkErrors, throwIfErrored } from './stream-errors.js';
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

export interface DiskBlobStoreOptions {
  /** Root directory, normally `{DATA_DIR}/blobs`. */
  root: string;
  defaultContainer: string;
  /** HMAC key for signed links (BLOB_SIGNING_KEY, or one generated under DATA_DIR). */
  signingKey: Buffer;
  /** The API's public origin for links, e.g. `http://localhost:8080`. */
  publicBaseUrl: string;
  /** Where uploads in progress are written; default `{root}/.tmp`, owned by this process. */
  temp?: OwnedTemp;
  now?: () => Date;
}

/** The temporary files of a disk store under `root`: one rule for writing and for sweeping them. */
export const diskUploadTemp = (root: string): OwnedTemp =>
  createOwnedTemp({ root: join(resolve(root), '.tmp'), prefix: 'upload' });

interface MetaFile {
  name: string;
  version: string;
  size: number;
  contentType: string;
  etag: string;
  lastModified: string;
  metadata: Record<string, string>;
}

const metaSuffix = '~m';
const dirSuffix = '~d';
const defaultContentType = 'application/octet-stream';

const encodeSegment = (segment: string): string =>
  encodeURIComponent(segment).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

const isNotFound = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'ENOENT';

/** What every operation needs: the resolved root, its temp files, the clock and the options. */
interface DiskContext {
  root: string;
  temp: OwnedTemp;
  now: () => Date;
  options: DiskBlobStoreOptions;
}

/** Resolves inside the root or throws: the encoding already prevents escapes; this proves it. */
function inside({ root }: DiskContext, ...parts: string[]): string {
  const path = resolve(root, ...parts);
  if (!path.startsWith(root + sep)) throw errors.badRequest('Blob path escapes the storage root.');
  return path;
}

/**
 * One name segment as a file-system name. Encoding can triple a segment, and a directory or file
 * name over the file system's 255 bytes fails with ENAMETOOLONG, so every segment is held to 200.
 */
function diskSegment(segment: string): string {
  const encoded = encodeSegment(segment);
  if (Buffer.byteLength(encoded) > 200)
    throw errors.badRequest('Blob name segment is too long for the disk driver (200 bytes encoded).');
  return encoded;
}

function locate(context: DiskContext, ref: BlobRef) {
  assertBlobRef(ref);
  const segments = ref.name.split('/');
  const base = diskSegment(segments.pop() ?? '');
  const dir = inside(context, ref.container, ...segments.map((s) => diskSegment(s) + dirSuffix));
  return {
    dir,
    meta: join(dir, base + metaSuffix),
    data: (version: string) => join(dir, `${base}~${version}`),
  };
}

const notFound = (ref: BlobRef) => errors.notFound(`Blob ${formatBlobUri(ref)} was not found.`);

async function readMeta(context: DiskContext, ref: BlobRef): Promise<MetaFile | undefined> {
  try {
    return JSON.parse(await readFile(locate(context, ref).meta, 'utf8')) as MetaFile;
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

const toProperties = (container: string, meta: MetaFile): BlobProperties => ({
  container,
  name: meta.name,
  size: meta.size,
  contentType: meta.contentType,
  etag: meta.etag,
  lastModified: new Date(meta.lastModified),
  metadata: meta.metadata,
});

async function head(context: DiskContext, ref: BlobRef): Promise<BlobProperties> {
  const meta = await readMeta(context, ref);
  if (meta === undefined) throw notFound(ref);
  return toProperties(ref.container, meta);
}

async function download(
  context: DiskContext,
  ref: BlobRef,
  downloadOptions: DownloadOptions = {},
): Promise<BlobDownload> {
  const location = locate(context, ref);
  // A concurrent overwrite may remove the version we just read about; reading the pointer again
  // once finds the new one.
  for (let tries = 0; ; tries++) {
    const meta = await readMeta(context, ref);
    if (meta === undefined) throw notFound(ref);
    const range = resolveRange(downloadOptions.range, meta.size);
    let handle;
    try {
      handle = await open(location.data(meta.version), 'r');
    } catch (error) {
      if (isNotFound(error) && tries === 0) continue;
      if (isNotFound(error)) throw notFound(ref);
      throw error;
    }
    const contentLength = range === undefined ? meta.size : range.end - range.start + 1;
    const stream =
      contentLength === 0
        ? (await handle.close(), Readable.from([]))
        : handle.createReadStream({
            ...(range === undefined ? {} : { start: range.start, end: range.end }),
          });
    return {
      properties: toProperties(ref.container, meta),
      stream,
      contentLength,
      ...(range === undefined ? {} : { range }),
    };
  }
}

/** Writes the body to `path` (a new file), returning how many bytes it held. */
async function writeBody(path: string, body: BlobBody, signal: AbortSignal | undefined): Promise<number> {
  let size = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      size += chunk.length;
      callback(null, chunk);
    },
  });
  const source = body instanceof Readable ? body : Readable.from([Buffer.from(body)]);
  throwIfErrored(source);
  await pipeline(
    source,
    counter,
    createWriteStream(path, { flags: 'wx' }),
    ...(signal === undefined ? [] : [{ signal }]),
  );
  return size;
}

async function upload(
  context: DiskContext,
  ref: BlobRef,
  body: BlobBody,
  uploadOptions: UploadOptions = {},
): Promise<BlobProperties> {
  const location = locate(context, ref);
  assertMetadata(uploadOptions.metadata);
  if (body instanceof Readable) parkErrors(body);
  const tmp = await context.temp.file('blob');
  const tmpData = tmp.path;
  const tmpMeta = `${tmpData}.meta`;
  const version = randomBytes(8).toString('hex');
  try {
    const size = await writeBody(tmpData, body, uploadOptions.signal);
    const meta: MetaFile = {
      name: ref.name,
      version,
      size,
      contentType: uploadOptions.contentType ?? defaultContentType,
      etag: `"0x${version.toUpperCase()}"`,
      lastModified: context.now().toISOString(),
      metadata: { ...uploadOptions.metadata },
    };
    await writeFile(tmpMeta, JSON.stringify(meta), { flag: 'wx' });
    await mkdir(location.dir, { recursive: true });
    const previous = await readMeta(context, ref);
    await rename(tmpData, location.data(version));
    await rename(tmpMeta, location.meta);
    if (previous !== undefined) await rm(location.data(previous.version), { force: true });
    return toProperties(ref.container, meta);
  } finally {
    // Renamed into place on success; removed when the body failed half-way.
    await tmp.release();
  }
}

async function exists(context: DiskContext, ref: BlobRef): Promise<boolean> {
  try {
    await access(locate(context, ref).meta);
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}

async function removeEmptyDirs(context: DiskContext, dir: string, container: string): Promise<void> {
  const stop = inside(context, container);
  for (let current = dir; current !== stop && current.startsWith(stop + sep); current = dirname(current)) {
    try {
      await rmdir(current);
    } catch {
      return; // not empty (or raced with a writer): leave it
    }
  }
}

async function remove(context: DiskContext, ref: BlobRef): Promise<boolean> {
  const location = locate(context, ref);
  const meta = await readMeta(context, ref);
  if (meta === undefined) return false;
  // The pointer goes first, so the blob disappears at once; the bytes follow.
  await rm(location.meta, { force: true });
  await rm(location.data(meta.version), { force: true });
  await removeEmptyDirs(context, location.dir, ref.container);
  return true;
}

async function listNames(context: DiskContext, container: string, prefix: string): Promise<string[]> {
  const names: string[] = [];
  const walk = async (dir: string, namePrefix: string): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      if (isNotFound(error)) return;
      throw error;
    }
    for (const entry of entries) {
      if (entry.isDirectory() && entry.name.endsWith(dirSuffix)) {
        const next = `${namePrefix}${decodeURIComponent(entry.name.slice(0, -dirSuffix.length))}/`;
        if (next.startsWith(prefix) || prefix.startsWith(next)) await walk(join(dir, entry.name), next);
      } else if (entry.isFile() && entry.name.endsWith(metaSuffix)) {
        const name = namePrefix + decodeURIComponent(entry.name.slice(0, -metaSuffix.length));
        if (name.startsWith(prefix)) names.push(name);
      }
    }
  };
  await walk(inside(context, container), '');
  // Azure lists in binary (UTF-8) order; compare buffers so non-ASCII names sort the same way.
  return names.sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

async function list(
  context: DiskContext,
  container: string,
  listOptions: ListOptions = {},
): Promise<BlobPage> {
  assertContainerName(container);
  const pageSize = listPageSize(listOptions.pageSize);
  const after =
    listOptions.continuationToken === undefined
      ? undefined
      : Buffer.from(listOptions.continuationToken, 'base64url').toString('utf8');
  let names = await listNames(context, container, listOptions.prefix ?? '');
  if (after !== undefined)
    names = names.filter((n) => Buffer.compare(Buffer.from(n), Buffer.from(after)) > 0);
  const items: BlobProperties[] = [];
  let index = 0;
  for (; index < names.length && items.length < pageSize; index++) {
    const name = names[index] ?? '';
    const meta = await readMeta(context, { container, name });
    if (meta !== undefined) items.push(toProperties(container, meta)); // deleted meanwhile: skip
  }
  const last = items.at(-1);
  return index < names.length && last !== undefined
    ? { items, continuationToken: Buffer.from(last.name).toString('base64url') }
    : { items };
}

function sasUrl({ options, now }: DiskContext, ref: BlobRef, sas: SasOptions): Promise<SasLink> {
  // Signing is synchronous; the executor turns a validation throw into a rejection.
  return new Promise((resolvePromise) => {
    assertBlobRef(ref);
    assertSasLifetime(sas.expiresInSeconds);
    const expiresOn = new Date(Math.floor(now().getTime() / 1000) * 1000 + sas.expiresInSeconds * 1000);
    const url = signDiskLink(
      { key: options.signingKey, publicBaseUrl: options.publicBaseUrl },
      {
        ref,
        permissions: sas.permissions,
        expiresOn,
        ...(sas.contentDisposition === undefined ? {} : { contentDisposition: sas.contentDisposition }),
      },
    );
    resolvePromise({ url, expiresOn, permissions: new URL(url).searchParams.get('sp') ?? '' });
  });
}

export function createDiskBlobStore(options: DiskBlobStoreOptions): BlobStore {
  const root = resolve(options.root);
  const context: DiskContext = {
    root,
    temp: options.temp ?? diskUploadTemp(root),
    now: options.now ?? (() => new Date()),
    options,
  };
  return {
    driver: 'disk',
    defaultContainer: options.defaultContainer,
    upload: (ref, body, uploadOptions) => upload(context, ref, body, uploadOptions),
    download: (ref, downloadOptions) => download(context, ref, downloadOptions),
    downloadBuffer: async (ref, downloadOptions) =>
      buffer((await download(context, ref, downloadOptions)).stream),
    exists: (ref) => exists(context, ref),
    head: (ref) => head(context, ref),
    delete: (ref) => remove(context, ref),
    list: (container, listOptions) => list(context, container, listOptions),
    url(ref) {
      assertBlobRef(ref);
      const query =
        ref.container === options.defaultContainer ? '' : `?sc=${encodeURIComponent(ref.container)}`;
      return `${options.publicBaseUrl}${filesPath(ref.name)}${query}`;
    },
    sasUrl: (ref, sas) => sasUrl(context, ref, sas),
    async ping(container) {
      assertContainerName(container);
      await mkdir(root, { recursive: true });
      await access(root);
    },
  };
}
