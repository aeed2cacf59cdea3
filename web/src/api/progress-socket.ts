// WS /ws: live progress of recordings (and scans). One socket per page, re-opened after a drop,
// re-subscribing to whatever it watched. Identity goes in the URL: browsers cannot set headers
// on a WebSocket, so the token travels as `access_token` (AUTH_MODE=jwt) or `userId` (none).
import { socketUrl } from './config.js';
import { session } from './session.js';

export type ProgressMessage = Record<string, unknown> & {
  type: string;
  status?: string;
  stage?: string;
  percent?: number;
};

type Key = { kind: 'recordingId' | 'scanId'; id: string };

export class ProgressSocket {
  #socket: WebSocket | undefined;
  #watches = new Map<string, Key>();
  #closed = false;
  constructor(private readonly onMessage: (message: ProgressMessage) => void) {}

  watch(kind: Key['kind'], id: string): void {
    this.#closed = false;
    this.#watches.set(id, { kind, id });
    this.#send({ type: 'subscribe', [kind]: id });
    if (this.#socket === undefined) void this.#open();
  }

  /** Stops watching everything; a later watch() opens a new connection. */
  close(): void {
    this.#closed = true;
    this.#watches.clear();
    this.#socket?.close();
  }

  #send(message: Record<string, unknown>): void {
    if (this.#socket?.readyState === WebSocket.OPEN) this.#socket.send(JSON.stringify(message));
  }

  async #open(): Promise<void> {
    const query = await session.identityQuery();
    const socket = new WebSocket(`${socketUrl('/ws')}?${query.toString()}`);
    this.#socket = socket;
    socket.addEventListener('open', () => {
      for (const key of this.#watches.values()) this.#send({ type: 'subscribe', [key.kind]: key.id });
    });
    socket.addEventListener('message', (event) => {
      this.onMessage(JSON.parse(String(event.data)) as ProgressMessage);
    });
    socket.addEventListener('close', () => {
      this.#socket = undefined;
      if (!this.#closed && this.#watches.size > 0) setTimeout(() => void this.#open(), 1000);
    });
  }
}
