// Recordings (seed 002): upload audio with a progress bar, watch its stages live over /ws, list the
// caller's recordings, and read one: players, transcript, insights, cost; retry or delete it.
import { html, nothing } from 'lit';
import { getJson, request, withUser } from '../api/client.js';
import { ProgressSocket, type ProgressMessage } from '../api/progress-socket.js';
import { navigate } from '../router.js';
import { PageElement } from '../ui/page-element.js';
import { stageBar } from '../ui/stage-bar.js';
import '../ui/upload-box.js';
import { recordingDetail, type RecordingDetail } from './recording-detail.js';

export interface RecordingSummary {
  id: string;
  title: string;
  status: string;
  stage: string;
  percent: number;
  sizeBytes: number;
  durationSeconds: number | null;
  error: string | null;
  createdAt: string;
}

export const recordingStages = ['queued', 'compressing', 'transcribing', 'analysing', 'completed'] as const;

/** The status a recording shows on the stage bar; a failure keeps the stage it failed in. */
const failedStage: Record<string, string> = {
  upload: 'queued',
  compress: 'compressing',
  transcribe: 'transcribing',
  analyse: 'analysing',
};

export class RecordingsPage extends PageElement {
  static override properties = {
    recordingId: { attribute: false },
    items: { state: true },
    detail: { state: true },
    live: { state: true },
  };
  declare recordingId: string;
  declare items: RecordingSummary[];
  declare detail: RecordingDetail | undefined;
  /** Latest progress per recording, from /ws. */
  declare live: Map<string, ProgressMessage>;
  #socket = new ProgressSocket((message) => this.#progress(message));

  constructor() {
    super();
    this.recordingId = '';
    this.items = [];
    this.detail = undefined;
    this.live = new Map();
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.#loadList();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#socket.close();
  }

  protected override sessionChanged(): void {
    void this.#loadList();
  }

  protected override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('recordingId')) {
      this.detail = undefined;
      if (this.recordingId !== '') void this.#loadDetail(this.recordingId);
    }
  }

  async #loadList(): Promise<void> {
    const page = await this.guard(() =>
      getJson<{ items: RecordingSummary[] }>(withUser('/api/recordings', { limit: '50' })),
    );
    if (page === undefined) return;
    this.items = page.items;
    for (const item of this.items)
      if (item.status !== 'completed' && item.status !== 'failed') this.#socket.watch('recordingId', item.id);
  }

  async #loadDetail(id: string): Promise<void> {
    this.detail = await this.guard(() => getJson<RecordingDetail>(withUser(`/api/recordings/${id}`)));
    if (this.detail && this.detail.status !== 'completed' && this.detail.status !== 'failed')
      this.#socket.watch('recordingId', id);
  }

  #progress(message: ProgressMessage): void {
    const id = message.recordingId;
    if (typeof id !== 'string' || message.type === 'error' || message.type === 'unsubscribed') return;
    this.live = new Map(this.live).set(id, message);
    if (message.type === 'completed' || message.type === 'failed') {
      void this.#loadList();
      if (this.recordingId === id) void this.#loadDetail(id);
    }
  }

  async #upload(file: File): Promise<void> {
    const form = new FormData();
    const title = (this.querySelector<HTMLInputElement>('input[name="title"]')?.value ?? '').trim();
    form.set('title', title === '' ? file.name : title);
    const language = this.querySelector<HTMLInputElement>('input[name="language"]')?.value.trim() ?? '';
    if (language !== '') form.set('language', language);
    form.set('file', file);
    const accepted = await this.uploadForm<{ id: string }>(withUser('/api/process-audio'), form);
    if (accepted === undefined) return;
    this.#socket.watch('recordingId', accepted.id);
    await this.#loadList();
    navigate(`/recordings/${accepted.id}`);
  }

  async #act(method: 'DELETE' | 'POST', id: string): Promise<void> {
    const path = method === 'DELETE' ? `/api/recordings/${id}` : `/api/recordings/${id}/retry`;
    if ((await this.guard(() => request(withUser(path), { method }))) === undefined) return;
    if (method === 'DELETE') navigate('/recordings');
    else this.#socket.watch('recordingId', id);
    await this.#loadList();
    if (method === 'POST') await this.#loadDetail(id);
  }

  /** Where a recording is now: the live message when there is one, else what the API said. */
  #state(r: { id: string; status: string; stage: string; percent: number }) {
    const live = this.live.get(r.id);
    const status = live?.status ?? r.status;
    const stage = live?.stage ?? r.stage;
    return { status, percent: live?.percent ?? r.percent, failedAt: failedStage[stage] };
  }

  protected override render() {
    const d = this.detail;
    return html`
      <h1>Recordings</h1>
      <div class="grid two-cols">
        <div class="grid">${d ? this.#detailView(d) : this.#uploadPanel()} ${this.messageView()}</div>
        <section class="panel" aria-label="Your recordings">
          <h2>Your recordings</h2>
          <ul class="list">
            ${this.items.length === 0 ? html`<li class="muted">None yet.</li>` : nothing}
            ${this.items.map((r) => {
              const state = this.#state(r);
              return html`<li>
                <a href="/recordings/${r.id}" data-nav>${r.title}</a>
                <span class="badge status-${state.status}">${state.status}</span>
              </li>`;
            })}
          </ul>
          ${d ? html`<p><a href="/recordings" data-nav>Upload another</a></p>` : nothing}
        </section>
      </div>
    `;
  }

  #uploadPanel() {
    return html`<section class="panel grid" aria-label="Upload a recording">
      <h2>Upload audio</h2>
      <div class="row inputs">
        <label>Title <input name="title" maxlength="200" placeholder="from the file name" /></label>
        <label>Language <input name="language" maxlength="10" placeholder="en" size="6" /></label>
      </div>
      <upload-box
        accept="audio/*,.mp3,.wav,.m4a,.ogg,.opus,.webm,.flac"
        label="Choose an audio file"
        @file=${(e: CustomEvent<File>) => void this.#upload(e.detail)}
      ></upload-box>
      ${this.progressView()}
    </section>`;
  }

  #detailView(d: RecordingDetail) {
    const state = this.#state(d);
    return html`<section class="panel grid" aria-label="Recording">
      <h2>${d.title}</h2>
      ${stageBar(recordingStages, state.status, state.percent, state.failedAt)}
      ${d.error ? html`<p class="error">${d.error}</p>` : nothing}
      <div class="row">
        ${d.status === 'failed' ? html`<button @click=${() => void this.#act('POST', d.id)}>Retry</button>` : nothing}
        <button class="danger" @click=${() => void this.#act('DELETE', d.id)}>Delete</button>
      </div>
      ${recordingDetail(d)}
    </section>`;
  }
}

customElements.define('recordings-page', RecordingsPage);
