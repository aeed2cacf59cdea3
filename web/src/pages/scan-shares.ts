// A scan's share links: create one valid for some hours, copy its URL (the API shows a link's
// token only once, when it is made), list them with their views, and revoke them.
import { html, nothing } from 'lit';
import { errorText, getJson, request, sendJson, withUser } from '../api/client.js';
import { field } from '../ui/form-field.js';
import { LightElement } from '../ui/light-element.js';

interface Share {
  id: string;
  createdAt: string;
  expiresAt: string;
  revokedAt: string | null;
  views: number;
  active: boolean;
}

export class ScanShares extends LightElement {
  static override properties = {
    scanId: { attribute: false },
    shares: { state: true },
    note: { state: true },
  };
  declare scanId: string;
  declare shares: Share[];
  /** The last action's outcome ("Copied", an error). */
  declare note: string;
  /** URLs of the links made here, by share id: the list never returns them again. */
  #urls = new Map<string, string>();

  constructor() {
    super();
    this.scanId = '';
    this.shares = [];
    this.note = '';
  }

  protected override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('scanId') && this.scanId !== '') void this.#run(async () => undefined);
  }

  /** Runs an action, then reloads the list; shows a failure instead of throwing. */
  async #run(action: () => Promise<unknown>): Promise<void> {
    try {
      await action();
      const path = withUser(`/api/scans/${this.scanId}/shares`);
      this.shares = (await getJson<{ items: Share[] }>(path)).items;
    } catch (error) {
      this.note = errorText(error);
    }
  }

  #create(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const hours = Number(field(event.target as HTMLFormElement, 'hours'));
    return this.#run(async () => {
      const path = withUser(`/api/scans/${this.scanId}/shares`);
      const made = await sendJson<{ id: string; url: string }>('POST', path, { expiresInHours: hours });
      if (made) this.#urls.set(made.id, made.url);
      this.note = '';
    });
  }

  #revoke(share: Share): Promise<void> {
    return this.#run(async () => {
      await request(withUser(`/api/scans/${this.scanId}/shares/${share.id}`), { method: 'DELETE' });
      this.note = 'Revoked: the link now answers 410 Gone.';
    });
  }

  async #copy(url: string): Promise<void> {
    try {
      await navigator.clipboard.writeText(url);
      this.note = 'Copied to the clipboard.';
    } catch {
      this.note = 'Copying needs the clipboard permission; select the link instead.';
    }
  }

  #state(share: Share): string {
    if (share.revokedAt !== null) return 'revoked';
    return share.active ? 'active' : 'expired';
  }

  #row(share: Share) {
    const url = this.#urls.get(share.id);
    const state = this.#state(share);
    return html`<li data-share=${share.id} data-state=${state}>
      <span class="badge share-${state}">${state}</span>
      ${url ? html`<a class="code" href=${url} target="_blank" rel="noopener noreferrer">${url}</a>` : nothing}
      <span class="muted">
        until ${new Date(share.expiresAt).toLocaleString()} · ${share.views}
        view${share.views === 1 ? '' : 's'}
      </span>
      ${url && share.active ? html`<button class="secondary" @click=${() => void this.#copy(url)}>Copy</button>` : nothing}
      ${share.active ? html`<button class="danger" @click=${() => void this.#revoke(share)}>Revoke</button>` : nothing}
    </li>`;
  }

  protected override render() {
    return html`<section aria-label="Share links" class="grid">
      <h3>Share links</h3>
      <form class="row" @submit=${(e: SubmitEvent) => void this.#create(e)}>
        <label
          >Valid for (hours) <input name="hours" type="number" min="1" max="168" value="72" required
        /></label>
        <button type="submit">Create a share link</button>
      </form>
      ${this.note ? html`<p role="status">${this.note}</p>` : nothing}
      <ul class="list">
        ${this.shares.length === 0 ? html`<li class="muted">No share links yet.</li>` : nothing}
        ${this.shares.map((share) => this.#row(share))}
      </ul>
    </section>`;
  }
}

customElements.define('scan-shares', ScanShares);
