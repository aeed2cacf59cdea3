// What the API knows about one recording, and how the page shows it: players, transcript with
// timestamps, summary, key points, coaching, sentiment, action items, cost and warnings.
import { html, nothing } from 'lit';

export interface RecordingDetail {
  id: string;
  title: string;
  status: string;
  stage: string;
  percent: number;
  error: string | null;
  durationSeconds: number | null;
  sizeBytes: number;
  compressedBytes: number | null;
  transcript: {
    text: string;
    segments: { start: number; end: number; text: string }[];
    model: string;
  } | null;
  insights: {
    summary: string;
    keyPoints: string[];
    coachingRecommendations: string[];
    sentiment: { overall: string; score: number; explanation: string };
    actionItems: { description: string; owner: string | null; dueDate: string | null }[];
  } | null;
  cost: {
    totalUsd: number;
    transcription: { model: string; usd: number } | null;
    analysis: { model: string; usd: number } | null;
  };
  stages: Record<string, { state: string; reason?: string }>;
  warnings: string[];
  links: { original: string; compressed: string | null; expiresOn: string };
}

export const clock = (seconds: number): string => {
  const whole = Math.floor(seconds);
  return `${Math.floor(whole / 60)}:${String(whole % 60).padStart(2, '0')}`;
};

const list = (items: string[]) =>
  items.length === 0
    ? html`<p class="muted">None.</p>`
    : html`<ul>
        ${items.map((i) => html`<li>${i}</li>`)}
      </ul>`;

type Transcript = NonNullable<RecordingDetail['transcript']>;
type Insights = NonNullable<RecordingDetail['insights']>;

const transcriptView = (t: Transcript) =>
  html`<section aria-label="Transcript">
    <h3>Transcript</h3>
    <div class="transcript" data-testid="transcript" tabindex="0">
      ${
        t.segments.length > 0
          ? t.segments.map((s) => html`<p><time>${clock(s.start)}</time>${s.text.trim()}</p>`)
          : html`<p>${t.text}</p>`
      }
    </div>
  </section>`;

const actionItemsView = (items: Insights['actionItems']) =>
  items.length === 0
    ? html`<p class="muted">None.</p>`
    : html`<table>
        <thead>
          <tr>
            <th>What</th>
            <th>Who</th>
            <th>When</th>
          </tr>
        </thead>
        <tbody>
          ${items.map(
            (a) =>
              html`<tr>
                <td>${a.description}</td>
                <td>${a.owner ?? '—'}</td>
                <td>${a.dueDate ?? '—'}</td>
              </tr>`,
          )}
        </tbody>
      </table>`;

const insightsView = (i: Insights) =>
  html`<section aria-label="Insights" class="grid">
    <div>
      <h3>Summary</h3>
      <p>${i.summary}</p>
    </div>
    <div>
      <h3>Key points</h3>
      ${list(i.keyPoints)}
    </div>
    <div>
      <h3>Coaching</h3>
      ${list(i.coachingRecommendations)}
    </div>
    <div>
      <h3>Sentiment</h3>
      <p>
        <span class="badge">${i.sentiment.overall}</span>
        ${i.sentiment.score.toFixed(2)} · ${i.sentiment.explanation}
      </p>
    </div>
    <div>
      <h3>Action items</h3>
      ${actionItemsView(i.actionItems)}
    </div>
  </section>`;

export function recordingDetail(d: RecordingDetail) {
  const skipped = Object.entries(d.stages).filter(([, s]) => s.state === 'skipped');
  return html`
    <div class="grid cards">
      <label>Original <audio controls preload="none" src=${d.links.original}></audio></label>
      ${
        d.links.compressed
          ? html`<label>Compressed <audio controls preload="none" src=${d.links.compressed}></audio></label>`
          : nothing
      }
    </div>
    <p class="muted">
      ${d.durationSeconds === null ? '' : `${clock(d.durationSeconds)} long · `}${(d.sizeBytes / 1024).toFixed(0)}
      KiB ${d.compressedBytes === null ? '' : ` → ${(d.compressedBytes / 1024).toFixed(0)} KiB compressed`} ·
      cost $${d.cost.totalUsd.toFixed(4)}
    </p>
    ${skipped.map(([name, s]) => html`<p class="muted">${name}: skipped (${s.reason ?? 'no reason given'})</p>`)}
    ${d.warnings.map((w) => html`<p class="muted">⚠ ${w}</p>`)}
    ${d.transcript ? transcriptView(d.transcript) : nothing}
    ${d.insights ? insightsView(d.insights) : nothing}
  `;
}
