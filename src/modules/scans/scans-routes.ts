// The scans API (seed 001, Crown Safe):
//
//   POST   /api/scans                        multipart: `image` (JPEG/PNG/WebP), optional barcode, productName, ingredients → 202
//   GET    /api/scans?limit=&cursor=         the caller's history, newest first
//   GET    /api/scans/{id}                   status, stages, analysis, risk summary, read links
//   GET    /api/scans/{id}/report.{json|html|pdf}
//   DELETE /api/scans/{id}                   rows, blobs and shares → 204
//   POST   /api/scans/{id}/retry             a failed scan → 202
//   WS     /ws                               {"type":"subscribe","scanId"} (http/progress-socket.ts)
//
// Who is calling: http/caller.ts (admins see every owner's scans).
import multipart from '@fastify/multipart';
import type { FastifyRequest } from 'fastify';
import Type from 'typebox';
import type { App } from '../../http/app-types.js';
import { access, CallerQuery, callerOf, type RouteAccess } from '../../http/caller.js';
import { problemResponses } from '../../http/problem.js';
import type { RouteRateLimit } from '../../http/rate-limits.js';
import { errors } from '../../platform/errors/app-error.js';
import { pageRequestOf } from '../../platform/paging/page-request.js';
import { sendReport } from './report-download.js';
import type { Scan } from './scan.js';
import { reportContentTypes, reportFormats } from './scan-blobs.js';
import { Accepted, fieldLimits, ListQuery, ScanDetail, ScanIdParams, ScanList } from './scans-schemas.js';
import type { ScanFields, ScansService, StoredPhoto } from './scans-service.js';
import { acceptedView, scanDetailView, scanSummaryView } from './scans-views.js';

const tags = ['scans'];

/** What every scans route gets: the service and who may call. */
interface ScansRoutesDeps {
  service: ScansService;
  signedIn: RouteAccess;
  /** Uploads one caller may start per window (http/rate-limits.ts counts them per caller). */
  uploadLimit: RouteRateLimit;
}

/**
 * Reads one text field of the form into `fields`, refusing unknown and over-long ones. A value
 * the parser cut at its byte limit (`truncated`) is over-long too: it is refused, never kept cut.
 */
function readField(fields: ScanFields, name: string, value: unknown, truncated: boolean): void {
  if (name === 'userId')
    throw errors.badRequest('The caller is not a form field: with AUTH_MODE=none, give ?userId= in the URL.');
  if (!(name in fieldLimits) || typeof value !== 'string')
    throw errors.badRequest(`Unknown form field ${name}.`);
  const known = name as keyof typeof fieldLimits;
  if (truncated || value.length > fieldLimits[known])
    throw errors.badRequest(`${known} is longer than ${fieldLimits[known]} characters.`);
  fields[known] = value;
}

/** Reads the form: the photo streams to storage when its part arrives; text fields may come before or after it. */
async function receiveScan(request: FastifyRequest, service: ScansService): Promise<Scan> {
  if (!request.isMultipart()) throw errors.unsupportedMediaType('Send the photo as multipart/form-data.');
  const fields: ScanFields = {};
  let photo: StoredPhoto | undefined;
  try {
    for await (const part of request.parts()) {
      if (part.type !== 'file') {
        readField(fields, part.fieldname, part.value, part.valueTruncated);
        continue;
      }
      if (part.fieldname !== 'image' || photo !== undefined) {
        part.file.resume();
        throw errors.badRequest('Send exactly one file, in the field `image`.');
      }
      const { id: owner, quotaSubject } = callerOf(request);
      photo = await service.storePhoto({
        owner,
        quotaSubject,
        body: part.file,
        truncated: () => part.file.truncated,
      });
    }
    if (photo === undefined) throw errors.badRequest('The form has no `image` file.');
    if (fields.barcode !== undefined && fields.barcode !== '' && !/^[0-9A-Za-z-]{4,64}$/.test(fields.barcode))
      throw errors.badRequest('barcode may hold only letters, digits and hyphens (4-64).');
  } catch (error) {
    if (photo !== undefined) await service.discard(photo);
    throw error;
  }
  return service.register(photo, fields);
}

function postScan(app: App, { service, signedIn, uploadLimit }: ScansRoutesDeps) {
  app.post(
    '/api/scans',
    {
      config: { rateLimit: uploadLimit },
      preHandler: signedIn.preHandler,
      schema: {
        tags,
        ...signedIn.schema,
        summary:
          'Upload a product photo (multipart `image`: JPEG, PNG or WebP) with optional barcode, productName and ingredients',
        consumes: ['multipart/form-data'],
        querystring: CallerQuery,
        response: { 202: Accepted, ...problemResponses(400, 401, 413, 415, 429, 503) },
      },
    },
    async (request, reply) => {
      const scan = await receiveScan(request, service);
      return reply.code(202).header('location', `/api/scans/${scan.id}`).send(acceptedView(scan));
    },
  );
}

function listScans(app: App, { service, signedIn }: ScansRoutesDeps) {
  app.get(
    '/api/scans',
    {
      preHandler: signedIn.preHandler,
      schema: {
        tags,
        ...signedIn.schema,
        summary: 'The caller’s scans (an admin’s: everyone’s), newest first, a page at a time',
        querystring: ListQuery,
        response: { 200: ScanList, ...problemResponses(400, 401, 503) },
      },
    },
    async (request) => {
      const page = await service.list(callerOf(request), pageRequestOf(request.query, 20));
      return { items: page.items.map(scanSummaryView), nextCursor: page.nextCursor };
    },
  );
}

function getScan(app: App, { service, signedIn }: ScansRoutesDeps) {
  app.get(
    '/api/scans/:id',
    {
      preHandler: signedIn.preHandler,
      schema: {
        tags,
        ...signedIn.schema,
        summary: 'One scan: status, stages, analysis, risk summary and read links to its images and reports',
        params: ScanIdParams,
        querystring: CallerQuery,
        response: { 200: ScanDetail, ...problemResponses(400, 401, 404, 503) },
      },
    },
    async (request) => {
      const scan = await service.get(request.params.id, callerOf(request));
      return scanDetailView(scan, await service.links(scan));
    },
  );
}

function getReports(app: App, { service, signedIn }: ScansRoutesDeps) {
  for (const format of reportFormats)
    app.get(
      `/api/scans/:id/report.${format}`,
      {
        preHandler: signedIn.preHandler,
        schema: {
          tags,
          ...signedIn.schema,
          summary: `The scan’s risk report as ${format.toUpperCase()}, as a download`,
          params: ScanIdParams,
          querystring: CallerQuery,
          produces: [reportContentTypes[format].split(';')[0] ?? 'application/octet-stream'],
          response: { ...problemResponses(400, 401, 404, 409, 503) },
        },
      },
      async (request, reply) => {
        const scan = await service.get(request.params.id, callerOf(request));
        return sendReport(reply, scan, format, await service.report(scan, format));
      },
    );
}

function deleteScan(app: App, { service, signedIn }: ScansRoutesDeps) {
  app.delete(
    '/api/scans/:id',
    {
      preHandler: signedIn.preHandler,
      schema: {
        tags,
        ...signedIn.schema,
        summary: 'Delete a scan: its rows, blobs and share links',
        params: ScanIdParams,
        querystring: CallerQuery,
        response: { 204: Type.Null(), ...problemResponses(400, 401, 404, 503) },
      },
    },
    async (request, reply) => {
      await service.delete(request.params.id, callerOf(request));
      return reply.code(204).send(null);
    },
  );
}

function retryScan(app: App, { service, signedIn }: ScansRoutesDeps) {
  app.post(
    '/api/scans/:id/retry',
    {
      preHandler: signedIn.preHandler,
      schema: {
        tags,
        ...signedIn.schema,
        summary: 'Run a failed scan again from the stage that failed',
        params: ScanIdParams,
        querystring: CallerQuery,
        response: { 202: Accepted, ...problemResponses(400, 401, 404, 409, 503) },
      },
    },
    async (request, reply) => {
      const scan = await service.retry(request.params.id, callerOf(request));
      return reply.code(202).send(acceptedView(scan));
    },
  );
}

export async function registerScansRoutes(
  app: App,
  options: { service: ScansService; maxImageBytes: number; uploadLimit: RouteRateLimit },
) {
  await app.register(multipart, {
    limits: {
      fileSize: options.maxImageBytes,
      // Two, so a second file reaches the form reader and is the 400 it is (one more file than the
      // form takes), not the parser's 413 (a size limit it is not).
      files: 2,
      fields: 5,
      // Bytes, where the limits are characters: room for the longest field in 4-byte UTF-8, and a
      // value cut at this size is refused as too long (readField), never stored cut.
      fieldSize: fieldLimits.ingredients * 4,
      parts: 6,
    },
  });
  const deps: ScansRoutesDeps = {
    service: options.service,
    signedIn: access(app, 'signed-in'),
    uploadLimit: options.uploadLimit,
  };
  for (const route of [postScan, listScans, getScan, getReports, deleteScan, retryScan]) route(app, deps);
}
