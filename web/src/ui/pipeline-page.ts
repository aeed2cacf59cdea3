// Base of the pages whose items walk a background pipeline (recordings, scans): an upload panel,
// a list of the caller's items with their live status, a detail with a stage bar, and one /ws
// socket that keeps both current.
import { html, nothing, type PropertyDeclarations, type TemplateResult } from 'lit';
import { ProgressSocket, type ProgressMessage } from '../api/progress-socket.js';
import { PageElement } from './page-element.js';
import { stageBar } from './stage-bar.js';
import './upload-box.js';

export interface PipelineItem {
  id: string;
  status: string;
  stage: string;
  percent?: number;
}

/** The upload panel's parts: its fields, what it accepts, and what to do with the file. */
export interface UploadPanel {
  label: string;
  heading: string;
  fields: TemplateResult;
  accept: string;
  capture?: string;
  boxLabel: string;
  onFile: (file: File) => void;
}

const isFinal = (status: string | undefined) => status === 'completed' || status === 'failed';

export abstract class PipelinePage<T extends PipelineItem> extends PageElement {
  static override properties: PropertyDeclarations = {
    items: { state: true },
    live: { state: true },
  };
  declare items: T[];
  /** Latest progress per item, from /ws. */
  declare live: Map<string, ProgressMessage>;
  /** The field of /ws messages naming the item. */
  protected abstract readonly key: 'recordingId' | 'scanId';
  /** The page's heading; lower-cased, also its path (/scans, items at /scans/{id}). */
  protected abstract readonly heading: string;
  /** The link from a detail back to the upload panel. */
  protected abstract readonly newLabel: string;
  #socket = new ProgressSocket((message) => this.#progress(message));

  constructor() {
    super();
    this.items = [];
    this.live = new Map();
  }

  /** How an item is named in the list. */
  protected abstract itemTitle(item: T): string;
  /** The caller's items, newest first. */
  protected abstract fetchList(): Promise<T[]>;
  /** Called when the item shown in the detail finished (completed or failed). */
  protected abstract finished(id: string): void;
  /** The stage a failed item failed in, as the stage bar names it. */
  protected abstract failedAt(stage: string): string | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    void this.loadList();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#socket.close();
  }

  protected override sessionChanged(): void {
    void this.loadList();
  }

  protected async loadList(): Promise<void> {
    const items = await this.guard(() => this.fetchList());
    if (items === undefined) return;
    this.items = items;
    for (const item of items) if (!isFinal(item.status)) this.watch(item.id);
  }

  /** Follows an item's progress over /ws until it completes or fails. */
  protected watch(id: string, status?: string): void {
    if (!isFinal(status)) this.#socket.watch(this.key, id);
  }

  #progress(message: ProgressMessage): void {
    const id = message[this.key];
    if (typeof id !== 'string' || message.type === 'error' || message.type === 'unsubscribed') return;
    this.live = new Map(this.live).set(id, message);
    if (message.type === 'completed' || message.type === 'failed') {
      void this.loadList();
      this.finished(id);
    }
  }

  /** Where an item is now: the live message when there is one, else what the API said. */
  protected state(item: PipelineItem) {
    const live = this.live.get(item.id);
    const status = live?.status ?? item.status;
    const stage = live?.stage ?? item.stage;
    return { status, stage, percent: live?.percent ?? item.percent, failedAt: this.failedAt(stage) };
  }

  protected stageBar(stages: readonly string[], item: PipelineItem) {
    const state = this.state(item);
    return stageBar(stages, state.status, state.percent, state.failedAt);
  }

  protected uploadPanel(panel: UploadPanel) {
    return html`<section class="panel grid" aria-label=${panel.label}>
      <h2>${panel.heading}</h2>
      ${panel.fields}
      <upload-box
        accept=${panel.accept}
        .capture=${panel.capture}
        label=${panel.boxLabel}
        @file=${(e: CustomEvent<File>) => panel.onFile(e.detail)}
      ></upload-box>
      ${this.progressView()}
    </section>`;
  }

  /** The page: `main` (the upload panel or a detail) beside the list of the caller's items. */
  protected layout(main: TemplateResult, showingDetail: boolean) {
    const path = `/${this.heading.toLowerCase()}`;
    const listLabel = `Your ${this.heading.toLowerCase()}`;
    return html`<h1>${this.heading}</h1>
      <div class="grid two-cols">
        <div class="grid">${main} ${this.messageView()}</div>
        <section class="panel" aria-label=${listLabel}>
          <h2>${listLabel}</h2>
          <ul class="list">
            ${this.items.length === 0 ? html`<li class="muted">None yet.</li>` : nothing}
            ${this.items.map((item) => {
              const { status } = this.state(item);
              return html`<li>
                <a href="${path}/${item.id}" data-nav>${this.itemTitle(item)}</a>
                <span class="badge status-${status}">${status}</span>
              </li>`;
            })}
          </ul>
          ${showingDetail ? html`<p><a href=${path} data-nav>${this.newLabel}</a></p>` : nothing}
        </section>
      </div>`;
  }
}
