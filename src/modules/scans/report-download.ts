// A scan report sent as a download: its content type, a safe file name from the product name, no
// caching, and the strict CSP of the HTML report.
import type { FastifyReply } from 'fastify';
import { attachment, userContentHeaders } from '../../http/user-content.js';
import type { BlobDownload } from '../../platform/blob/blob-store.js';
import { reportCsp } from './reports/report-html.js';
import type { Scan } from './scan.js';
import { reportContentTypes, type ReportFormat } from './scan-blobs.js';

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
    .header('cache-control', 'private, no-store')
    // A download always, under the user-content rule (a report quotes what the user wrote).
    .headers(
      userContentHeaders(reportContentTypes[format], {
        requested: attachment(downloadName(scan, format)),
        ...(format === 'html' ? { csp: reportCsp() } : {}),
      }),
    );
  return reply.send(download.stream);
}
