// Share links of scan results (seed 001's share_results_endpoints): the owner creates, lists and
// revokes them; anyone holding a live link sees the report page and its PDF, with image links minted
// at view time for ≤ 15 minutes, so a revoked or expired share stops working at once (410).
import { randomUUID } from 'node:crypto';
import type { AuditLog } from '../../platform/audit/audit-log.js';
import type { BlobDownload, BlobStore } from '../../platform/blob/blob-store.js';
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

export interface SharePage {
  html: string;
  /** Origins of the image links in the page, for its CSP. */
  imageOrigins: string[];
}

export type ScanSharesService = ReturnType<typeof createScanSharesService>;

export function createScanSharesService(deps: ScanSharesServiceDeps) {
  const { shares, scans, blobs } = deps;
  const now = deps.now ?? (() => new Date());
  const ref = refIn(deps.container);

  const audit = (operation: string, target: string, outcome: 'success' | 'denied', detail: string | null) => {
    const context = requestContext.get();
    return deps.audit.record({
      actor: context?.principalId ?? null,
      clientIp: context?.clientIp ?? null,
      operation,
      target,
      outcome,
      bytes: null,
      correlationId: context?.correlationId ?? null,
      detail,
      at: now(),
    });
  };

  /** The live share behind a token and its scan; 404 unknown, 410 revoked or expired. */
  async function open(token: string): Promise<{ share: Share; scan: Scan }> {
    const share = await shares.byToken(token);
    if (share === undefined) throw errors.notFound('This share link does not exist.');
    const target = `scan-share://${share.id}`;
    if (share.revokedAt !== null || share.expiresAt <= now()) {
      await audit('scan.share.view', target, 'denied', share.revokedAt !== null ? 'revoked' : 'expired');
      throw errors.fromStatus(410, 'This share link was revoked or has expired.');
    }
    const scan = await deps.store.get(share.scanId);
    if (scan?.status !== 'completed') throw errors.fromStatus(410, 'The shared scan is no longer available.');
    await shares.countView(share.id);
    await audit('scan.share.view', target, 'success', `scan ${scan.id}`);
    return { share, scan };
  }

  return {
    /** 409 until the scan has completed: there is nothing to show before. */
    async create(
      id: string,
      caller: ScanCaller,
      expiresInHours: number,
    ): Promise<{ share: Share; token: string }> {
      const scan = await scans.get(id, caller);
      if (scan.status !== 'completed')
        throw errors.conflict(`Scan ${id} is ${scan.status}; share it once it has completed.`);
      const token = newShareToken();
      const share = await shares.insert({
        id: randomUUID(),
        scanId: id,
        tokenHash: hashShareToken(token),
        createdBy: caller.userId,
        expiresAt: new Date(now().getTime() + expiresInHours * 3_600_000),
      });
      await audit(
        'scan.share.create',
        `scan-share://${share.id}`,
        'success',
        `scan ${id}, ${expiresInHours} h`,
      );
      return { share, token };
    },

    async list(id: string, caller: ScanCaller): Promise<Share[]> {
      await scans.get(id, caller);
      return shares.ofScan(id);
    },

    async revoke(id: string, shareId: string, caller: ScanCaller): Promise<void> {
      await scans.get(id, caller);
      if (!(await shares.revoke(id, shareId))) throw errors.notFound(`Share ${shareId} was not found.`);
      await audit('scan.share.revoke', `scan-share://${shareId}`, 'success', `scan ${id}`);
    },

    /** The report page of a live share, its thumbnail on a link minted now. */
    async page(token: string): Promise<SharePage> {
      const { scan } = await open(token);
      const report = JSON.parse(
        (await blobs.downloadBuffer(ref(scanBlobs.report(scan.id, 'json')))).toString('utf8'),
      ) as RiskReport;
      const image = await blobs.sasUrl(ref(scanBlobs.thumbnail(scan.owner, scan.id)), {
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
    },

    async pdf(token: string): Promise<{ scan: Scan; download: BlobDownload }> {
      const { scan } = await open(token);
      return { scan, download: await scans.report(scan, 'pdf') };
    },
  };
}
