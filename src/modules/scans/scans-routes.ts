// The scans API (seed 001, Crown Safe):
//
//   POST   /api/scans                        multipart: `image` (JPEG/PNG/WebP), optional barcode, productName, ingredients → 202
//   GET    /api/scans?limit=&cursor=         the caller's history, newest first
//   GET    /api/scans/{id}                   status, stages, analysis, risk summary, read links
//   GET    /api/scans/{id}/report.{json|html|pdf}
//   DELETE /api/scans/{id}                   rows, blobs and shares → 204
//   POST   /api/scans/{id}/retry             a failed scan → 202
//   WS     /ws                               {"type":"subscribe","scanId"} (http/progress-socket.ts)
import multipart from '@fastify/multipart';
import type { FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import type { App } from '../../http/app-types.js';
import { requirePrincipal } from '../../http/auth.js';
import { problemResponses } from '../../http/problem.js';
import { hasRole } from '../../platform/auth/principal.js';
import type { BlobDownload } from '../../platform/blob/blob-store.js';
import { errors } from '../../platform/errors/app-error.js';
import { reportCsp } from './reports/report-html.js';
import type { Scan } from './scan.js';
import { reportFormats, type ReportFormat } from './scan-blobs.js';
import { reportContentTypes } from './stages/reporting-stage.js';
import {
  Accepted,
  fieldLimits,
  ListQuery,
  OwnerQuery,
  ScanDetail,
  ScanIdParams,
  ScanList,
} from './scans-schemas.js';
import type { ScanCaller, ScanFields, ScansService, StoredPhoto } from './scans-service.js';
import { acceptedView, scanDetailView, scanSummaryView } from './scans-views.js';

const tags = ['scans'];

/**
 * Who is calling — the one place this module decides it (to be replaced by http/caller.ts).
 * AUTH_MODE=jwt: the token's subject, admins see all; AUTH_MODE=none: the `userId` the caller
 * gives, else `anonymous`.
 */
export function callerOf(request: FastifyRequest, claimed?: string): ScanCaller {
  if (request.server.authMode === 'jwt') {
    if (request.principal === null) throw errors.unauthorized();
    return { userId: request.principal.id, admin: hasRole(request.principal, 'admin') };
  }
  return { userId: claimed === undefined || claimed === '' ? 'anonymous' : claimed, admin: false };
}

const claimedUser = (request: FastifyRequest) => (request.query as { userId?: string } | undefined)?.userId;

/** Reads the form: the photo streams to storage when its part arrives; text fields may come before or after it. */
async function receiveScan(request: FastifyRequest, service: ScansService): Promise<Scan> {
  if (!request.isMultipart()) throw errors.unsupportedMediaType('Send the photo as multipart/form-data.');
  const fields: ScanFields & { userId?: string } = {};
  let photo: StoredPhoto | undefined;
  try {
    for await (const part of request.parts()) {
      if (part.type === 'file') {
        if (part.fieldname !== 'image' || photo !== undefined) {
          part.file.resume();
          throw errors.badRequest('Send exactly one file, in the field `image`.');
        }
        const owner = callerOf(request, fields.userId ?? claimedUser(request)).userId;
        photo = await service.storePhoto({ owner, body: part.file, truncated: () => part.file.truncated });
      } else if (part.fieldname in fieldLimits && typeof part.value === 'string') {
        const name = part.fieldname as keyof typeof fieldLimits;
        if (part.value.length > fieldLimits[name])
          throw errors.badRequest(`${name} is longer than ${fieldLimits[name]} characters.`);
        fields[name] = part.value;
      } else throw errors.badRequest(`Unknown form field ${part.fieldname}.`);
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

/** A download name from the product name: ASCII letters, digits and hyphens only. */
export function downloadName(scan: Scan, format: ReportFormat): string {
  const product = (scan.analysis?.productName ?? scan.productName ?? 'product')
    .normalize('NFKD')
    .replace(/[^A-Za-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 60)
    .toLowerCase();
  return `safety-report-${product || 'product'}-${scan.id.slice(0, 8)}.${format}`;
}

export function sendReport(reply: FastifyReply, scan: Scan, format: ReportFormat, download: BlobDownload) {
  reply
    .header('content-type', reportContentTypes[format])
    .header('content-length', download.contentLength)
    .header('content-disposition', `attachment; filename="${downloadName(scan, format)}"`)
    .header('cache-control', 'private, no-store');
  if (format === 'html') reply.header('content-security-policy', reportCsp());
  return reply.send(download.stream);
}

export async function registerScansRoutes(
  app: App,
  options: { service: ScansService; maxImageBytes: number },
) {
  const { service } = options;
  const preHandler = requirePrincipal();
  await app.register(multipart, {
    limits: {
      fileSize: options.maxImageBytes,
      files: 1,
      fields: 5,
      fieldSize: fieldLimits.ingredients,
      parts: 6,
    },
  });

  app.post(
    '/api/scans',
    {
      preHandler,
      schema: {
        tags,
        summary:
          'Upload a product photo (multipart `image`: JPEG, PNG or WebP) with optional barcode, productName and ingredients',
        consumes: ['multipart/form-data'],
        querystring: OwnerQuery,
        response: { 202: Accepted, ...problemResponses(400, 401, 413, 415, 429, 503) },
      },
    },
    async (request, reply) => {
      const scan = await receiveScan(request, service);
      return reply.code(202).header('location', `/api/scans/${scan.id}`).send(acceptedView(scan));
    },
  );

  app.get(
    '/api/scans',
    {
      preHandler,
      schema: {
        tags,
        summary: 'The caller’s scans, newest first, a page at a time',
        querystring: ListQuery,
        response: { 200: ScanList, ...problemResponses(400, 401, 503) },
      },
    },
    async (request) => {
      const page = await service.list(callerOf(request, request.query.userId), {
        limit: request.query.limit ?? 20,
        ...(request.query.cursor === undefined ? {} : { cursor: request.query.cursor }),
      });
      return { items: page.items.map(scanSummaryView), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/api/scans/:id',
    {
      preHandler,
      schema: {
        tags,
        summary: 'One scan: status, stages, analysis, risk summary and read links to its images and reports',
        params: ScanIdParams,
        querystring: OwnerQuery,
        response: { 200: ScanDetail, ...problemResponses(400, 401, 404, 503) },
      },
    },
    async (request) => {
      const scan = await service.get(request.params.id, callerOf(request, request.query.userId));
      return scanDetailView(scan, await service.links(scan));
    },
  );

  for (const format of reportFormats)
    app.get(
      `/api/scans/:id/report.${format}`,
      {
        preHandler,
        schema: {
          tags,
          summary: `The scan’s risk report as ${format.toUpperCase()}, as a download`,
          params: ScanIdParams,
          querystring: OwnerQuery,
          produces: [reportContentTypes[format].split(';')[0] ?? 'application/octet-stream'],
          response: { ...problemResponses(400, 401, 404, 409, 503) },
        },
      },
      async (request, reply) => {
        const scan = await service.get(request.params.id, callerOf(request, request.query.userId));
        return sendReport(reply, scan, format, await service.report(scan, format));
      },
    );

  app.delete(
    '/api/scans/:id',
    {
      preHandler,
      schema: {
        tags,
        summary: 'Delete a scan: its rows, blobs and share links',
        params: ScanIdParams,
        querystring: OwnerQuery,
        response: { 204: Type.Null(), ...problemResponses(400, 401, 404, 503) },
      },
    },
    async (request, reply) => {
      await service.delete(request.params.id, callerOf(request, request.query.userId));
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/api/scans/:id/retry',
    {
      preHandler,
      schema: {
        tags,
        summary: 'Run a failed scan again from the stage that failed',
        params: ScanIdParams,
        querystring: OwnerQuery,
        response: { 202: Accepted, ...problemResponses(400, 401, 404, 409, 503) },
      },
    },
    async (request, reply) => {
      const scan = await service.retry(request.params.id, callerOf(request, request.query.userId));
      return reply.code(202).send(acceptedView(scan));
    },
  );
}
