// Operations: every dependency from /health (driver, status, latency), live charts sampled from
// /metrics/summary every 2 s, breaker states, and for admins the latest audit-log entries.
import { html, nothing } from 'lit';
import { ApiError, errorText, getJson } from '../api/client.js';
import { apiUrl } from '../api/config.js';
import { PageElement } from '../ui/page-element.js';
import { lineChart } from '../ui/line-chart.js';
import { windowOf, type MetricsSummary } from './metrics-window.js';

interface Dependency {
  status: string;
  driver: string;
  required: boolean;
  latencyMs: number;
  error?: string;
}
interface Health {
  status: string;
  version: string;
  environment: string;
  uptimeSeconds: number;
  dependencies: Record<string, Dependency>;
}
interface AuditItem {
  id: string;
  at: string;
  actor: string | null;
  operation: string;
  target: string;
  outcome: string;
}
interface Point {
  rate: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  sse: number;
  ws: number;
  waiting: number | null;
  active: number | null;
}

const keep = 60;

export class OperationsPage extends PageElement {
  static override properties = {
    health: { state: true },
    latest: { state: true },
    points: { state: true },
    audit: { state: true },
  };
  declare health: Health | undefined;
  declare latest: MetricsSummary | undefined;
  declare points: Point[];
  declare audit: AuditItem[] | undefined;
  #timers: ReturnType<typeof setInterval>[] = [];

  constructor() {
    super();
    this.health = undefined;
    this.latest = undefined;
    this.points = [];
    this.audit = undefined;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.#loadHealth();
    void this.#sample();
    void this.#loadAudit();
    this.#timers.push(
      setInterval(() => void this.#loadHealth(), 5000),
      setInterval(() => void this.#sample(), 2000),
    );
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers = [];
  }

  async #loadHealth(): Promise<void> {
    // 503 still carries the report: read the body whatever the status.
    const health = await this.guard(async () => {
      const response = await fetch(apiUrl('/health'), { cache: 'no-store' });
      return (await response.json()) as Health;
    });
    if (health) this.health = health;
  }

  async #sample(): Promise<void> {
    const current = await this.guard(() => getJson<MetricsSummary>('/metrics/summary'));
    const previous = this.latest;
    if (current === undefined) return;
    this.latest = current;
    if (previous === undefined) return;
    const point = {
      ...windowOf(previous, current),
      ...current.connections,
      waiting: current.queue.waiting,
      active: current.queue.active,
    };
    this.points = [...this.points, point].slice(-keep);
  }

  async #loadAudit(): Promise<void> {
    try {
      this.audit = (await getJson<{ items: AuditItem[] }>('/admin/audit-log?limit=20')).items;
    } catch (error) {
      // Not an admin (or signed out): the section is simply not shown.
      if (!(error instanceof ApiError && (error.status === 401 || error.status === 403)))
        this.message = errorText(error);
    }
  }

  protected override render() {
    const h = this.health;
    return html`
      <div class="row">
        <h1>Operations</h1>
        ${
          h
            ? html`<span class="badge status-${h.status}">${h.status}</span>
                <span class="muted"
                  >v${h.version} · ${h.environment} · up ${Math.round(h.uptimeSeconds / 60)} min</span
                >`
            : nothing
        }
      </div>
      ${this.messageView()} ${this.#dependenciesView()} ${this.#chartsView()} ${this.#breakersView()}
      ${this.#auditView()}
    `;
  }

  #dependenciesView() {
    return html`
      <section class="panel" aria-label="Dependencies">
        <h2>Dependencies</h2>
        <table data-testid="dependencies">
          <thead>
            <tr>
              <th>Dependency</th>
              <th>Driver</th>
              <th>Status</th>
              <th>Latency</th>
              <th>Required</th>
              <th>Note</th>
            </tr>
          </thead>
          <tbody>
            ${Object.entries(this.health?.dependencies ?? {}).map(
              ([name, d]) =>
                html`<tr data-dependency=${name}>
                  <td>${name}</td>
                  <td>${d.driver}</td>
                  <td><span class="badge status-${d.status}">${d.status}</span></td>
                  <td>${d.latencyMs} ms</td>
                  <td>${d.required ? 'yes' : 'no'}</td>
                  <td class="muted">${d.error ?? ''}</td>
                </tr>`,
            )}
          </tbody>
        </table>
      </section>
    `;
  }

  #chartsView() {
    const p = this.points;
    return html`
      <div class="grid cards">
        ${lineChart('Request rate', 'req/s', [{ label: 'rate', values: p.map((x) => x.rate) }])}
        ${lineChart('Latency', 'ms', [
          { label: 'p50', values: p.map((x) => x.p50) },
          { label: 'p95', values: p.map((x) => x.p95) },
          { label: 'p99', values: p.map((x) => x.p99) },
        ])}
        ${lineChart('Open connections', '', [
          { label: 'SSE', values: p.map((x) => x.sse) },
          { label: 'WebSocket', values: p.map((x) => x.ws) },
        ])}
        ${lineChart(`Queue depth (${this.latest?.queue.driver ?? '…'})`, 'jobs', [
          { label: 'waiting', values: p.map((x) => x.waiting) },
          { label: 'active', values: p.map((x) => x.active) },
        ])}
      </div>
    `;
  }

  #breakersView() {
    return html`
      <section class="panel" aria-label="Circuit breakers">
        <h2>Circuit breakers</h2>
        ${(this.latest?.breakers ?? []).length === 0 ? html`<p class="muted">No breakers reported yet.</p>` : nothing}
        <ul class="list">
          ${(this.latest?.breakers ?? []).map(
            (b) => html`<li>${b.dependency}: <span class="badge status-${b.state}">${b.state}</span></li>`,
          )}
        </ul>
      </section>
    `;
  }

  #auditView() {
    return this.audit
      ? html`<section class="panel" aria-label="Audit log">
          <h2>Audit log</h2>
          <table>
            <thead>
              <tr>
                <th>When</th>
                <th>Who</th>
                <th>Operation</th>
                <th>Target</th>
                <th>Outcome</th>
              </tr>
            </thead>
            <tbody>
              ${this.audit.map(
                (a) =>
                  html`<tr>
                    <td>${new Date(a.at).toLocaleTimeString()}</td>
                    <td>${a.actor ?? 'anonymous'}</td>
                    <td>${a.operation}</td>
                    <td class="code">${a.target}</td>
                    <td>${a.outcome}</td>
                  </tr>`,
              )}
            </tbody>
          </table>
        </section>`
      : nothing;
  }
}

customElements.define('operations-page', OperationsPage);
