// AUTH_MODE=none: the star-map user the console acts as. The API takes the user from the request,
// so picking one here is all "signing in" means; new users are created on the spot.
import { html, nothing } from 'lit';
import { errorText, getJson, sendJson } from '../api/client.js';
import { session, type PickedUser } from '../api/session.js';
import { field } from './form-field.js';
import { LightElement } from './light-element.js';

interface UserPage {
  items: PickedUser[];
}

export class UserPicker extends LightElement {
  static override properties = { users: { state: true }, creating: { state: true }, error: { state: true } };
  declare users: PickedUser[];
  declare creating: boolean;
  declare error: string;

  constructor() {
    super();
    this.users = [];
    this.creating = false;
    this.error = '';
  }

  override connectedCallback(): void {
    super.connectedCallback();
    void this.#load();
  }

  async #load(): Promise<void> {
    try {
      this.users = (await getJson<UserPage>('/users?limit=100')).items;
      if (session.user && !this.users.some((u) => u.id === session.user?.id)) session.pick(null);
      if (session.user === null) this.creating = this.users.length === 0;
    } catch (error) {
      this.error = errorText(error);
    }
  }

  #choose(event: Event): void {
    const id = (event.target as HTMLSelectElement).value;
    if (id === '+') {
      this.creating = true;
      return;
    }
    session.pick(this.users.find((u) => u.id === id) ?? null);
  }

  async #create(event: SubmitEvent): Promise<void> {
    event.preventDefault();
    const name = field(event.target as HTMLFormElement, 'name');
    try {
      const user = await sendJson<PickedUser>('POST', '/users', { name });
      if (user) {
        this.users = [...this.users, user];
        session.pick(user);
      }
      this.creating = false;
      this.error = '';
    } catch (error) {
      this.error = errorText(error);
    }
  }

  protected override render() {
    if (this.creating)
      return html`<form class="row" @submit=${(e: SubmitEvent) => void this.#create(e)}>
        <label>Your name <input name="name" required maxlength="100" autocomplete="nickname" /></label>
        <button type="submit">Create user</button>
        ${
          this.users.length > 0
            ? html`<button type="button" class="secondary" @click=${() => (this.creating = false)}>
                Cancel
              </button>`
            : nothing
        }
        ${this.error ? html`<span class="error" role="alert">${this.error}</span>` : nothing}
      </form>`;
    return html`<label class="row"
        ><span>Acting as</span>
        <select name="user" @change=${(e: Event) => this.#choose(e)}>
          <option value="" ?selected=${session.user === null}>— pick a user —</option>
          ${this.users.map((u) => html`<option value=${u.id} ?selected=${session.user?.id === u.id}>${u.name}</option>`)}
          <option value="+">New user…</option>
        </select></label
      >${this.error ? html`<span class="error" role="alert">${this.error}</span>` : nothing}`;
  }
}

customElements.define('user-picker', UserPicker);
