// The files API (seed 001): streaming multipart upload, listing and links; the routes on one
// file are in files-object-routes.ts. Every name is within the caller's own files
// (files-namespace.ts); an admin reaches another user's with `owner`.
//
//   POST   /api/files              multipart: optional field `name` (before the file), field `file`
//   GET    /api/files?prefix=&limit=&cursor=
//   POST   /api/files/sas          { name | names, permissions ⊆ "rwcd", expiresInSeconds?, contentDisposition? }
import Type from 'typebox';
import type { App } from '../../http/app-types.js';
import { access, callerOf, ownerFor } from '../../http/caller.js';
import { refuseUnknownFields } from '../../http/multipart-fields.js';
import { problemResponses } from '../../http/problem.js';
import { filesPath } from '../../platform/blob/signed-link-verifier.js';
import { errors } from '../../platform/errors/app-error.js';
import type { DependencyCheck } from '../../platform/health/dependency-check.js';
import {
  FileList,
  ListQuery,
  OwnerQuery,
  SasBody,
  SasLinkResponse,
  SasLinksResponse,
  StorageHealth,
  UploadedFile,
  UploadForm,
} from './files-schemas.js';
import { defaultFileName, type FilesService } from './files-service.js';
import { fileView, linkView, uploadedView } from './files-views.js';

export const tags = ['files'];

function multipartName(fields: Record<string, unknown>): string | undefined {
  const field = fields.name;
  if (field === undefined || Array.isArray(field)) return undefined;
  const { type, value } = field as { type?: unknown; value?: unknown };
  return type === 'field' && typeof value === 'string' && value !== '' ? value : undefined;
}

export function registerUpload(app: App, service: FilesService): void {
  const signedIn = access(app, 'signed-in');
  app.post(
    '/api/files',
    {
      preHandler: signedIn.preHandler,
      schema: {
        tags,
        summary: 'Upload a file (multipart/form-data, streamed): optional field `name`, then field `file`',
        ...signedIn.schema,
        consumes: ['multipart/form-data'],
        querystring: OwnerQuery,
        multipart: UploadForm,
        response: { 201: UploadedFile, ...problemResponses(400, 401, 403, 413, 415, 429, 503) },
      },
    },
    async (request, reply) => {
      const owner = ownerFor(request, request.query.owner);
      if (!request.isMultipart()) throw errors.unsupportedMediaType('Send the file as multipart/form-data.');
      const part = await request.file();
      if (part === undefined) throw errors.badRequest('The multipart body has no file part.');
      if (part.fieldname !== 'file') throw errors.badRequest('The file part must be named "file".');
      refuseUnknownFields(part.fields, { known: ['name'], file: 'file' });
      const name = multipartName(part.fields) ?? defaultFileName(part.filename);
      const target = service.ref(owner, name);
      const properties = await service.upload(target, {
        body: part.file,
        contentType: part.mimetype,
        truncated: () => part.file.truncated,
        quotaSubject: callerOf(request).quotaSubject,
      });
      reply.header('location', filesPath(name));
      return reply.code(201).send(uploadedView(properties, name, service.url(target, name)));
    },
  );
}

export function registerList(app: App, service: FilesService): void {
  const signedIn = access(app, 'signed-in');
  app.get(
    '/api/files',
    {
      preHandler: signedIn.preHandler,
      schema: {
        tags,
        summary: 'List the caller’s files, by name prefix, a page at a time',
        ...signedIn.schema,
        querystring: ListQuery,
        response: { 200: FileList, ...problemResponses(400, 401, 403, 503) },
      },
    },
    async (request) => {
      const { owner, prefix, limit, cursor } = request.query;
      const page = await service.list(ownerFor(request, owner), {
        ...(prefix === undefined ? {} : { prefix }),
        ...(limit === undefined ? {} : { limit }),
        ...(cursor === undefined ? {} : { cursor }),
      });
      return { items: page.items.map(fileView), nextCursor: page.nextCursor };
    },
  );
}

export function registerLinks(app: App, service: FilesService): void {
  const signedIn = access(app, 'signed-in');
  app.post(
    '/api/files/sas',
    {
      preHandler: signedIn.preHandler,
      schema: {
        tags,
        summary: 'Time-limited links to one file (`name`) or up to 100 (`names`) with the given permissions',
        ...signedIn.schema,
        body: SasBody,
        response: {
          200: Type.Union([SasLinkResponse, SasLinksResponse], { description: 'The link, or one per name' }),
          ...problemResponses(400, 401, 403, 404, 503),
        },
      },
    },
    async (request) => {
      const { name, names, owner, ...link } = request.body;
      if ((name === undefined) === (names === undefined))
        throw errors.badRequest('Give either `name` (one link) or `names` (up to 100 links).');
      const links = await service.links(ownerFor(request, owner), names ?? [name ?? ''], link);
      if (name !== undefined && links[0] !== undefined) return linkView(links[0]);
      return { items: links.map((l) => ({ name: l.name, ...linkView(l) })) };
    },
  );
}

export function registerStorageHealth(app: App, health: DependencyCheck, region: string | undefined): void {
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
      const result = await health.check(AbortSignal.timeout(5000)).catch((error: unknown) => ({
        status: 'unhealthy' as const,
        error: error instanceof Error ? error.message : String(error),
      }));
      return reply.code(result.status === 'unhealthy' ? 503 : 200).send({
        service: 'azure_blob_storage' as const,
        ...(region === undefined ? {} : { region }),
        driver: health.driver,
        ...result,
      });
    },
  );
}
