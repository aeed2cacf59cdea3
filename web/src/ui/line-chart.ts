// A small SVG line chart of the last samples of one or more series (no chart library needed).
import { html, svg } from 'lit';

export interface Series {
  label: string;
  values: (number | null)[];
}

export function lineChart(title: string, unit: string, series: Series[]) {
  const width = 300;
  const height = 100;
  const all = series.flatMap((s) => s.values.filter((v): v is number => v !== null));
  const max = Math.max(1e-9, ...all);
  const points = (values: (number | null)[]) =>
    values
      .map((v, i) =>
        v === null
          ? null
          : `${(i / Math.max(1, values.length - 1)) * width},${height - (v / max) * (height - 6)}`,
      )
      .filter((p) => p !== null)
      .join(' ');
  const latest = (s: Series) => s.values.at(-1) ?? null;
  return html`<figure class="panel chart">
    <figcaption>
      <strong>${title}</strong>
      <span class="muted">(max ${`${max < 1e-6 ? 0 : max.toPrecision(3)} ${unit}`.trim()})</span>
    </figcaption>
    <svg
      viewBox="0 0 ${width} ${height}"
      preserveAspectRatio="none"
      role="img"
      aria-label=${`${title}: ${series.map((s) => `${s.label} ${latest(s)?.toPrecision(3) ?? 'n/a'} ${unit}`).join(', ')}`}
    >
      <line class="axis" x1="0" y1=${height} x2=${width} y2=${height}></line>
      ${series.map((s, i) => svg`<polyline class="s${i}" points=${points(s.values)}></polyline>`)}
    </svg>
    <div class="legend">
      ${series.map((s, i) => html`<span class="k${i}">■ ${s.label}: ${latest(s)?.toPrecision(3) ?? '–'}</span>`)}
    </div>
  </figure>`;
}
