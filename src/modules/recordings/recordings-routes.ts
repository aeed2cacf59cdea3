// The recordings API (seed 002):
//
//   POST   /api/process-audio          multipart: optional `title`, `language`, `userId` (before the file), then the file → 202
//   GET    /api/recordings?limit=&cursor=
//   GET    /api/recordings/{id}        status, stages, transcript, insights, cost, short-lived links
//   DELETE /api/recordings/{id}        row and every blob → 204
//   POST   /api/recordings/{id}/retry  a failed recording → 202; 409 otherwise
//   WS     /ws                         live progress (the `recordingId` topic of http/progress-socket.ts)
//
// Owner: the caller (http/caller.ts): the token's subject, or with AUTH_MODE=none the `userId` query.
import multipart from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import Type from 'typebox';
import type { App } from '../../http/app-types.js';
import { access, CallerQuery, callerOf, callerUrl, type RouteAccess } from '../../http/caller.js';
import { problemResponses } from '../../http/problem.js';
import type { RouteRateLimit } from '../../http/rate-limits.js';
import { refuseUnknownFields } from '../../http/multipart-fields.js';
import { errors } from '../../platform/errors/app-error.js';
import { pageRequestOf } from '../../platform/paging/page-request.js';
import type { Recording } from './recording.js';
import {
  Accepted,
  AudioForm,
  ListQuery,
  RecordingDetail,
  RecordingIdParams,
  RecordingList,
} from './recordings-schemas.js';
import type { NewUpload, RecordingsService } from './recordings-service.js';
import { acceptedView, detailView, summaryView } from './recordings-views.js';

const tags = ['recordings'];

function fieldValue(fields: Record<string, unknown>, name: string): string | undefined {
  const field = fields[name];
  if (field === undefined || Array.isArray(field)) return undefined;
  const { type, value } = field as { type?: unknown; value?: unknown };
  return type === 'field' && typeof value === 'string' ? value : undefined;
}

/** What every recordings route gets: the service and who may call. */
interface RecordingsRoutesDeps {
  service: RecordingsService;
  signedIn: RouteAccess;
  /** Uploads one caller may start per window (http/rate-limits.ts counts them per caller). */
  uploadLimit: RouteRateLimit;
}

const accepted = (request: FastifyRequest, r: Recording) =>
  acceptedView(r, callerUrl(request, `/api/recordings/${r.id}`));

/** The upload as the service takes it: the form's fields (before the file), then the file streaming. */
async function receiveUpload(request: FastifyRequest): Promise<NewUpload> {
  if (!request.isMultipart()) throw errors.unsupportedMediaType('Send the audio as multipart/form-data.');
  const part = await request.file();
  if (part === undefined) throw errors.badRequest('The multipart body has no file part.');
  const fields = part.fields as Record<string, unknown>;
  refuseUnknownFields(fields, { known: ['title', 'language', 'userId'], file: part.fieldname });
  const language = fieldValue(fields, 'language');
  if (language !== undefined && language !== '' && !/^[a-z]{2,3}(-[A-Za-z]{2,4})?$/.test(language))
    throw errors.badRequest('language must be an ISO-639-1 code such as "en".');
  if (fields.userId !== undefined)
    throw errors.badRequest('The caller is not a form field: with AUTH_MODE=none, give ?userId= in the URL.');
  const title = fieldValue(fields, 'title');
  const caller = callerOf(request);
  return {
    owner: caller.id,
    quotaSubject: caller.quotaSubject,
    body: part.file,
    ...(title === undefined ? {} : { title }),
    ...(language === undefined || language === '' ? {} : { language }),
    ...(part.filename === '' ? {} : { filename: part.filename }),
    truncated: () => part.file.truncated,
  };
}

function processAudio(app: App, { service, signedIn, uploadLimit }: RecordingsRoutesDeps) {
  app.post(
    '/api/process-audio',
    {
      config: { rateLimit: uploadLimit },
      preHandler: signedIn.preHandler,
      schema: {
        tags,
        ...signedIn.schema,
        summary:
          'Upload audio (multipart, streamed) for compression, transcription and insights: optional fields `title`, `language`, then the file',
        consumes: ['multipart/form-data'],
        multipart: AudioForm,
        querystring: CallerQuery,
        response: { 202: Accepted, ...problemResponses(400, 401, 413, 415, 429, 503) },
      },
    },
    async (request, reply) => {
      const recording = await service.create(await receiveUpload(request));
      const body = accepted(request, recording);
      return reply.code(202).header('location', body.location).send(body);
    },
  );
}

function listRecordings(app: App, { service, signedIn }: RecordingsRoutesDeps) {
  app.get(
    '/api/recordings',
    {
      preHandler: signedIn.preHandler,
      schema: {
        tags,
        ...signedIn.schema,
        summary: 'The caller’s recordings, newest first, a page at a time',
        querystring: ListQuery,
        response: { 200: RecordingList, ...problemResponses(400, 401, 503) },
      },
    },
    async (request) => {
      const page = await service.list(callerOf(request).id, pageRequestOf(request.query, 20));
      return { items: page.items.map(summaryView), nextCursor: page.nextCursor };
    },
  );
}

function getRecording(app: App, { service, signedIn }: RecordingsRoutesDeps) {
  app.get(
    '/api/recordings/:id',
    {
      preHandler: signedIn.preHandler,
      schema: {
        tags,
        ...signedIn.schema,
        summary:
          'One recording: status, stages, duration, transcript, insights, cost and short-lived audio links',
        params: RecordingIdParams,
        querystring: CallerQuery,
        response: { 200: RecordingDetail, ...problemResponses(400, 401, 404, 503) },
      },
    },
    async (request) => {
      const recording = await service.get(request.params.id, callerOf(request).id);
      return detailView(recording, await service.links(recording));
    },
  );
}

function deleteRecording(app: App, { service, signedIn }: RecordingsRoutesDeps) {
  app.delete(
    '/api/recordings/:id',
    {
      preHandler: signedIn.preHandler,
      schema: {
        tags,
        ...signedIn.schema,
        summary: 'Delete a recording and every blob it has',
        params: RecordingIdParams,
        querystring: CallerQuery,
        response: { 204: Type.Null(), ...problemResponses(400, 401, 404, 503) },
      },
    },
    async (request, reply) => {
      await service.delete(request.params.id, callerOf(request).id);
      return reply.code(204).send(null);
    },
  );
}

function retryRecording(app: App, { service, signedIn }: RecordingsRoutesDeps) {
  app.post(
    '/api/recordings/:id/retry',
    {
      preHandler: signedIn.preHandler,
      schema: {
        tags,
        ...signedIn.schema,
        summary: 'Run a failed recording again from the stage that failed',
        params: RecordingIdParams,
        querystring: CallerQuery,
        response: { 202: Accepted, ...problemResponses(400, 401, 404, 409, 503) },
      },
    },
    async (request, reply) => {
      const recording = await service.retry(request.params.id, callerOf(request).id);
      return reply.code(202).send(accepted(request, recording));
    },
  );
}

export async function registerRecordingsRoutes(
  app: App,
  options: { service: RecordingsService; maxUploadBytes: number; uploadLimit: RouteRateLimit },
): Promise<void> {
  await app.register(multipart, {
    limits: { fileSize: options.maxUploadBytes, files: 1, fields: 5, fieldSize: 2048, parts: 6 },
  });
  const deps: RecordingsRoutesDeps = {
    service: options.service,
    signedIn: access(app, 'signed-in'),
    uploadLimit: options.uploadLimit,
  };
  for (const route of [processAudio, listRecordings, getRecording, deleteRecording, retryRecording])
    route(app, deps);
}
