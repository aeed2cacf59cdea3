// What scenarios ask the running system: health, a recording's state, whether acknowledged writes
// are still there, and the workers' temporary directories. Plus the one recording the load uploads.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import pg from 'pg';
import { call, type CallResult } from './http-outcome.js';

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls until `probe` is true; resolves to the milliseconds it took, or undefined on timeout. */
export async function msUntil(
  probe: () => Promise<boolean>,
  timeoutMs: number,
  intervalMs = 100,
): Promise<number | undefined> {
  const started = performance.now();
  while (performance.now() - started < timeoutMs) {
    if (await probe().catch(() => false)) return Math.round(performance.now() - started);
    await sleep(intervalMs);
  }
  return undefined;
}

export async function healthStatus(baseUrl: string): Promise<string> {
  const { body } = await call('health', `${baseUrl}/health`, {}, 2000);
  if (body === undefined) return 'unreachable';
  return (JSON.parse(body) as { status?: string }).status ?? 'unknown';
}

/** A short mono 16-bit WAV tone: a real audio file without ffmpeg on the client side. */
export function wavTone(seconds = 1, rate = 8000): Buffer {
  const samples = seconds * rate;
  const data = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i += 1)
    data.writeInt16LE(Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / rate)), i * 2);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVEfmt ', 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(rate, 24);
  header.writeUInt32LE(rate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(data.length, 40);
  return Buffer.concat([header, data]);
}

/** POST /api/process-audio; `id` is set when it was accepted (202). */
export async function uploadRecording(apiUrl: string, title: string): Promise<CallResult & { id?: string }> {
  const form = new FormData();
  form.append('title', title);
  form.append('file', new Blob([wavTone()], { type: 'audio/wav' }), 'tone.wav');
  const result = await call('upload', `${apiUrl}/api/process-audio`, { method: 'POST', body: form });
  if (result.outcome.status !== 202 || result.body === undefined) return result;
  return { ...result, id: (JSON.parse(result.body) as { id: string }).id };
}

export interface RecordingState {
  status: string;
  error: string | null;
  retries: number;
  transcript: { text: string } | null;
  cost: Record<string, unknown>;
}

export async function recordingState(apiUrl: string, id: string): Promise<RecordingState | undefined> {
  const { outcome, body } = await call('recording', `${apiUrl}/api/recordings/${id}`, {}, 5000);
  return outcome.status === 200 && body !== undefined ? (JSON.parse(body) as RecordingState) : undefined;
}

/** Waits for a recording to finish; its final state, or undefined when it did not finish in time. */
export async function finished(apiUrl: string, id: string, timeoutMs: number) {
  let state: RecordingState | undefined;
  await msUntil(
    async () => {
      state = await recordingState(apiUrl, id);
      return state?.status === 'completed' || state?.status === 'failed';
    },
    timeoutMs,
    250,
  );
  return state?.status === 'completed' || state?.status === 'failed' ? state : undefined;
}

/** Acknowledged stars missing from the database itself (not through the API's cache). */
export async function starsMissing(databaseUrl: string, ids: readonly string[]): Promise<string[]> {
  if (ids.length === 0) return [];
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ id: string }>('select id from stars where id = any($1::uuid[])', [
      ids,
    ]);
    const found = new Set(rows.map((row) => row.id));
    return ids.filter((id) => !found.has(id));
  } finally {
    await client.end();
  }
}

/** Acknowledged files that cannot be read back through the API. */
export async function filesMissing(apiUrl: string, names: readonly string[]): Promise<string[]> {
  const missing: string[] = [];
  for (const name of names) {
    const { outcome } = await call('verify', `${apiUrl}/api/files/${name}`, {}, 10_000);
    if (outcome.status !== 200) missing.push(name);
  }
  return missing;
}

/** The recordings jobs' temporary directories under a worker's TMPDIR. */
export async function jobTempDirs(tempRoot: string): Promise<string[]> {
  return readdir(join(tempRoot, 'azimuth')).catch(() => []);
}
