// A drop zone with a file picker: drag a file in, or pick one (keyboard users tab to the picker).
import { html } from 'lit';
import { ifDefined } from 'lit/directives/if-defined.js';
import { LightElement } from './light-element.js';

export class UploadBox extends LightElement {
  static override properties = {
    accept: {},
    label: {},
    capture: {},
    dragging: { state: true },
  };
  declare accept: string;
  declare label: string;
  declare capture: string | undefined;
  declare dragging: boolean;

  constructor() {
    super();
    this.accept = '';
    this.label = 'Choose a file';
    this.capture = undefined;
    this.dragging = false;
  }

  #chosen(file: File | undefined | null): void {
    if (file) this.dispatchEvent(new CustomEvent<File>('file', { detail: file, bubbles: true }));
  }

  protected override render() {
    return html`<div
      class="drop-zone ${this.dragging ? 'dragging' : ''}"
      @dragover=${(e: DragEvent) => {
        e.preventDefault();
        this.dragging = true;
      }}
      @dragleave=${() => (this.dragging = false)}
      @drop=${(e: DragEvent) => {
        e.preventDefault();
        this.dragging = false;
        this.#chosen(e.dataTransfer?.files[0]);
      }}
    >
      <label
        >${this.label}
        <input
          type="file"
          accept=${this.accept}
          capture=${ifDefined(this.capture)}
          @change=${(e: Event) => {
            const input = e.target as HTMLInputElement;
            this.#chosen(input.files?.[0]);
          }}
      /></label>
      <p class="muted">or drop it here</p>
    </div>`;
  }
}

customElements.define('upload-box', UploadBox);
