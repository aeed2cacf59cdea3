// A Server-Sent Events client that behaves like a browser's EventSource: it reconnects by itself
// and resumes with Last-Event-ID. It remembers every event id and every star it saw created, and
// how often it had to reconnect, so a scenario can tell whether anything was missed or doubled.
export interface SseClient {
  /** Every event id received, in order (duplicates included, so doubles show). */
  readonly ids: string[];
  /** Ids of the stars whose `create` event arrived. */
  readonly created: Set<string>;
  /** Streams opened after the first one. */
  readonly reconnects: number;
  /** Streams opened with a Last-Event-ID. */
  readonly resumed: number;
  /** Drops the current connection as a network blip would; the client reconnects by itself. */
  drop(): void;
  close(): void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function openSseClient(url: string, options: { reconnectMs?: number } = {}): SseClient {
  const ids: string[] = [];
  const created = new Set<string>();
  let lastEventId: string | undefined;
  let controller = new AbortController();
  const state = { closed: false };
  const stats = { connections: 0, resumed: 0 };

  const onBlock = (block: string) => {
    let id: string | undefined;
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith('id:')) id = line.slice(3).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).trimStart());
    }
    if (id === undefined || data.length === 0) return;
    ids.push(id);
    lastEventId = id;
    const event = JSON.parse(data.join('\n')) as { type?: string; data?: { id?: string } };
    if (event.type === 'create' && typeof event.data?.id === 'string') created.add(event.data.id);
  };

  const readOnce = async () => {
    controller = new AbortController();
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (lastEventId !== undefined) headers['last-event-id'] = lastEventId;
    const response = await fetch(url, { headers, signal: controller.signal });
    if (response.status !== 200 || response.body === null) return;
    stats.connections += 1;
    if (lastEventId !== undefined) stats.resumed += 1;
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of response.body) {
      buffer += decoder.decode(chunk as Uint8Array, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        onBlock(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
      }
    }
  };

  void (async () => {
    while (!state.closed) {
      await readOnce().catch(() => undefined);
      // A browser's EventSource waits too before it reconnects.
      await sleep(options.reconnectMs ?? 250);
    }
  })();

  return {
    ids,
    created,
    get reconnects() {
      return Math.max(0, stats.connections - 1);
    },
    get resumed() {
      return stats.resumed;
    },
    drop: () => controller.abort(),
    close() {
      state.closed = true;
      controller.abort();
    },
  };
}

/**
 * Which acknowledged stars the client saw created. Those acknowledged before `gap` or sent after it
 * were announced for sure and must all be there; changes made inside the gap (Redis down, say)
 * may not have been announced at all, and are only counted.
 */
export function sseCoverage(
  client: SseClient,
  written: ReadonlyMap<string, { startedAt: number; ackedAt: number }>,
  gap: { from: number; to: number },
) {
  const all = [...written];
  const announced = all.filter(([, w]) => w.ackedAt < gap.from || w.startedAt > gap.to);
  const missed = announced.filter(([id]) => !client.created.has(id)).length;
  return {
    announced: announced.length,
    missed,
    notAnnounced: all.filter(([id]) => !client.created.has(id)).length - missed,
    duplicates: client.ids.length - new Set(client.ids).size,
  };
}
