// The sky chart: an SVG of the projected stars over a right-ascension/declination grid. Clicking
// empty sky asks to place a star there; a star is a button (click, Enter or Space) that selects it.
import { html, svg, nothing } from 'lit';
import { LightElement } from '../ui/light-element.js';
import { chartHeight, chartWidth, project, raHours, unproject } from './projection.js';
import { isExpired, starRadius, type Star } from './star.js';

export class SkyChart extends LightElement {
  static override properties = {
    stars: { attribute: false },
    popular: { attribute: false },
    selectedId: { attribute: false },
  };
  declare stars: Star[];
  declare popular: Set<string>;
  declare selectedId: string | undefined;

  constructor() {
    super();
    this.stars = [];
    this.popular = new Set();
    this.selectedId = undefined;
  }

  #emit(name: string, detail: unknown): void {
    this.dispatchEvent(new CustomEvent(name, { detail, bubbles: true }));
  }

  #placeAt(event: MouseEvent): void {
    if ((event.target as Element).closest('.star')) return;
    const svgElement = event.currentTarget as SVGSVGElement;
    const box = svgElement.getBoundingClientRect();
    const x = ((event.clientX - box.left) / box.width) * chartWidth;
    const y = ((event.clientY - box.top) / box.height) * chartHeight;
    this.#emit('place', unproject(x, y));
  }

  #grid() {
    const lines = [];
    // 0h sits on the right edge, where its label would be cut: the hours between are enough.
    for (let ra = 30; ra < 360; ra += 30) {
      const { x } = project(ra, 0);
      lines.push(svg`<line class="grid-line" x1=${x} y1="0" x2=${x} y2=${chartHeight}></line>
        <text class="grid-label" text-anchor="middle" x=${x} y=${chartHeight - 4}>${raHours(ra)}</text>`);
    }
    for (let dec = -60; dec <= 60; dec += 30) {
      const { y } = project(0, dec);
      lines.push(svg`<line class="grid-line" x1="0" y1=${y} x2=${chartWidth} y2=${y}></line>
        <text class="grid-label" x="4" y=${y - 3}>${dec > 0 ? '+' : ''}${dec}°</text>`);
    }
    return lines;
  }

  #star(star: Star, now: number) {
    const { x, y } = project(star.ra, star.dec);
    const r = starRadius(star.likes);
    const expired = isExpired(star, now);
    const classes = ['star', expired ? 'expired' : '', star.id === this.selectedId ? 'selected' : ''].join(
      ' ',
    );
    const select = () => this.#emit('select', star.id);
    return svg`<circle class=${classes} cx=${x} cy=${y} r=${r} fill=${star.color ?? '#ffffff'}
        tabindex="0" role="button" data-star-id=${star.id}
        aria-label=${`${star.name}, ${star.likes} likes${expired ? ', expired' : ''}${this.popular.has(star.id) ? ', popular' : ''}`}
        @click=${select}
        @keydown=${(e: KeyboardEvent) => {
          if (e.key === 'Enter' || e.key === ' ') {
            e.preventDefault();
            select();
          }
        }}></circle>
      ${this.popular.has(star.id) ? svg`<circle class="popular-ring" cx=${x} cy=${y} r=${r + 4}></circle>` : nothing}`;
  }

  protected override render() {
    const now = Date.now();
    return html`<svg
      class="sky-chart"
      viewBox="0 0 ${chartWidth} ${chartHeight}"
      role="group"
      aria-label="Sky chart: right ascension left to right from 24h to 0h, declination bottom to top. Click empty sky to place a star."
      @click=${(e: MouseEvent) => this.#placeAt(e)}
    >
      ${this.#grid()} ${this.stars.map((star) => this.#star(star, now))}
    </svg>`;
  }
}

customElements.define('sky-chart', SkyChart);
