// Scans (seed 001, issue 12): photograph a product, watch the image job's stages, read the risk
// report, open the PDF, and create or revoke share links. Shows a notice while the API has no scans.
import { html, nothing } from 'lit';
import { ApiError, errorText, getJson, request, sendJson, withUser } from '../api/client.js';
import { apiUrl } from '../api/config.js';
import { ProgressSocket, type ProgressMessage } from '../api/progress-socket.js';
import { navigate } from '../router.js';
import { PageElement } from '../ui/page-element.js';
import { stageBar } from '../ui/stage-bar.js';
import '../ui/upload-box.js';

interface Scan {
  id: string;
  status: string;
  stage?: string;
  percent?: number;
  productName?: string | null;
  error?: string | null;
  createdAt?: string;
  risk?: { level?: string; matches?: { name: string; level: string; reason: string }[] } | null;
  analysis?: Record<string, unknown> | null;
}
interface Share {
  id: string;
  url: string;
  expiresAt: string;
}

const scanStages = ['queued', 'processing', 'analysing', 'reporting', 'completed'] as const;

export class ScansPage extends PageElement {
  static override properties = {
    scanId: { attribute: false },
    available: { state: true },
    items: { state: true },
    scan: { state: true },
    shares: { state: true },
  };
  declare scanId: string;
  declare available: boolean | undefined;
  declare items: Scan[];
  declare scan: Scan | undefined;
  declare shares: Share[];
  #socket = new ProgressSocket((m) => this.#progress(m));

  constructor() {
    super();
    this.scanId = '';
    this.available = undefined;
    this.items = [];
    this.scan = undefined;
    this.shares = [];
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.#loadList();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#socket.close();
  }

  protected override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('scanId')) {
      this.scan = undefined;
      if (this.scanId !== '') void this.#loadScan(this.scanId);
    }
  }

  async #loadList(): Promise<void> {
    try {
      this.items = (await getJson<{ items: Scan[] }>(withUser('/api/scans', { limit: '50' }))).items;
      this.available = true;
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) this.available = false;
      else this.message = errorText(error);
    }
  }

  async #loadScan(id: string): Promise<void> {
    await this.guard(async () => {
      const scan = await getJson<Scan>(withUser(`/api/scans/${id}`));
      this.shares = (await getJson<{ items: Share[] }>(withUser(`/api/scans/${id}/shares`))).items;
      this.scan = scan;
      if (scan.status !== 'completed' && scan.status !== 'failed') this.#socket.watch('scanId', id);
    });
  }

  #progress(message: ProgressMessage): void {
    if (message.scanId !== this.scan?.id || this.scan === undefined) return;
    this.scan = { ...this.scan, status: message.status ?? this.scan.status, percent: message.percent ?? 0 };
    if (message.type === 'completed' || message.type === 'failed') void this.#loadScan(this.scan.id);
  }

  async #upload(file: File): Promise<void> {
    const form = new FormData();
    for (const name of ['productName', 'ingredients', 'barcode']) {
      const value =
        this.querySelector<HTMLInputElement | HTMLTextAreaElement>(`[name="${name}"]`)?.value.trim() ?? '';
      if (value !== '') form.set(name, value);
    }
    form.set('image', file);
    const scan = await this.uploadForm<Scan>(withUser('/api/scans'), form);
    if (scan === undefined) return;
    await this.#loadList();
    navigate(`/scans/${scan.id}`);
  }

  async #openPdf(id: string): Promise<void> {
    const blob = await this.guard(async () =>
      (await request(withUser(`/api/scans/${id}/report.pdf`))).blob(),
    );
    if (blob) window.open(URL.createObjectURL(blob), '_blank', 'noopener');
  }

  async #shareAction(action: () => Promise<unknown>): Promise<void> {
    await this.guard(action);
    if (this.scan) await this.#loadScan(this.scan.id);
  }

  protected override render() {
    if (this.available === false)
      return html`<h1>Scans</h1>
        <p class="panel" role="status">
          This API has no scans module yet (<span class="code">/api/scans</span> answers 404).
        </p>`;
    return html` <h1>Scans</h1>
      <div class="grid two-cols">
        <div class="grid">
          ${this.scan ? this.#detail(this.scan) : this.#uploadPanel()} ${this.messageView()}
        </div>
        <section class="panel" aria-label="Your scans">
          <h2>Your scans</h2>
          <ul class="list">
            ${this.items.length === 0 ? html`<li class="muted">None yet.</li>` : nothing}
            ${this.items.map(
              (s) =>
                html`<li>
                  <a href="/scans/${s.id}" data-nav>${s.productName ?? s.id.slice(0, 8)}</a>
                  <span class="badge status-${s.status}">${s.status}</span>
                </li>`,
            )}
          </ul>
          ${this.scan ? html`<p><a href="/scans" data-nav>New scan</a></p>` : nothing}
        </section>
      </div>`;
  }

  #uploadPanel() {
    return html`<section class="panel grid" aria-label="New scan">
      <h2>Photograph a product</h2>
      <label>Product name <input name="productName" maxlength="200" /></label>
      <label>Ingredients, as printed <textarea name="ingredients" rows="3"></textarea></label>
      <label>Barcode <input name="barcode" maxlength="64" inputmode="numeric" /></label>
      <upload-box
        accept="image/jpeg,image/png,image/webp"
        capture="environment"
        label="Take or choose a photo"
        @file=${(e: CustomEvent<File>) => void this.#upload(e.detail)}
      ></upload-box>
      ${this.progressView()}
    </section>`;
  }

  #detail(scan: Scan) {
    return html`<section class="panel grid" aria-label="Scan">
      <h2>${scan.productName ?? 'Scan'}</h2>
      ${stageBar(scanStages, scan.status, scan.percent ?? 0, scan.stage)}
      ${scan.error ? html`<p class="error">${scan.error}</p>` : nothing}
      ${
        scan.risk
          ? html`<h3>Risk: <span class="badge">${scan.risk.level ?? 'unknown'}</span></h3>
              <table>
                <thead>
                  <tr>
                    <th>Ingredient</th>
                    <th>Level</th>
                    <th>Why</th>
                  </tr>
                </thead>
                <tbody>
                  ${(scan.risk.matches ?? []).map(
                    (m) =>
                      html`<tr>
                        <td>${m.name}</td>
                        <td>${m.level}</td>
                        <td>${m.reason}</td>
                      </tr>`,
                  )}
                </tbody>
              </table>`
          : nothing
      }
      ${
        scan.status === 'completed'
          ? html`<div class="row">
              <button @click=${() => void this.#openPdf(scan.id)}>Open PDF report</button>
              <a href=${apiUrl(withUser(`/api/scans/${scan.id}/report.html`))} target="_blank" rel="noopener"
                >HTML report</a
              >
            </div>`
          : nothing
      }
      <h3>Share links</h3>
      <ul class="list">
        ${this.shares.map(
          (s) =>
            html`<li>
              <span class="code">${s.url}</span> · until ${new Date(s.expiresAt).toLocaleString()}
              <button
                class="danger"
                @click=${() => void this.#shareAction(() => request(withUser(`/api/scans/${scan.id}/shares/${s.id}`), { method: 'DELETE' }))}
              >
                Revoke
              </button>
            </li>`,
        )}
      </ul>
      <button
        class="secondary"
        @click=${() => void this.#shareAction(() => sendJson('POST', withUser(`/api/scans/${scan.id}/shares`), { expiresInHours: 72 }))}
      >
        Create a 72-hour share link
      </button>
    </section>`;
  }
}

customElements.define('scans-page', ScansPage);
