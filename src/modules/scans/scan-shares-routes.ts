// Share links (seed 001's share_results_endpoints):
//
//   POST   /api/scans/{id}/shares             { expiresInHours: 1-168 (72) } → 201 { id, url, expiresAt }
//   GET    /api/scans/{id}/shares
//   DELETE /api/scans/{id}/shares/{shareId}   revoke → 204
//   GET    /s/{token}                         the report page, no sign-in; 410 once revoked or expired
//   GET    /s/{token}/report.pdf
//
// Public pages send no referrer (the token is in the URL) and ask not to be indexed.
import type { FastifyReply, FastifyRequest } from 'fastify';
import Type from 'typebox';
import type { App } from '../../http/app-types.js';
import { access, CallerQuery, callerOf, type RouteAccess } from '../../http/caller.js';
import { problemResponses } from '../../http/problem.js';
import { reportCsp } from './reports/report-html.js';
import type { ScanSharesService } from './scan-shares-service.js';
import { sendReport } from './report-download.js';
import {
  CreatedShare,
  CreateShareBody,
  ScanIdParams,
  ShareList,
  ShareParams,
  TokenParams,
} from './scans-schemas.js';
import { shareView } from './scans-views.js';

const tags = ['scans'];

const privateHeaders = (reply: FastifyReply) =>
  reply
    .header('referrer-policy', 'no-referrer')
    .header('x-robots-tag', 'noindex, nofollow')
    .header('cache-control', 'private, no-store');

export interface ScanSharesRoutesOptions {
  shares: ScanSharesService;
  publicBaseUrl?: string;
  now?: () => Date;
}

/** What every share route gets. */
interface SharesRoutesDeps {
  shares: ScanSharesService;
  signedIn: RouteAccess;
  now: () => Date;
  origin: (request: FastifyRequest) => string;
}

function createShare(app: App, { shares, signedIn, origin }: SharesRoutesDeps) {
  app.post(
    '/api/scans/:id/shares',
    {
      preHandler: signedIn.preHandler,
      schema: {
        tags,
        ...signedIn.schema,
        summary: 'Create a share link to a completed scan’s report, valid 1-168 hours (72 by default)',
        params: ScanIdParams,
        querystring: CallerQuery,
        body: CreateShareBody,
        response: { 201: CreatedShare, ...problemResponses(400, 401, 404, 409, 503) },
      },
    },
    async (request, reply) => {
      const { share, token } = await shares.create(
        request.params.id,
        callerOf(request),
        request.body.expiresInHours ?? 72,
      );
      return reply.code(201).send({
        id: share.id,
        url: `${origin(request)}/s/${token}`,
        expiresAt: share.expiresAt.toISOString(),
      });
    },
  );
}

function listShares(app: App, { shares, signedIn, now }: SharesRoutesDeps) {
  app.get(
    '/api/scans/:id/shares',
    {
      preHandler: signedIn.preHandler,
      schema: {
        tags,
        ...signedIn.schema,
        summary: 'The scan’s share links (never their tokens)',
        params: ScanIdParams,
        querystring: CallerQuery,
        response: { 200: ShareList, ...problemResponses(400, 401, 404, 503) },
      },
    },
    async (request) => {
      const items = await shares.list(request.params.id, callerOf(request));
      return { items: items.map((share) => shareView(share, now())) };
    },
  );
}

function revokeShare(app: App, { shares, signedIn }: SharesRoutesDeps) {
  app.delete(
    '/api/scans/:id/shares/:shareId',
    {
      preHandler: signedIn.preHandler,
      schema: {
        tags,
        ...signedIn.schema,
        summary: 'Revoke a share link; it answers 410 from now on',
        params: ShareParams,
        querystring: CallerQuery,
        response: { 204: Type.Null(), ...problemResponses(400, 401, 404, 503) },
      },
    },
    async (request, reply) => {
      await shares.revoke(request.params.id, request.params.shareId, callerOf(request));
      return reply.code(204).send(null);
    },
  );
}

function sharedPage(app: App, { shares }: SharesRoutesDeps) {
  app.get(
    '/s/:token',
    {
      schema: {
        tags,
        summary: 'A shared scan’s report page (no sign-in); 410 once revoked or expired',
        params: TokenParams,
        produces: ['text/html'],
        response: { ...problemResponses(400, 404, 410, 503) },
      },
    },
    async (request, reply) => {
      privateHeaders(reply);
      const page = await shares.page(request.params.token);
      return reply
        .header('content-security-policy', reportCsp(page.imageOrigins))
        .type('text/html; charset=utf-8')
        .send(page.html);
    },
  );
}

function sharedPdf(app: App, { shares }: SharesRoutesDeps) {
  app.get(
    '/s/:token/report.pdf',
    {
      schema: {
        tags,
        summary: 'A shared scan’s report as PDF (no sign-in); 410 once revoked or expired',
        params: TokenParams,
        produces: ['application/pdf'],
        response: { ...problemResponses(400, 404, 410, 503) },
      },
    },
    async (request, reply) => {
      privateHeaders(reply);
      const { scan, download } = await shares.pdf(request.params.token);
      return sendReport(reply, scan, 'pdf', download);
    },
  );
}

export function registerScanSharesRoutes(app: App, options: ScanSharesRoutesOptions): void {
  const deps: SharesRoutesDeps = {
    shares: options.shares,
    signedIn: access(app, 'signed-in'),
    now: options.now ?? (() => new Date()),
    origin: (request) => options.publicBaseUrl ?? `${request.protocol}://${request.host}`,
  };
  for (const route of [createShare, listShares, revokeShare, sharedPage, sharedPdf]) route(app, deps);
}
