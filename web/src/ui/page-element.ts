// Base of the console's pages: one place that turns a failed call into the page's error line,
// and that runs an upload with its progress bar.
import { html, nothing, type PropertyDeclarations } from 'lit';
import { errorText, upload } from '../api/client.js';
import { LightElement } from './light-element.js';

export class PageElement extends LightElement {
  // Typed wide, so pages can declare their own (Lit merges a class's with its base's).
  static override properties: PropertyDeclarations = {
    message: { state: true },
    uploadFraction: { state: true },
  };
  /** The last failure, shown on the page; '' when the last action succeeded. */
  declare message: string;
  /** 0–1 while an upload runs. */
  declare uploadFraction: number | undefined;

  constructor() {
    super();
    this.message = '';
    this.uploadFraction = undefined;
  }

  /** Runs `action`, showing its error instead of throwing; undefined when it failed. */
  protected async guard<T>(action: () => Promise<T>): Promise<T | undefined> {
    try {
      const result = await action();
      this.message = '';
      return result;
    } catch (error) {
      this.message = errorText(error);
      return undefined;
    }
  }

  /** POSTs a multipart form with the progress bar up; undefined when it failed. */
  protected async uploadForm<T>(path: string, form: FormData): Promise<T | undefined> {
    this.uploadFraction = 0;
    try {
      return await this.guard(() => upload<T>(path, form, (fraction) => (this.uploadFraction = fraction)));
    } finally {
      this.uploadFraction = undefined;
    }
  }

  protected messageView() {
    return this.message ? html`<p class="error" role="alert">${this.message}</p>` : nothing;
  }

  protected progressView() {
    return this.uploadFraction === undefined
      ? nothing
      : html`<label>Uploading <progress max="1" .value=${this.uploadFraction}></progress></label>`;
  }
}
