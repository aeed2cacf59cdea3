// Base of every console element: renders into the light DOM so the one stylesheet (styles.css)
// and its theme variables apply everywhere, with no inline or constructed styles for the CSP.
// It also re-renders when the signed-in user changes, and lets pages reload what is theirs.
import { LitElement } from 'lit';
import { session } from '../api/session.js';

export class LightElement extends LitElement {
  #unsubscribe: (() => void) | undefined;

  protected override createRenderRoot(): HTMLElement {
    return this;
  }

  override connectedCallback(): void {
    super.connectedCallback();
    this.#unsubscribe = session.onChange(() => {
      this.sessionChanged();
      this.requestUpdate();
    });
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.#unsubscribe?.();
  }

  /** Called when the user the console acts as changes. */
  protected sessionChanged(): void {
    // Most elements only re-render.
  }
}
