// The recordings API (seed 002):
//
//   POST   /api/process-audio          multipart: optional `title`, `language`, `userId` (before the file), then the file → 202
//   GET    /api/recordings?limit=&cursor=
//   GET    /api/recordings/{id}        status, stages, transcript, insights, cost, short-lived links
//   DELETE /api/recordings/{id}        row and every blob → 204
//   POST   /api/recordings/{id}/retry  a failed recording → 202; 409 otherwise
//   WS     /ws                         live progress (recordings-socket.ts)
//
// Owner: AUTH_MODE=jwt, the principal; AUTH_MODE=none, the `userId` field or query ('anonymous').
import multipart from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import Type from 'typebox';
import type { App } from '../../http/app-types.js';
import { requirePrincipal } from '../../http/auth.js';
import { problemResponses } from '../../http/problem.js';
import { refuseUnknownFields } from '../../http/multipart-fields.js';
import { errors } from '../../platform/errors/app-error.js';
import type { Recording } from './recording.js';
import {
  Accepted,
  ListQuery,
  OwnerQuery,
  RecordingDetail,
  RecordingIdParams,
  RecordingList,
} from './recordings-schemas.js';
import type { RecordingsService, RecordingLinks } from './recordings-service.js';

const tags = ['recordings'];

export const ANONYMOUS_OWNER = 'anonymous';

/** Who owns what the request reads or writes; `claimed` is the caller's own word (AUTH_MODE=none). */
export function ownerOf(request: FastifyRequest, claimed?: string): string {
  if (request.server.authMode === 'jwt') {
    if (request.principal === null) throw errors.unauthorized();
    return request.principal.id;
  }
  return claimed === undefined || claimed === '' ? ANONYMOUS_OWNER : claimed;
}

const iso = (date: Date | null) => (date === null ? null : date.toISOString());

export const summaryView = (r: Recording) => ({
  id: r.id,
  title: r.title,
  language: r.language,
  status: r.status,
  stage: r.stage,
  percent: r.percent,
  contentType: r.contentType,
  sizeBytes: r.sizeBytes,
  durationSeconds: r.durationSeconds,
  error: r.error,
  createdAt: r.createdAt.toISOString(),
  updatedAt: r.updatedAt.toISOString(),
  completedAt: iso(r.completedAt),
});

const detailView = (r: Recording, links: RecordingLinks) => ({
  ...summaryView(r),
  compressedBytes: r.compressedBytes,
  stages: r.stages,
  transcript: r.transcript,
  insights: r.insights,
  cost: r.cost,
  warnings: r.warnings,
  retries: r.retries,
  links,
});

function fieldValue(fields: Record<string, unknown>, name: string): string | undefined {
  const field = fields[name];
  if (field === undefined || Array.isArray(field)) return undefined;
  const { type, value } = field as { type?: unknown; value?: unknown };
  return type === 'field' && typeof value === 'string' ? value : undefined;
}

export async function registerRecordingsRoutes(
  app: App,
  options: { service: RecordingsService; maxUploadBytes: number },
): Promise<void> {
  const { service } = options;
  const mustSignIn = requirePrincipal();
  await app.register(multipart, {
    limits: { fileSize: options.maxUploadBytes, files: 1, fields: 5, fieldSize: 2048, parts: 6 },
  });

  const accepted = (r: Recording) => ({
    id: r.id,
    status: r.status,
    title: r.title,
    sizeBytes: r.sizeBytes,
    contentType: r.contentType,
    location: `/api/recordings/${r.id}`,
  });

  app.post(
    '/api/process-audio',
    {
      preHandler: mustSignIn,
      schema: {
        tags,
        summary:
          'Upload audio (multipart, streamed) for compression, transcription and insights: optional fields `title`, `language`, `userId`, then the file',
        consumes: ['multipart/form-data'],
        querystring: OwnerQuery,
        response: { 202: Accepted, ...problemResponses(400, 401, 413, 415, 429, 503) },
      },
    },
    async (request, reply) => {
      if (!request.isMultipart()) throw errors.unsupportedMediaType('Send the audio as multipart/form-data.');
      const part = await request.file();
      if (part === undefined) throw errors.badRequest('The multipart body has no file part.');
      const fields = part.fields as Record<string, unknown>;
      refuseUnknownFields(fields, { known: ['title', 'language', 'userId'], file: part.fieldname });
      const language = fieldValue(fields, 'language');
      if (language !== undefined && language !== '' && !/^[a-z]{2,3}(-[A-Za-z]{2,4})?$/.test(language))
        throw errors.badRequest('language must be an ISO-639-1 code such as "en".');
      const title = fieldValue(fields, 'title');
      const recording = await service.create({
        owner: ownerOf(request, fieldValue(fields, 'userId') ?? request.query.userId),
        body: part.file,
        ...(title === undefined ? {} : { title }),
        ...(language === undefined || language === '' ? {} : { language }),
        ...(part.filename === '' ? {} : { filename: part.filename }),
        truncated: () => part.file.truncated,
      });
      reply.header('location', `/api/recordings/${recording.id}`);
      return reply.code(202).send(accepted(recording));
    },
  );

  app.get(
    '/api/recordings',
    {
      preHandler: mustSignIn,
      schema: {
        tags,
        summary: 'The caller’s recordings, newest first, a page at a time',
        querystring: ListQuery,
        response: { 200: RecordingList, ...problemResponses(400, 401, 503) },
      },
    },
    async (request) => {
      const page = await service.list(ownerOf(request, request.query.userId), {
        limit: request.query.limit ?? 20,
        ...(request.query.cursor === undefined ? {} : { cursor: request.query.cursor }),
      });
      return { items: page.items.map(summaryView), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/api/recordings/:id',
    {
      preHandler: mustSignIn,
      schema: {
        tags,
        summary:
          'One recording: status, stages, duration, transcript, insights, cost and short-lived audio links',
        params: RecordingIdParams,
        querystring: OwnerQuery,
        response: { 200: RecordingDetail, ...problemResponses(400, 401, 404, 503) },
      },
    },
    async (request) => {
      const recording = await service.get(request.params.id, ownerOf(request, request.query.userId));
      return detailView(recording, await service.links(recording));
    },
  );

  app.delete(
    '/api/recordings/:id',
    {
      preHandler: mustSignIn,
      schema: {
        tags,
        summary: 'Delete a recording and every blob it has',
        params: RecordingIdParams,
        querystring: OwnerQuery,
        response: { 204: Type.Null(), ...problemResponses(400, 401, 404, 503) },
      },
    },
    async (request, reply) => {
      await service.delete(request.params.id, ownerOf(request, request.query.userId));
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/recordings/:id/retry',
    {
      preHandler: mustSignIn,
      schema: {
        tags,
        summary: 'Run a failed recording again from the stage that failed',
        params: RecordingIdParams,
        querystring: OwnerQuery,
        response: { 202: Accepted, ...problemResponses(400, 401, 404, 409, 503) },
      },
    },
    async (request, reply) => {
      const recording = await service.retry(request.params.id, ownerOf(request, request.query.userId));
      return reply.code(202).send(accepted(recording));
    },
  );
}
