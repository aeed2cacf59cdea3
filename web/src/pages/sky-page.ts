// Sky (seed 003): every star on a chart, live over /events/stars/stream; place a star by clicking
// the sky, read and like one by clicking it; filter active or popular; browse users and their stars.
import { html, nothing } from 'lit';
import { getJson, sendJson } from '../api/client.js';
import { openEventStream, type EventStreamHandle } from '../api/event-stream.js';
import { session } from '../api/session.js';
import '../sky/sky-chart.js';
import { isExpired, type Star } from '../sky/star.js';
import { field } from '../ui/form-field.js';
import { PageElement } from '../ui/page-element.js';

type Filter = 'all' | 'active' | 'popular';
interface Page<T> {
  items: T[];
  nextCursor: string | null;
}
interface User {
  id: string;
  name: string;
}

const lifetimes = [
  { label: '1 hour', seconds: 3600 },
  { label: '1 day', seconds: 86_400 },
  { label: '1 week', seconds: 604_800 },
  { label: 'No end', seconds: 0 },
];

async function allPages<T>(path: string, maxPages = 10): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < maxPages; page++) {
    const query: string = cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`;
    const result: Page<T> = await getJson<Page<T>>(`${path}?limit=100${query}`);
    items.push(...result.items);
    cursor = result.nextCursor;
    if (cursor === null) break;
  }
  return items;
}

export class SkyPage extends PageElement {
  static override properties = {
    stars: { state: true },
    popular: { state: true },
    users: { state: true },
    filter: { state: true },
    selectedId: { state: true },
    placing: { state: true },
    owner: { state: true },
    ownerStars: { state: true },
    live: { state: true },
  };
  declare stars: Map<string, Star>;
  declare popular: Set<string>;
  declare users: User[];
  declare filter: Filter;
  declare selectedId: string | undefined;
  declare placing: { ra: number; dec: number } | undefined;
  declare owner: User | undefined;
  declare ownerStars: Star[];
  declare live: boolean;
  #stream: EventStreamHandle | undefined;
  #popularTimer: ReturnType<typeof setTimeout> | undefined;

  constructor() {
    super();
    this.stars = new Map();
    this.popular = new Set();
    this.users = [];
    this.filter = 'all';
    this.selectedId = undefined;
    this.placing = undefined;
    this.owner = undefined;
    this.ownerStars = [];
    this.live = false;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#stream = openEventStream({
      path: '/events/stars/stream',
      onEvent: (event) => this.#apply(JSON.parse(event.data) as { type: string; data: Star }),
      onStatus: (connected) => {
        this.live = connected;
        // A fresh connection after a gap: anything older than the replay log is read again.
        if (connected) void this.#load();
      },
    });
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#stream?.close();
    clearTimeout(this.#popularTimer);
  }

  async #load(): Promise<void> {
    await this.guard(async () => {
      const stars = await allPages<Star>('/stars');
      this.stars = new Map(stars.map((s) => [s.id, s]));
      await this.#loadPopular();
      if (session.signedIn || session.mode === 'none') this.users = await allPages<User>('/users', 2);
    });
  }

  async #loadPopular(): Promise<void> {
    const popular = await getJson<Page<Star>>('/stars/popular?limit=20');
    this.popular = new Set(popular.items.map((s) => s.id));
  }

  #apply(change: { type: string; data: Star }): void {
    const stars = new Map(this.stars);
    if (change.type === 'delete') stars.delete(change.data.id);
    else stars.set(change.data.id, change.data);
    this.stars = stars;
    if (change.type !== 'create') {
      clearTimeout(this.#popularTimer);
      this.#popularTimer = setTimeout(() => void this.#loadPopular().catch(() => undefined), 300);
    }
  }

  get #visible(): Star[] {
    const all = [...this.stars.values()];
    if (this.filter === 'active') return all.filter((s) => !isExpired(s));
    if (this.filter === 'popular') return all.filter((s) => this.popular.has(s.id));
    return all;
  }

  async #create(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const form = event.target as HTMLFormElement;
    const ttl = Number(field(form, 'ttl'));
    const message = field(form, 'message');
    const star = await this.guard(() =>
      sendJson<Star>('POST', '/stars', {
        ...(session.mode === 'none' ? { userId: session.user?.id } : {}),
        name: field(form, 'name'),
        ...(message === '' ? {} : { message }),
        ra: Number(field(form, 'ra')),
        dec: Number(field(form, 'dec')),
        color: field(form, 'color'),
        ...(ttl > 0 ? { ttlSeconds: ttl } : {}),
      }),
    );
    if (star === undefined) return;
    this.#apply({ type: 'create', data: star });
    this.selectedId = star.id;
    this.placing = undefined;
  }

  async #like(star: Star): Promise<void> {
    const body = session.mode === 'none' ? { userId: session.user?.id } : {};
    const result = await this.guard(() =>
      sendJson<{ liked: boolean; star: Star }>('POST', `/stars/${star.id}/like`, body),
    );
    if (result === undefined) return;
    this.#apply({ type: 'update', data: result.star });
    if (!result.liked) this.message = 'You already liked this star.';
  }

  async #showOwner(user: User): Promise<void> {
    this.owner = user;
    const page = await this.guard(() => getJson<Page<Star>>(`/users/${user.id}/stars?limit=100`));
    this.ownerStars = page?.items ?? [];
  }

  #placeForm() {
    const place = this.placing ?? { ra: 180, dec: 0 };
    const needsUser = !session.signedIn;
    return html`<form
      class="panel grid"
      aria-label="Place a star"
      @submit=${(e: SubmitEvent) => void this.#create(e)}
    >
      <h2>Place a star</h2>
      ${needsUser ? html`<p class="error">Pick or create a user in the header first.</p>` : nothing}
      <label>Name <input name="name" required maxlength="100" /></label>
      <label>Message <textarea name="message" rows="2" maxlength="500"></textarea></label>
      <div class="row inputs">
        <label
          >Right ascension (°)
          <input name="ra" type="number" min="0" max="359.99" step="0.01" .value=${String(place.ra)} required
        /></label>
        <label
          >Declination (°)
          <input name="dec" type="number" min="-90" max="90" step="0.01" .value=${String(place.dec)} required
        /></label>
      </div>
      <div class="row inputs">
        <label>Colour <input name="color" type="color" value="#ffd166" /></label>
        <label
          >Lifetime
          <select name="ttl">
            ${lifetimes.map((l) => html`<option value=${l.seconds}>${l.label}</option>`)}
          </select></label
        >
      </div>
      <div class="row">
        <button type="submit" ?disabled=${needsUser}>Place star</button>
        <button type="button" class="secondary" @click=${() => (this.placing = undefined)}>Cancel</button>
      </div>
    </form>`;
  }

  #detail(star: Star) {
    const owner = this.users.find((u) => u.id === star.userId);
    return html`<section class="panel" aria-label="Selected star" aria-live="polite">
      <h2>${star.name}</h2>
      ${star.message ? html`<p>${star.message}</p>` : nothing}
      <p class="muted">
        RA ${star.ra}°, Dec ${star.dec}° · by ${owner?.name ?? star.userId.slice(0, 8)} ·
        ${isExpired(star) ? 'expired' : star.expiresAt ? `until ${new Date(star.expiresAt).toLocaleString()}` : 'no end'}
        ${this.popular.has(star.id) ? html` · <span class="badge">popular</span>` : nothing}
      </p>
      <div class="row">
        <button @click=${() => void this.#like(star)} ?disabled=${!session.signedIn}>♥ Like</button>
        <span data-testid="likes">${star.likes} ${star.likes === 1 ? 'like' : 'likes'}</span>
        <button class="secondary" @click=${() => (this.selectedId = undefined)}>Close</button>
      </div>
    </section>`;
  }

  #usersPanel() {
    return html`<section class="panel" aria-label="Users">
      <h2>Users</h2>
      <ul class="list">
        ${this.users.map(
          (u) =>
            html`<li><button class="link" @click=${() => void this.#showOwner(u)}>${u.name}</button></li>`,
        )}
      </ul>
      ${
        this.owner
          ? html`<h3>${this.owner.name}’s stars</h3>
              <ul class="list">
                ${this.ownerStars.length === 0 ? html`<li class="muted">None yet.</li>` : nothing}
                ${this.ownerStars.map(
                  (s) =>
                    html`<li>
                      <button class="link" @click=${() => (this.selectedId = s.id)}>${s.name}</button> ·
                      ${s.likes} likes
                    </li>`,
                )}
              </ul>`
          : nothing
      }
    </section>`;
  }

  protected override render() {
    const selected = this.selectedId === undefined ? undefined : this.stars.get(this.selectedId);
    return html`
      <div class="row">
        <h1>Sky</h1>
        <span class="live ${this.live ? 'on' : 'off'}" data-live=${this.live} role="status"
          >${this.live ? 'Live' : 'Reconnecting…'}</span
        >
      </div>
      <div class="grid two-cols">
        <div class="grid">
          <fieldset class="row" aria-label="Show">
            <legend class="visually-hidden">Show</legend>
            ${(['all', 'active', 'popular'] as const).map(
              (f) =>
                html`<label class="row"
                  ><input
                    type="radio"
                    name="filter"
                    value=${f}
                    .checked=${this.filter === f}
                    @change=${() => (this.filter = f)}
                  />${f === 'all' ? 'All stars' : f === 'active' ? 'Active' : 'Popular'}</label
                >`,
            )}
            <button class="secondary" @click=${() => (this.placing = { ra: 180, dec: 0 })}>New star…</button>
          </fieldset>
          <sky-chart
            .stars=${this.#visible}
            .popular=${this.popular}
            .selectedId=${this.selectedId}
            @place=${(e: CustomEvent<{ ra: number; dec: number }>) => {
              this.placing = e.detail;
              this.selectedId = undefined;
            }}
            @select=${(e: CustomEvent<string>) => {
              this.selectedId = e.detail;
              this.placing = undefined;
            }}
          ></sky-chart>
          <p class="muted">
            ${this.#visible.length} of ${this.stars.size} stars shown. Bigger stars have more likes; dashed
            rings mark popular ones; faded ones have expired.
          </p>
          ${this.messageView()}
        </div>
        <div class="grid">
          ${this.placing ? this.#placeForm() : nothing} ${selected ? this.#detail(selected) : nothing}
          ${this.#usersPanel()}
        </div>
      </div>
    `;
  }
}

customElements.define('sky-page', SkyPage);
