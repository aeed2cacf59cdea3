// What the API knows about one scan (GET /api/scans/{id}) and its risk report (report.json), and
// how the page shows them: the risk summary's counts, the matched ingredients with reasons and
// sources, what the label said, and links that open the PDF and HTML reports.
import { html, nothing } from 'lit';

type Level = 'low' | 'moderate' | 'high';

export interface ScanSummary {
  id: string;
  status: string;
  stage: string;
  productName: string | null;
  riskLevel: Level | null;
  error: string | null;
  createdAt: string;
}

export interface ScanDetail extends ScanSummary {
  stages: Record<string, { state: string; reason?: string }>;
  analysis: { brand: string | null; category: string | null; claims: string[]; confidence: number } | null;
  risk: {
    level: Level;
    matched: number;
    high: number;
    moderate: number;
    low: number;
    ingredientsChecked: number;
  } | null;
  /** Signed read links (≤ 15 minutes) by artifact: thumbnail, report.pdf, report.html… */
  links: Record<string, string>;
}

/** report.json: the model the HTML and PDF reports are written from. */
export interface RiskReport {
  ingredients: string[];
  matches: {
    ingredient: string;
    name: string;
    level: Level;
    reason: string;
    source: { name: string; url: string };
  }[];
  disclaimer: string;
}

export const scanStages = ['queued', 'processing', 'analysing', 'reporting', 'completed'] as const;

function matchesTable(report: RiskReport) {
  if (report.matches.length === 0)
    return html`<p data-testid="matches">
      None of the ${report.ingredients.length} ingredients is in the catalogue.
    </p>`;
  return html`<table data-testid="matches">
    <caption>
      Ingredients of concern
    </caption>
    <thead>
      <tr>
        <th scope="col">On the label</th>
        <th scope="col">Matches</th>
        <th scope="col">Level</th>
        <th scope="col">Why</th>
      </tr>
    </thead>
    <tbody>
      ${report.matches.map(
        (m) =>
          html`<tr data-level=${m.level}>
            <td>${m.ingredient}</td>
            <td>${m.name}</td>
            <td><span class="badge risk-${m.level}">${m.level}</span></td>
            <td>
              ${m.reason}
              <a href=${m.source.url} target="_blank" rel="noopener noreferrer">${m.source.name}</a>
            </td>
          </tr>`,
      )}
    </tbody>
  </table>`;
}

export function scanReport(scan: ScanDetail, report: RiskReport | undefined) {
  const skipped = Object.entries(scan.stages).filter(([, s]) => s.state === 'skipped');
  const { risk, analysis, links } = scan;
  return html`
    ${skipped.map(([name, s]) => html`<p class="muted">${name}: skipped (${s.reason ?? 'no reason given'})</p>`)}
    ${
      analysis
        ? html`<p class="muted">
            ${[analysis.brand, analysis.category].filter(Boolean).join(' · ')} · label read with
            ${Math.round(analysis.confidence * 100)}% confidence
            ${analysis.claims.length > 0 ? html`· claims: ${analysis.claims.join('; ')}` : nothing}
          </p>`
        : nothing
    }
    ${
      risk
        ? html`<section aria-label="Risk report" class="grid" data-testid="risk">
            <h3>Risk: <span class="badge risk-${risk.level}">${risk.level}</span></h3>
            <p>
              ${risk.matched} of ${risk.ingredientsChecked} ingredients matched: ${risk.high} high,
              ${risk.moderate} moderate, ${risk.low} low.
            </p>
            ${report ? matchesTable(report) : html`<p class="muted">Reading the report…</p>`}
            ${report ? html`<p class="muted">${report.disclaimer}</p>` : nothing}
          </section>`
        : nothing
    }
    <div class="row">
      ${
        links['report.pdf']
          ? html`<a href=${links['report.pdf']} target="_blank" rel="noopener" data-testid="pdf-link"
              >Open the PDF report</a
            >`
          : nothing
      }
      ${
        links['report.html']
          ? html`<a href=${links['report.html']} target="_blank" rel="noopener">HTML report</a>`
          : nothing
      }
    </div>
  `;
}
