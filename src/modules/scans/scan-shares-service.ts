// Share links of scan results (seed 001's share_results_endpoints): the owner creates, lists and
// revokes them; anyone holding a live link sees the report page and its PDF, with image links minted
// at view time for ≤ 15 minutes, so a revoked or expired share stops working at once (410).
import { randomUUID } from 'node:crypto';
import type { AuditLog } from '../../platform/audit/audit-log.js';
import type { BlobDownload, BlobRef, BlobStore } from '../../platform/blob/blob-store.js';
import { errors } from '../../platform/errors/app-error.js';
import { requestContext } from '../../platform/telemetry/request-context.js';
import { renderReportHtml } from './reports/report-html.js';
import type { RiskReport } from './reports/risk-report.js';
import type { Scan } from './scan.js';
import { refIn, scanBlobs } from './scan-blobs.js';
import { hashShareToken, newShareToken, type Share, type ScanSharesStore } from './scan-shares-store.js';
import { SCAN_LINK_SECONDS, type ScanCaller, type ScansService } from './scans-service.js';
import type { ScansStore } from './scans-store.js';

export interface ScanSharesServiceDeps {
  shares: ScanSharesStore;
  scans: ScansService;
  store: Pick<ScansStore, 'get'>;
  blobs: BlobStore;
  container: string;
  audit: AuditLog;
  now?: () => Date;
}

/** What every use case works over. */
interface SharesDeps extends ScanSharesServiceDeps {
  now: () => Date;
  ref: (name: string) => BlobRef;
}

export interface SharePage {
  html: string;
  /** Origins of the image links in the page, for its CSP. */
  imageOrigins: string[];
}

function audit(
  deps: SharesDeps,
  entry: { operation: string; target: string; outcome: 'success' | 'denied'; detail: string | null },
) {
  const context = requestContext.get();
  return deps.audit.record({
    ...entry,
    actor: context?.principalId ?? null,
    clientIp: context?.clientIp ?? null,
    bytes: null,
    correlationId: context?.correlationId ?? null,
    at: deps.now(),
  });
}

/** The live share behind a token and its scan; 404 unknown, 410 revoked or expired. */
async function open(deps: SharesDeps, token: string): Promise<{ share: Share; scan: Scan }> {
  const share = await deps.shares.byToken(token);
  if (share === undefined) throw errors.notFound('This share link does not exist.');
  const target = `scan-share://${share.id}`;
  if (share.revokedAt !== null || share.expiresAt <= deps.now()) {
    const detail = share.revokedAt !== null ? 'revoked' : 'expired';
    await audit(deps, { operation: 'scan.share.view', target, outcome: 'denied', detail });
    throw errors.fromStatus(410, 'This share link was revoked or has expired.');
  }
  const scan = await deps.store.get(share.scanId);
  if (scan?.status !== 'completed') throw errors.fromStatus(410, 'The shared scan is no longer available.');
  await deps.shares.countView(share.id);
  await audit(deps, { operation: 'scan.share.view', target, outcome: 'success', detail: `scan ${scan.id}` });
  return { share, scan };
}

/** 409 until the scan has completed: there is nothing to show before. */
async function create(
  deps: SharesDeps,
  id: string,
  caller: ScanCaller,
  expiresInHours: number,
): Promise<{ share: Share; token: string }> {
  const scan = await deps.scans.get(id, caller);
  if (scan.status !== 'completed')
    throw errors.conflict(`Scan ${id} is ${scan.status}; share it once it has completed.`);
  const token = newShareToken();
  const share = await deps.shares.insert({
    id: randomUUID(),
    scanId: id,
    tokenHash: hashShareToken(token),
    createdBy: caller.id,
    expiresAt: new Date(deps.now().getTime() + expiresInHours * 3_600_000),
  });
  await audit(deps, {
    operation: 'scan.share.create',
    target: `scan-share://${share.id}`,
    outcome: 'success',
    detail: `scan ${id}, ${expiresInHours} h`,
  });
  return { share, token };
}

async function revoke(deps: SharesDeps, id: string, shareId: string, caller: ScanCaller): Promise<void> {
  await deps.scans.get(id, caller);
  if (!(await deps.shares.revoke(id, shareId))) throw errors.notFound(`Share ${shareId} was not found.`);
  await audit(deps, {
    operation: 'scan.share.revoke',
    target: `scan-share://${shareId}`,
    outcome: 'success',
    detail: `scan ${id}`,
  });
}

/** The report page of a live share, its thumbnail on a link minted now. */
async function page(deps: SharesDeps, token: string): Promise<SharePage> {
  const { scan } = await open(deps, token);
  const report = JSON.parse(
    (await deps.blobs.downloadBuffer(deps.ref(scanBlobs.report(scan.id, 'json')))).toString('utf8'),
  ) as RiskReport;
  const image = await deps.blobs.sasUrl(deps.ref(scanBlobs.thumbnail(scan.owner, scan.id)), {
    permissions: 'r',
    expiresInSeconds: SCAN_LINK_SECONDS,
  });
  const origin = new URL(image.url).origin;
  return {
    html: renderReportHtml(report, {
      image: image.url,
      imageOrigins: [origin],
      pdfHref: `/s/${encodeURIComponent(token)}/report.pdf`,
    }),
    imageOrigins: [origin],
  };
}

export type ScanSharesService = ReturnType<typeof createScanSharesService>;

export function createScanSharesService(options: ScanSharesServiceDeps) {
  const deps: SharesDeps = {
    ...options,
    now: options.now ?? (() => new Date()),
    ref: refIn(options.container),
  };
  return {
    create: (id: string, caller: ScanCaller, expiresInHours: number) =>
      create(deps, id, caller, expiresInHours),
    async list(id: string, caller: ScanCaller): Promise<Share[]> {
      await deps.scans.get(id, caller);
      return deps.shares.ofScan(id);
    },
    revoke: (id: string, shareId: string, caller: ScanCaller) => revoke(deps, id, shareId, caller),
    page: (token: string) => page(deps, token),
    async pdf(token: string): Promise<{ scan: Scan; download: BlobDownload }> {
      const { scan } = await open(deps, token);
      return { scan, download: await deps.scans.report(scan, 'pdf') };
    },
  };
}
