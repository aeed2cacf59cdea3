// Reads a Server-Sent Events stream with fetch instead of EventSource, because EventSource cannot
// send a bearer token. Reconnects by itself (backoff up to 5 s) and resumes with Last-Event-ID,
// so events published while the connection was down (or the server restarting) are not lost.
import { apiUrl } from './config.js';
import { session } from './session.js';

export interface StreamEvent {
  id: string | undefined;
  event: string;
  data: string;
}

export interface EventStreamOptions {
  path: string;
  onEvent: (event: StreamEvent) => void;
  /** true while connected; false while (re)connecting. */
  onStatus?: (connected: boolean) => void;
}

export interface EventStreamHandle {
  close(): void;
  readonly lastEventId: string | undefined;
}

/** Feeds text to a parser that calls `emit` at each blank line; returns the feed function. */
export function sseParser(emit: (event: StreamEvent) => void): (text: string) => void {
  let buffer = '';
  let data: string[] = [];
  let id: string | undefined;
  let event = 'message';
  return (text) => {
    buffer += text;
    const lines = buffer.split(/\r\n|\r|\n/);
    buffer = lines.pop() ?? '';
    for (const line of lines) {
      if (line === '') {
        if (data.length > 0) emit({ id, event, data: data.join('\n') });
        data = [];
        event = 'message';
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon === -1 ? line : line.slice(0, colon);
      const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'data') data.push(value);
      else if (field === 'id') id = value;
      else if (field === 'event') event = value;
    }
  };
}

export function openEventStream(options: EventStreamOptions): EventStreamHandle {
  const controller = new AbortController();
  let lastEventId: string | undefined;
  let delay = 500;

  const connectOnce = async () => {
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    const token = await session.token();
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    if (lastEventId !== undefined) headers['last-event-id'] = lastEventId;
    const response = await fetch(apiUrl(options.path), {
      headers,
      signal: controller.signal,
      cache: 'no-store',
    });
    if (!response.ok || response.body === null) throw new Error(`event stream answered ${response.status}`);
    options.onStatus?.(true);
    delay = 500;
    const feed = sseParser((event) => {
      if (event.id !== undefined) lastEventId = event.id;
      options.onEvent(event);
    });
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      feed(value);
    }
  };

  // A function, not the property: the signal changes while the loop awaits.
  const aborted = () => controller.signal.aborted;
  void (async () => {
    while (!aborted()) {
      try {
        await connectOnce();
      } catch {
        // Dropped or refused: fall through to the retry below.
      }
      if (aborted()) return;
      options.onStatus?.(false);
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 5000);
    }
  })();

  return {
    close: () => controller.abort(),
    get lastEventId() {
      return lastEventId;
    },
  };
}
