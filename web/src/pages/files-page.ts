// Files (seed 001): browse by prefix, upload with progress, download, delete, and hand out a
// read link with an expiry that can be copied.
import { html, nothing } from 'lit';
import { download, getJson, request, sendJson } from '../api/client.js';
import { PageElement } from '../ui/page-element.js';
import { field } from '../ui/form-field.js';
import '../ui/upload-box.js';

interface FileItem {
  name: string;
  size: number;
  contentType: string;
  lastModified: string;
}
interface Link {
  name: string;
  url: string;
  expiresOn: string;
}

const filePath = (name: string) => `/api/files/${name.split('/').map(encodeURIComponent).join('/')}`;

export class FilesPage extends PageElement {
  static override properties = {
    prefix: { state: true },
    items: { state: true },
    nextCursor: { state: true },
    link: { state: true },
  };
  declare prefix: string;
  declare items: FileItem[];
  declare nextCursor: string | null;
  declare link: Link | undefined;

  constructor() {
    super();
    this.prefix = '';
    this.items = [];
    this.nextCursor = null;
    this.link = undefined;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.#load();
  }

  async #load(more = false): Promise<void> {
    const query = new URLSearchParams({ prefix: this.prefix, limit: '50' });
    if (more && this.nextCursor !== null) query.set('cursor', this.nextCursor);
    const page = await this.guard(() =>
      getJson<{ items: FileItem[]; nextCursor: string | null }>(`/api/files?${query.toString()}`),
    );
    if (page === undefined) return;
    this.items = more ? [...this.items, ...page.items] : page.items;
    this.nextCursor = page.nextCursor;
  }

  async #upload(file: File): Promise<void> {
    const form = new FormData();
    form.set('name', `${this.prefix}${file.name}`);
    form.set('file', file);
    if ((await this.uploadForm('/api/files', form)) !== undefined) await this.#load();
  }

  async #share(name: string): Promise<void> {
    const seconds = Number(this.querySelector<HTMLSelectElement>('select[name="expiry"]')?.value ?? 3600);
    await this.guard(async () => {
      const link = await sendJson<Link>('POST', '/api/files/sas', {
        name,
        permissions: 'r',
        expiresInSeconds: seconds,
      });
      if (link) this.link = { ...link, name };
    });
  }

  async #delete(name: string): Promise<void> {
    await this.guard(async () => {
      await request(filePath(name), { method: 'DELETE' });
      await this.#load();
    });
  }

  protected override render() {
    return html`
      <h1>Files</h1>
      <div class="grid two-cols">
        ${this.#listView()}
        <div class="grid">${this.#uploadView()} ${this.#linksView()}</div>
      </div>
    `;
  }

  #listView() {
    return html`<section class="panel grid" aria-label="Files">
      <form
        class="row"
        role="search"
        @submit=${(e: SubmitEvent) => {
          e.preventDefault();
          this.prefix = field(e.target as HTMLFormElement, 'prefix');
          void this.#load();
        }}
      >
        <label>Name prefix <input name="prefix" .value=${this.prefix} placeholder="e.g. reports/" /></label>
        <button type="submit">Browse</button>
      </form>
      <table>
        <thead>
          <tr>
            <th>Name</th>
            <th>Size</th>
            <th>Modified</th>
            <th><span class="visually-hidden">Actions</span></th>
          </tr>
        </thead>
        <tbody>
          ${
            this.items.length === 0
              ? html`<tr>
                  <td colspan="4" class="muted">No files under this prefix.</td>
                </tr>`
              : nothing
          }
          ${this.items.map((f) => this.#rowView(f))}
        </tbody>
      </table>
      ${this.nextCursor === null ? nothing : html`<button class="secondary" @click=${() => void this.#load(true)}>More</button>`}
      ${this.messageView()}
    </section>`;
  }

  #rowView(f: FileItem) {
    return html`<tr data-file=${f.name}>
      <td class="code">${f.name}</td>
      <td>${f.size.toLocaleString()} B</td>
      <td>${new Date(f.lastModified).toLocaleString()}</td>
      <td class="row">
        <button
          class="secondary"
          aria-label="Download ${f.name}"
          @click=${() => void this.guard(() => download(filePath(f.name), f.name.split('/').pop() ?? f.name))}
        >
          Download
        </button>
        <button
          class="secondary"
          aria-label="Read link for ${f.name}"
          @click=${() => void this.#share(f.name)}
        >
          Link
        </button>
        <button class="danger" aria-label="Delete ${f.name}" @click=${() => void this.#delete(f.name)}>
          Delete
        </button>
      </td>
    </tr>`;
  }

  #uploadView() {
    return html`<section class="panel grid" aria-label="Upload a file">
      <h2>Upload</h2>
      <p class="muted">
        Stored as ${this.prefix === '' ? 'its file name' : html`<span class="code">${this.prefix}</span>…`}.
      </p>
      <upload-box
        label="Choose a file"
        @file=${(e: CustomEvent<File>) => void this.#upload(e.detail)}
      ></upload-box>
      ${this.progressView()}
    </section>`;
  }

  #linksView() {
    return html`<section class="panel grid" aria-label="Read links">
      <h2>Read links</h2>
      <label
        >Link lifetime
        <select name="expiry">
          <option value="900">15 minutes</option>
          <option value="3600" selected>1 hour</option>
          <option value="86400">1 day</option>
        </select></label
      >
      ${
        this.link
          ? html`<p class="code" data-testid="read-link">${this.link.url}</p>
              <p class="muted">
                For ${this.link.name}, valid until ${new Date(this.link.expiresOn).toLocaleString()}.
              </p>
              <button
                @click=${() => void this.guard(() => navigator.clipboard.writeText(this.link?.url ?? ''))}
              >
                Copy link
              </button>`
          : html`<p class="muted">Choose “Link” on a file.</p>`
      }
    </section>`;
  }
}

customElements.define('files-page', FilesPage);
