// The files API: streaming multipart upload, ranged download, HEAD, DELETE, listing, SAS links,
// and the disk driver's signed links. Bodies are streamed both ways, never buffered.
//
//   POST   /api/files              multipart: optional field `name` (before the file), field `file`
//   GET    /api/files?prefix=&limit=&cursor=
//   GET    /api/files/{name}       Range supported; also serves disk-driver signed links (?sig=…)
//   HEAD   /api/files/{name}
//   PUT    /api/files/{name}       raw body; signed links with w (or c: create only)
//   DELETE /api/files/{name}       204, also when absent
//   POST   /api/files/sas          { name, permissions ⊆ "rwcd", expiresInSeconds?, contentDisposition? }
//   GET    /health/azure-storage   driver and breaker state
import { Readable } from 'node:stream';
import multipart from '@fastify/multipart';
import type { FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import type { App, AppModule } from '../../http/app-types.js';
import { requirePrincipal } from '../../http/auth.js';
import { problemResponses } from '../../http/problem.js';
import { refuseUnknownFields } from '../../http/multipart-fields.js';
import type { BlobProperties, BlobRef } from '../../platform/blob/blob-store.js';
import type { LinkPermission, LinkVerdict } from '../../platform/blob/disk-signed-links.js';
import { errors } from '../../platform/errors/app-error.js';
import type { DependencyCheck } from '../../platform/health/dependency-check.js';
import { createFilesService, type FilesServiceOptions } from './files-service.js';
import {
  FileList,
  FileNameParams,
  FileProperties,
  ListQuery,
  SasBody,
  SasLinkResponse,
  SignedLinkQuery,
  StorageHealth,
  UploadedFile,
} from './files-schemas.js';
import { parseRangeHeader } from './range-header.js';

export interface FilesModuleOptions extends FilesServiceOptions {
  /** The storage DependencyCheck, for GET /health/azure-storage. */
  health: DependencyCheck;
  /** AZURE_REGION, shown on GET /health/azure-storage (seed 001). */
  region?: string | undefined;
  /** Disk driver only (BlobStoreBundle.verifyLink): checks signed links served by this API. */
  verifyLink?: (options: {
    ref: BlobRef;
    query: Record<string, string | undefined>;
    permission: LinkPermission;
  }) => LinkVerdict;
}

const tags = ['files'];

const fileView = (p: BlobProperties) => ({
  name: p.name,
  size: p.size,
  contentType: p.contentType,
  etag: p.etag,
  lastModified: p.lastModified.toISOString(),
});

function setFileHeaders(reply: FastifyReply, p: BlobProperties): void {
  reply.header('content-type', p.contentType);
  reply.header('etag', p.etag);
  reply.header('last-modified', p.lastModified.toUTCString());
  reply.header('accept-ranges', 'bytes');
}

export function createFilesModule(options: FilesModuleOptions): AppModule {
  const service = createFilesService(options);
  const mustSignIn = requirePrincipal();

  /**
   * Admits a request carrying a valid signed link for `permission`, or else an authenticated
   * principal (AUTH_MODE=jwt). Returns the link's content-disposition, if any.
   */
  const admit = async (
    request: FastifyRequest,
    reply: FastifyReply,
    name: string,
    query: Record<string, string | undefined>,
    permission: LinkPermission,
  ): Promise<{ contentDisposition?: string }> => {
    if (query.sig === undefined) {
      await mustSignIn(request, reply);
      return {};
    }
    if (options.verifyLink === undefined)
      throw errors.forbidden('Signed links are issued by Azure Storage for this driver.');
    if ((query.sc ?? options.container) !== options.container)
      throw errors.forbidden('The link is for another container.');
    const verdict = options.verifyLink({ ref: { container: options.container, name }, query, permission });
    if (!verdict.ok) throw errors.forbidden(`Signed link refused: ${verdict.reason}.`);
    return verdict.contentDisposition === undefined ? {} : { contentDisposition: verdict.contentDisposition };
  };

  return async (app: App) => {
    app.addSchema(FileProperties);
    await app.register(multipart, {
      limits: { fileSize: options.maxUploadBytes, files: 1, fields: 5, fieldSize: 2048, parts: 6 },
    });

    app.post(
      '/api/files',
      {
        preHandler: mustSignIn,
        schema: {
          tags,
          summary: 'Upload a file (multipart/form-data, streamed): optional field `name`, then field `file`',
          consumes: ['multipart/form-data'],
          response: { 201: UploadedFile, ...problemResponses(400, 401, 413, 415, 429, 503) },
        },
      },
      async (request, reply) => {
        if (!request.isMultipart())
          throw errors.unsupportedMediaType('Send the file as multipart/form-data.');
        const part = await request.file();
        if (part === undefined) throw errors.badRequest('The multipart body has no file part.');
        if (part.fieldname !== 'file') throw errors.badRequest('The file part must be named "file".');
        refuseUnknownFields(part.fields, { known: ['name'], file: 'file' });
        const nameField = part.fields.name;
        const name =
          nameField !== undefined &&
          !Array.isArray(nameField) &&
          nameField.type === 'field' &&
          typeof nameField.value === 'string'
            ? nameField.value
            : undefined;
        const { properties, url } = await service.upload({
          body: part.file,
          ...(name === undefined || name === '' ? {} : { name }),
          filename: part.filename,
          contentType: part.mimetype,
          truncated: () => part.file.truncated,
        });
        reply.header(
          'location',
          `/api/files/${properties.name.split('/').map(encodeURIComponent).join('/')}`,
        );
        return reply.code(201).send({
          name: properties.name,
          size: properties.size,
          contentType: properties.contentType,
          etag: properties.etag,
          url,
        });
      },
    );

    app.get(
      '/api/files',
      {
        preHandler: mustSignIn,
        schema: {
          tags,
          summary: 'List files, by name prefix, a page at a time',
          querystring: ListQuery,
          response: { 200: FileList, ...problemResponses(400, 401, 503) },
        },
      },
      async (request) => {
        const page = await service.list(request.query);
        return { items: page.items.map(fileView), nextCursor: page.nextCursor };
      },
    );

    app.post(
      '/api/files/sas',
      {
        preHandler: mustSignIn,
        schema: {
          tags,
          summary: 'A time-limited link to a file with the given permissions',
          body: SasBody,
          response: { 200: SasLinkResponse, ...problemResponses(400, 401, 503) },
        },
      },
      async (request) => {
        const link = await service.sas(request.body);
        return { url: link.url, expiresOn: link.expiresOn.toISOString(), permissions: link.permissions };
      },
    );

    app.head(
      '/api/files/*',
      {
        schema: {
          tags,
          summary: 'A file’s headers without its body',
          params: FileNameParams,
          querystring: SignedLinkQuery,
        },
      },
      async (request, reply) => {
        const name = request.params['*'];
        const link = await admit(request, reply, name, request.query, 'r');
        const properties = await service.head(name);
        setFileHeaders(reply, properties);
        if (link.contentDisposition !== undefined)
          reply.header('content-disposition', link.contentDisposition);
        reply.header('content-length', properties.size);
        return reply.code(200).send();
      },
    );

    app.get(
      '/api/files/*',
      {
        exposeHeadRoute: false,
        schema: {
          tags,
          summary: 'Download a file (streamed; Range supported); also serves signed links',
          params: FileNameParams,
          querystring: SignedLinkQuery,
          response: {
            200: Type.Unknown(),
            206: Type.Unknown(),
            ...problemResponses(401, 403, 404, 416, 503),
          },
        },
      },
      async (request, reply) => {
        const name = request.params['*'];
        const link = await admit(request, reply, name, request.query, 'r');
        const parsed = parseRangeHeader(request.headers.range);
        const download = await service.download(
          name,
          parsed.kind === 'none'
            ? undefined
            : parsed.kind === 'suffix'
              ? { suffixLength: parsed.length }
              : parsed.range,
        );
        setFileHeaders(reply, download.properties);
        if (link.contentDisposition !== undefined)
          reply.header('content-disposition', link.contentDisposition);
        reply.header('content-length', download.contentLength);
        if (download.range !== undefined) {
          reply.header(
            'content-range',
            `bytes ${download.range.start}-${download.range.end}/${download.properties.size}`,
          );
          reply.code(206);
        }
        return reply.send(download.stream);
      },
    );

    // PUT takes any body as the raw request stream, never buffered or parsed, so it lives in a
    // child scope whose only parser hands the stream through.
    await app.register(async (raw: App) => {
      raw.removeAllContentTypeParsers();
      raw.addContentTypeParser('*', (_request, payload, done) => {
        done(null, payload);
      });
      registerRawPut(raw);
    });

    function registerRawPut(raw: App): void {
      raw.put(
        '/api/files/*',
        {
          schema: {
            tags,
            summary: 'Upload a file as the raw request body (streamed); also accepts signed write links',
            params: FileNameParams,
            querystring: SignedLinkQuery,
            response: { 201: UploadedFile, ...problemResponses(400, 401, 403, 413, 429, 503) },
          },
        },
        async (request, reply) => {
          const name = request.params['*'];
          const body = request.body;
          if (!(body instanceof Readable))
            throw errors.unsupportedMediaType('Send the file as the raw request body.');
          if (request.query.sig !== undefined && !(request.query.sp ?? '').includes('w')) {
            // A create-only link may not overwrite.
            await admit(request, reply, name, request.query, 'c');
            if (await service.exists(name))
              throw errors.forbidden('This link may create the file, not overwrite it.');
          } else {
            await admit(request, reply, name, request.query, 'w');
          }
          const contentType = request.headers['content-type'];
          const { properties, url } = await service.upload({
            body,
            name,
            ...(contentType === undefined ? {} : { contentType }),
          });
          return reply.code(201).send({
            name: properties.name,
            size: properties.size,
            contentType: properties.contentType,
            etag: properties.etag,
            url,
          });
        },
      );
    }

    app.delete(
      '/api/files/*',
      {
        schema: {
          tags,
          summary: 'Delete a file (204 also when it was absent)',
          params: FileNameParams,
          querystring: SignedLinkQuery,
          response: { 204: Type.Null(), ...problemResponses(401, 403, 503) },
        },
      },
      async (request, reply) => {
        const name = request.params['*'];
        await admit(request, reply, name, request.query, 'd');
        await service.delete(name);
        return reply.code(204).send(null);
      },
    );

    app.get(
      '/health/azure-storage',
      {
        config: { rateLimit: false },
        schema: {
          tags: ['health'],
          summary: 'Blob storage: driver, container and circuit-breaker state',
          response: { 200: StorageHealth, 503: StorageHealth },
        },
      },
      async (_request, reply) => {
        const result = await options.health.check(AbortSignal.timeout(5000)).catch((error: unknown) => ({
          status: 'unhealthy' as const,
          error: error instanceof Error ? error.message : String(error),
        }));
        return reply.code(result.status === 'unhealthy' ? 503 : 200).send({
          service: 'azure_blob_storage' as const,
          driver: options.health.driver,
          ...(options.region === undefined ? {} : { region: options.region }),
          ...result,
        });
      },
    );
  };
}
