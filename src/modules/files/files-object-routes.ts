// The files API's routes on one file, each admitted by files-admission.ts (the caller's own file,
// an admin's `owner`, or a signed link); bodies are streamed both ways, never buffered.
//
//   GET    /api/files/{name}       Range, If-None-Match; also serves signed links (?sig=…) of any container
//   HEAD   /api/files/{name}
//   PUT    /api/files/{name}       raw body; signed links with w (or c: create only)
//   DELETE /api/files/{name}       204, also when absent
import { Readable } from 'node:stream';
import type { FastifyReply } from 'fastify';
import Type from 'typebox';
import type { App } from '../../http/app-types.js';
import { access, quotaSubjectOf } from '../../http/caller.js';
import { problemResponses } from '../../http/problem.js';
import type { BlobRef } from '../../platform/blob/blob-store.js';
import { errors, isAppError } from '../../platform/errors/app-error.js';
import { admitter, type Admit, type FilesRoutesDeps } from './files-admission.js';
import { tags } from './files-routes.js';
import { FileNameParams, FileQuery, UploadedFile } from './files-schemas.js';
import type { FilesService } from './files-service.js';
import { etagMatches, setFileHeaders, uploadedView } from './files-views.js';
import { parseRangeHeader } from './range-header.js';

const notModified = Type.Unknown({ description: 'Not modified: the ETag matches If-None-Match (no body)' });

/** What every route on one file declares: who may call, the name, the link or owner query. */
const onOneFile = (app: App) => ({
  tags,
  ...access(app, 'signed-in-or-link').schema,
  params: FileNameParams,
  querystring: FileQuery,
});

export function registerObjectRoutes(app: App, deps: FilesRoutesDeps): void {
  const admit = admitter(app, deps);
  registerHead(app, deps.service, admit);
  registerGet(app, deps.service, admit);
  registerDelete(app, deps.service, admit);
}

/** Range (206) or the whole file; a 416 says the size (`Content-Range: bytes *\/size`). */
async function download(service: FilesService, reply: FastifyReply, ref: BlobRef, range: string | undefined) {
  const parsed = parseRangeHeader(range);
  try {
    return await service.download(
      ref,
      parsed.kind === 'none'
        ? undefined
        : parsed.kind === 'suffix'
          ? { suffixLength: parsed.length }
          : parsed.range,
    );
  } catch (error) {
    if (isAppError(error) && error.status === 416) {
      const size = await service.head(ref).then(
        (p) => p.size,
        () => undefined,
      );
      if (size !== undefined) reply.header('content-range', `bytes */${size}`);
    }
    throw error;
  }
}

function registerHead(app: App, service: FilesService, admit: Admit): void {
  app.head(
    '/api/files/*',
    {
      schema: {
        ...onOneFile(app),
        summary: 'A file’s headers without its body (If-None-Match answers 304)',
        response: {
          200: Type.Unknown({ description: 'The file’s headers, no body' }),
          304: notModified,
          ...problemResponses(401, 403, 404, 503),
        },
      },
    },
    async (request, reply) => {
      const admitted = await admit(request, reply, {
        name: request.params['*'],
        query: request.query,
        permission: 'r',
      });
      const properties = await service.head(admitted.ref);
      setFileHeaders(reply, properties, admitted.contentDisposition);
      if (etagMatches(request.headers['if-none-match'], properties.etag)) return reply.code(304).send();
      reply.header('content-length', properties.size);
      return reply.code(200).send();
    },
  );
}

function registerGet(app: App, service: FilesService, admit: Admit): void {
  app.get(
    '/api/files/*',
    {
      exposeHeadRoute: false,
      schema: {
        ...onOneFile(app),
        summary: 'Download a file (streamed; Range and If-None-Match supported); also serves signed links',
        produces: ['application/octet-stream'],
        response: {
          200: Type.Unknown({ description: 'The file' }),
          206: Type.Unknown({ description: 'The requested byte range' }),
          304: notModified,
          ...problemResponses(401, 403, 404, 416, 503),
        },
      },
    },
    async (request, reply) => {
      const admitted = await admit(request, reply, {
        name: request.params['*'],
        query: request.query,
        permission: 'r',
      });
      const ifNoneMatch = request.headers['if-none-match'];
      if (ifNoneMatch !== undefined) {
        const properties = await service.head(admitted.ref);
        if (etagMatches(ifNoneMatch, properties.etag)) {
          setFileHeaders(reply, properties, admitted.contentDisposition);
          return reply.code(304).send();
        }
      }
      const file = await download(service, reply, admitted.ref, request.headers.range);
      setFileHeaders(reply, file.properties, admitted.contentDisposition);
      reply.header('content-length', file.contentLength);
      if (file.range !== undefined) {
        reply.header('content-range', `bytes ${file.range.start}-${file.range.end}/${file.properties.size}`);
        reply.code(206);
      }
      return reply.send(file.stream);
    },
  );
}

/** PUT takes any body as the raw request stream, never buffered or parsed, hence its own scope. */
export function registerRawPut(raw: App, deps: FilesRoutesDeps): void {
  const admit = admitter(raw, deps);
  const { service } = deps;
  raw.put(
    '/api/files/*',
    {
      schema: {
        ...onOneFile(raw),
        summary: 'Upload a file as the raw request body (streamed); also accepts signed write links',
        consumes: ['application/octet-stream'],
        response: { 201: UploadedFile, ...problemResponses(400, 401, 403, 413, 429, 503) },
      },
    },
    async (request, reply) => {
      const body = request.body;
      if (!(body instanceof Readable))
        throw errors.unsupportedMediaType('Send the file as the raw request body.');
      const createOnly = request.query.sig !== undefined && !(request.query.sp ?? '').includes('w');
      const admitted = await admit(request, reply, {
        name: request.params['*'],
        query: request.query,
        permission: createOnly ? 'c' : 'w',
      });
      if (createOnly && (await service.exists(admitted.ref)))
        throw errors.forbidden('This link may create the file, not overwrite it.');
      const contentType = request.headers['content-type'];
      const properties = await service.upload(admitted.ref, {
        body,
        ...(contentType === undefined ? {} : { contentType }),
        quotaSubject: quotaSubjectOf(request),
      });
      return reply
        .code(201)
        .send(uploadedView(properties, admitted.name, service.url(admitted.ref, admitted.name)));
    },
  );
}

function registerDelete(app: App, service: FilesService, admit: Admit): void {
  app.delete(
    '/api/files/*',
    {
      schema: {
        ...onOneFile(app),
        summary: 'Delete a file (204 also when it was absent)',
        response: {
          204: Type.Null({ description: 'Deleted, or was not there' }),
          ...problemResponses(401, 403, 503),
        },
      },
    },
    async (request, reply) => {
      const admitted = await admit(request, reply, {
        name: request.params['*'],
        query: request.query,
        permission: 'd',
      });
      await service.delete(admitted.ref);
      return reply.code(204).send(null);
    },
  );
}
