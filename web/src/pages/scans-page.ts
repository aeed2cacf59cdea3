// Scans (seed 001): photograph a product, watch the image job's stages live over /ws, read the risk
// summary and the matched ingredients (from report.json), open the PDF, and share the report.
import { html, nothing } from 'lit';
import { getJson, withUser } from '../api/client.js';
import { navigate } from '../router.js';
import { PipelinePage } from '../ui/pipeline-page.js';
import { scanReport, scanStages, type RiskReport, type ScanDetail, type ScanSummary } from './scan-report.js';
import './scan-shares.js';

export class ScansPage extends PipelinePage<ScanSummary> {
  static override properties = {
    scanId: { attribute: false },
    scan: { state: true },
    report: { state: true },
  };
  declare scanId: string;
  declare scan: ScanDetail | undefined;
  declare report: RiskReport | undefined;
  protected readonly key = 'scanId';
  protected readonly heading = 'Scans';
  protected readonly newLabel = 'New scan';

  constructor() {
    super();
    this.scanId = '';
    this.scan = undefined;
    this.report = undefined;
  }

  protected override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('scanId')) {
      this.scan = undefined;
      this.report = undefined;
      if (this.scanId !== '') void this.#loadScan(this.scanId);
    }
  }

  protected itemTitle(scan: ScanSummary): string {
    return scan.productName ?? `Scan of ${new Date(scan.createdAt).toLocaleString()}`;
  }

  protected async fetchList(): Promise<ScanSummary[]> {
    return (await getJson<{ items: ScanSummary[] }>(withUser('/api/scans', { limit: '50' }))).items;
  }

  protected finished(id: string): void {
    if (this.scanId === id) void this.#loadScan(id);
  }

  /** A scan's stage is the one under way, or the one it failed in: the bar's names already. */
  protected failedAt(stage: string): string {
    return stage;
  }

  async #loadScan(id: string): Promise<void> {
    const scan = await this.guard(() => getJson<ScanDetail>(withUser(`/api/scans/${id}`)));
    if (scan === undefined || id !== this.scanId) return;
    this.scan = scan;
    this.watch(id, scan.status);
    if (scan.status === 'completed' && scan.risk !== null)
      this.report = await this.guard(() => getJson<RiskReport>(withUser(`/api/scans/${id}/report.json`)));
  }

  async #upload(file: File): Promise<void> {
    const form = new FormData();
    for (const name of ['productName', 'ingredients', 'barcode']) {
      const value =
        this.querySelector<HTMLInputElement | HTMLTextAreaElement>(`[name="${name}"]`)?.value.trim() ?? '';
      if (value !== '') form.set(name, value);
    }
    form.set('image', file);
    const accepted = await this.uploadForm<{ id: string }>(withUser('/api/scans'), form);
    if (accepted === undefined) return;
    this.watch(accepted.id);
    await this.loadList();
    navigate(`/scans/${accepted.id}`);
  }

  protected override render() {
    const scan = this.scan;
    return this.layout(
      scan
        ? this.#detailView(scan)
        : this.uploadPanel({
            label: 'New scan',
            heading: 'Photograph a product',
            fields: html`<label>Product name <input name="productName" maxlength="200" /></label>
              <label>Ingredients, as printed <textarea name="ingredients" rows="3"></textarea></label>
              <label>Barcode <input name="barcode" maxlength="64" inputmode="numeric" /></label>`,
            accept: 'image/jpeg,image/png,image/webp',
            capture: 'environment',
            boxLabel: 'Take or choose a photo',
            onFile: (file) => void this.#upload(file),
          }),
      scan !== undefined,
    );
  }

  #detailView(scan: ScanDetail) {
    return html`<section class="panel grid" aria-label="Scan">
      <h2>${scan.productName ?? 'Scan'}</h2>
      ${this.stageBar(scanStages, scan)} ${scan.error ? html`<p class="error">${scan.error}</p>` : nothing}
      ${scanReport(scan, this.report)}
      ${scan.status === 'completed' ? html`<scan-shares .scanId=${scan.id}></scan-shares>` : nothing}
    </section>`;
  }
}

customElements.define('scans-page', ScansPage);
