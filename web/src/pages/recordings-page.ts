// Recordings (seed 002): upload audio with a progress bar, watch its stages live over /ws, list the
// caller's recordings, and read one: players, transcript, insights, cost; retry or delete it.
import { html, nothing } from 'lit';
import { getJson, request, withUser } from '../api/client.js';
import { navigate } from '../router.js';
import { PipelinePage } from '../ui/pipeline-page.js';
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

export class RecordingsPage extends PipelinePage<RecordingSummary> {
  static override properties = {
    recordingId: { attribute: false },
    detail: { state: true },
  };
  declare recordingId: string;
  declare detail: RecordingDetail | undefined;
  protected readonly key = 'recordingId';
  protected readonly heading = 'Recordings';
  protected readonly newLabel = 'Upload another';

  constructor() {
    super();
    this.recordingId = '';
    this.detail = undefined;
  }

  protected override willUpdate(changed: Map<string, unknown>): void {
    if (changed.has('recordingId')) {
      this.detail = undefined;
      if (this.recordingId !== '') void this.#loadDetail(this.recordingId);
    }
  }

  protected itemTitle(recording: RecordingSummary): string {
    return recording.title;
  }

  protected async fetchList(): Promise<RecordingSummary[]> {
    return (await getJson<{ items: RecordingSummary[] }>(withUser('/api/recordings', { limit: '50' }))).items;
  }

  protected finished(id: string): void {
    if (this.recordingId === id) void this.#loadDetail(id);
  }

  protected failedAt(stage: string): string | undefined {
    return failedStage[stage];
  }

  async #loadDetail(id: string): Promise<void> {
    this.detail = await this.guard(() => getJson<RecordingDetail>(withUser(`/api/recordings/${id}`)));
    if (this.detail) this.watch(id, this.detail.status);
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
    this.watch(accepted.id);
    await this.loadList();
    navigate(`/recordings/${accepted.id}`);
  }

  async #act(method: 'DELETE' | 'POST', id: string): Promise<void> {
    const path = method === 'DELETE' ? `/api/recordings/${id}` : `/api/recordings/${id}/retry`;
    if ((await this.guard(() => request(withUser(path), { method }))) === undefined) return;
    if (method === 'DELETE') navigate('/recordings');
    else this.watch(id);
    await this.loadList();
    if (method === 'POST') await this.#loadDetail(id);
  }

  protected override render() {
    const d = this.detail;
    return this.layout(
      d
        ? this.#detailView(d)
        : this.uploadPanel({
            label: 'Upload a recording',
            heading: 'Upload audio',
            fields: html`<div class="row inputs">
              <label>Title <input name="title" maxlength="200" placeholder="from the file name" /></label>
              <label>Language <input name="language" maxlength="10" placeholder="en" size="6" /></label>
            </div>`,
            accept: 'audio/*,.mp3,.wav,.m4a,.ogg,.opus,.webm,.flac',
            boxLabel: 'Choose an audio file',
            onFile: (file) => void this.#upload(file),
          }),
      d !== undefined,
    );
  }

  #detailView(d: RecordingDetail) {
    return html`<section class="panel grid" aria-label="Recording">
      <h2>${d.title}</h2>
      ${this.stageBar(recordingStages, d)} ${d.error ? html`<p class="error">${d.error}</p>` : nothing}
      <div class="row">
        ${d.status === 'failed' ? html`<button @click=${() => void this.#act('POST', d.id)}>Retry</button>` : nothing}
        <button class="danger" @click=${() => void this.#act('DELETE', d.id)}>Delete</button>
      </div>
      ${recordingDetail(d)}
    </section>`;
  }
}

customElements.define('recordings-page', RecordingsPage);
