// reporting: ingredients from the label reading and the typed list are matched against the
// catalogue, and the report is written as report.json, report.html and report.pdf under
// reports/{scanId}/ (seed 001's risk report generator uploads all three).
import sharp from 'sharp';
import type { BlobStore } from '../../../platform/blob/blob-store.js';
import type { IngredientCatalogue } from '../ingredient-catalogue.js';
import { splitIngredients } from '../ingredient-catalogue.js';
import { renderReportHtml } from '../reports/report-html.js';
import { renderReportJson } from '../reports/report-json.js';
import { renderReportPdf } from '../reports/report-pdf.js';
import { buildRiskReport, type RiskReport } from '../reports/risk-report.js';
import type { Scan } from '../scan.js';
import { reportContentTypes, scanBlobs, type ReportFormat } from '../scan-blobs.js';
import type { ScansStore } from '../scans-store.js';
import type { ScanStage } from './scan-stage.js';

/** The ingredients to check: the label's, then typed ones it did not list. */
function ingredientsOf(scan: Scan): string[] {
  const read = scan.analysis?.ingredients ?? [];
  const typed = scan.typedIngredients === null ? [] : splitIngredients(scan.typedIngredients);
  const seen = new Set(read.map((i) => i.trim().toLowerCase()));
  return [...read, ...typed.filter((i) => !seen.has(i.trim().toLowerCase()))];
}

export function reportOf(scan: Scan, catalogue: IngredientCatalogue, generatedAt: Date): RiskReport {
  const analysed = scan.stages.analysing;
  return buildRiskReport({
    scanId: scan.id,
    generatedAt,
    product: {
      name: scan.analysis?.productName ?? scan.productName,
      brand: scan.analysis?.brand ?? null,
      category: scan.analysis?.category ?? null,
      barcode: scan.barcode,
    },
    analysis: {
      state: analysed.state === 'done' ? 'done' : 'skipped',
      reason: analysed.state === 'done' ? null : (analysed.reason ?? 'not run'),
      confidence: scan.analysis?.confidence ?? null,
      claims: scan.analysis?.claims ?? [],
    },
    ingredients: ingredientsOf(scan),
    catalogue,
  });
}

export function reportingStage(deps: {
  blobs: BlobStore;
  store: Pick<ScansStore, 'putSnapshot'>;
  catalogue: IngredientCatalogue;
  now: () => Date;
  /** Seconds each report format took to render (metrics). */
  observe?: (format: ReportFormat, seconds: number) => void;
}): ScanStage {
  const timed = async <T>(format: ReportFormat, render: () => T | Promise<T>): Promise<T> => {
    const started = performance.now();
    const result = await render();
    deps.observe?.(format, (performance.now() - started) / 1000);
    return result;
  };
  return {
    name: 'reporting',
    async run(run) {
      const { scan } = run;
      const report = reportOf(scan, deps.catalogue, deps.now());
      const thumbnail = await run.read(scanBlobs.thumbnail(scan.owner, scan.id));
      // pdfkit embeds JPEG and PNG only.
      const thumbnailJpeg = await sharp(thumbnail).jpeg({ quality: 85 }).toBuffer();
      const bodies: Record<ReportFormat, Buffer> = {
        json: await timed('json', () => renderReportJson(report)),
        html: await timed('html', () =>
          Buffer.from(
            renderReportHtml(report, { image: `data:image/webp;base64,${thumbnail.toString('base64')}` }),
          ),
        ),
        pdf: await timed('pdf', () => renderReportPdf(report, thumbnailJpeg)),
      };
      for (const [format, body] of Object.entries(bodies) as [ReportFormat, Buffer][]) {
        const name = scanBlobs.report(scan.id, format);
        await deps.blobs.upload(run.ref(name), body, { contentType: reportContentTypes[format] });
        await deps.store.putSnapshot(scan.id, {
          kind: `report.${format}`,
          container: run.ref(name).container,
          name,
          contentType: reportContentTypes[format],
          sizeBytes: body.length,
        });
      }
      await run.update({ risk: report.summary });
      return { state: 'done' };
    },
  };
}
