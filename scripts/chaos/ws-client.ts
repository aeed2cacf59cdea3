// A WebSocket client of /ws that watches recordings: it subscribes, keeps every message, and when
// the server closes (a drain tells clients to reconnect) it reconnects and subscribes again.
import WebSocket from 'ws';

export interface ProgressMessage {
  type?: string;
  recordingId?: string;
  status?: string;
  [key: string]: unknown;
}

export interface WsClient {
  readonly messages: ProgressMessage[];
  /** Close codes the server sent, in order. */
  readonly closeCodes: number[];
  watch(recordingId: string): void;
  /** The last status seen for a recording. */
  statusOf(recordingId: string): string | undefined;
  close(): void;
}

export function openWsClient(apiUrl: string): WsClient {
  const url = `${apiUrl.replace(/^http/, 'ws')}/ws`;
  const messages: ProgressMessage[] = [];
  const closeCodes: number[] = [];
  const watched = new Set<string>();
  let socket: WebSocket | undefined;
  let closed = false;

  const connect = () => {
    const current = new WebSocket(url);
    socket = current;
    current.on('open', () => {
      for (const id of watched) current.send(JSON.stringify({ type: 'subscribe', recordingId: id }));
    });
    current.on('message', (data: Buffer) =>
      messages.push(JSON.parse(data.toString('utf8')) as ProgressMessage),
    );
    current.on('error', () => undefined);
    current.on('close', (code) => {
      closeCodes.push(code);
      if (!closed) setTimeout(connect, 250);
    });
  };
  connect();

  return {
    messages,
    closeCodes,
    watch(recordingId) {
      watched.add(recordingId);
      if (socket?.readyState === WebSocket.OPEN)
        socket.send(JSON.stringify({ type: 'subscribe', recordingId }));
    },
    statusOf(recordingId) {
      const mine = messages.filter((m) => m.recordingId === recordingId && typeof m.status === 'string');
      return mine.at(-1)?.status;
    },
    close() {
      closed = true;
      socket?.terminate();
    },
  };
}
