// report.html: one self-contained page (inline style, the thumbnail as a data: URL or a short-lived
// link on share pages). Every value is escaped, and a strict CSP allows nothing but that style and
// those images: no script, no other fetch, no form, no framing.
import { createHash } from 'node:crypto';
import type { RiskReport } from './risk-report.js';

const style = [
  'body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#1b1b1b}',
  'img{max-width:320px;border-radius:8px}',
  'table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.4rem;border-bottom:1px solid #ddd;vertical-align:top}',
  '.high{color:#a40000}.moderate{color:#8a5a00}.low{color:#2a6a2a}',
  '.level{font-size:1.3rem;font-weight:600}.note{font-size:.85rem;color:#555}',
].join('');
const styleHash = `'sha256-${createHash('sha256').update(style).digest('base64')}'`;

const entities: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
export const escapeHtml = (value: string): string => value.replace(/[&<>"']/g, (c) => entities[c] ?? c);

/** Only http(s) and data:image URLs may become an attribute; anything else is dropped. */
const safeUrl = (url: string): string | undefined =>
  /^(https?:\/\/|data:image\/(jpeg|png|webp);base64,)/.test(url) ? escapeHtml(url) : undefined;

/** The Content-Security-Policy of a report page; `imageOrigins` are where its image links point. */
export function reportCsp(imageOrigins: readonly string[] = []): string {
  return [
    "default-src 'none'",
    `img-src data: ${imageOrigins.join(' ')}`.trim(),
    `style-src ${styleHash}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

export interface HtmlOptions {
  /** The thumbnail: a data: URL (stored report) or a short-lived read link (share page). */
  image?: string;
  imageOrigins?: readonly string[];
  /** Link to the PDF (share pages). */
  pdfHref?: string;
}

const text = (value: string | null, fallback = '—') => escapeHtml(value ?? fallback);

function matchRows(report: RiskReport): string {
  if (report.matches.length === 0)
    return '<p>No ingredient matched the catalogue of ingredients of concern.</p>';
  const rows = report.matches.map(
    (m) =>
      `<tr><td>${text(m.ingredient)}</td><td>${text(m.name)}</td><td class="${m.level}">${m.level}</td>` +
      `<td>${text(m.reason)} <span class="note">(${text(m.source.name)})</span></td></tr>`,
  );
  return `<table><thead><tr><th>On the label</th><th>Ingredient</th><th>Level</th><th>Why</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
}

export function renderReportHtml(report: RiskReport, options: HtmlOptions = {}): string {
  const image = options.image === undefined ? undefined : safeUrl(options.image);
  const pdf =
    options.pdfHref === undefined
      ? ''
      : `<p><a href="${escapeHtml(options.pdfHref)}">Download the PDF</a></p>`;
  const { product, summary } = report;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${escapeHtml(reportCsp(options.imageOrigins))}">
<meta name="robots" content="noindex, nofollow">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Safety report: ${text(product.name, 'product')}</title>
<style>${style}</style></head>
<body><h1>Product safety report</h1>
${image === undefined ? '' : `<img src="${image}" alt="Photo of the product">`}
<p><strong>${text(product.name, 'Unnamed product')}</strong>${product.brand === null ? '' : ` by ${text(product.brand)}`}</p>
<p>Category: ${text(product.category)} · Barcode: ${text(product.barcode)}</p>
<p class="level ${summary.level}">Overall level: ${summary.level}</p>
<p>${summary.matched} of ${summary.ingredientsChecked} ingredients matched (${summary.high} high, ${summary.moderate} moderate, ${summary.low} low).</p>
${report.analysis.state === 'skipped' ? `<p class="note">Label reading skipped: ${text(report.analysis.reason)}.</p>` : ''}
${matchRows(report)}
${pdf}
<p class="note">Generated ${escapeHtml(report.generatedAt)}. ${escapeHtml(report.disclaimer)}</p>
</body></html>
`;
}
