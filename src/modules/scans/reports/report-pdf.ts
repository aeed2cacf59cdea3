// report.pdf (pdfkit): the product, its thumbnail, the table of matched ingredients with their
// reasons, the date and the disclaimer. Standard fonts only, so nothing is read from disk.
import PDFDocument from 'pdfkit';
import type { RiskReport } from './risk-report.js';

const levelColour = { high: '#a40000', moderate: '#8a5a00', low: '#2a6a2a' } as const;
const columns = [
  { title: 'Ingredient', width: 130 },
  { title: 'Level', width: 60 },
  { title: 'Why', width: 305 },
] as const;

function table(doc: PDFKit.PDFDocument, report: RiskReport): void {
  const left = doc.page.margins.left;
  const row = (cells: string[], options: { bold?: boolean; colour?: string } = {}) => {
    doc.font(options.bold === true ? 'Helvetica-Bold' : 'Helvetica').fontSize(9);
    const height = Math.max(
      ...cells.map((cell, i) => doc.heightOfString(cell, { width: columns[i]?.width ?? 100 })),
    );
    if (doc.y + height > doc.page.height - doc.page.margins.bottom) doc.addPage();
    const top = doc.y;
    let x = left;
    cells.forEach((cell, i) => {
      const width = columns[i]?.width ?? 100;
      doc.fillColor(i === 1 && options.colour !== undefined ? options.colour : '#1b1b1b');
      doc.text(cell, x, top, { width });
      x += width + 5;
    });
    doc.x = left;
    doc.y = top + height + 6;
  };
  row(
    columns.map((c) => c.title),
    { bold: true },
  );
  for (const m of report.matches)
    row([`${m.name}\n(${m.ingredient})`, m.level, `${m.reason} Source: ${m.source.name}.`], {
      colour: levelColour[m.level],
    });
}

export function renderReportPdf(report: RiskReport, thumbnail?: Buffer): Promise<Buffer> {
  const doc = new PDFDocument({
    size: 'A4',
    margin: 50,
    info: { Title: `Safety report: ${report.product.name ?? 'product'}`, Creator: 'Azimuth scans' },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const { product, summary } = report;
  doc.font('Helvetica-Bold').fontSize(18).text('Product safety report');
  doc.moveDown(0.5);
  if (thumbnail !== undefined) {
    doc.image(thumbnail, { fit: [160, 160] });
    doc.moveDown(0.5);
  }
  doc
    .font('Helvetica-Bold')
    .fontSize(12)
    .text(product.name ?? 'Unnamed product');
  doc.font('Helvetica').fontSize(10);
  if (product.brand !== null) doc.text(`Brand: ${product.brand}`);
  doc.text(`Category: ${product.category ?? '-'}   Barcode: ${product.barcode ?? '-'}`);
  doc.text(`Date: ${report.generatedAt.slice(0, 10)}`);
  doc.moveDown(0.5);
  doc
    .font('Helvetica-Bold')
    .fontSize(12)
    .fillColor(levelColour[summary.level])
    .text(`Overall level: ${summary.level}`);
  doc.fillColor('#1b1b1b').font('Helvetica').fontSize(10);
  doc.text(
    `${summary.matched} of ${summary.ingredientsChecked} ingredients matched (${summary.high} high, ${summary.moderate} moderate, ${summary.low} low).`,
  );
  if (report.analysis.state === 'skipped')
    doc.text(`Label reading skipped: ${report.analysis.reason ?? ''}.`);
  doc.moveDown();
  if (report.matches.length === 0) doc.text('No ingredient matched the catalogue of ingredients of concern.');
  else table(doc, report);
  doc.moveDown();
  doc.font('Helvetica-Oblique').fontSize(8).fillColor('#555555').text(report.disclaimer);
  doc.end();
  return done;
}
