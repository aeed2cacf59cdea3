// The recordings tests' one fixture: the app with the files and recordings modules, listening
// (the /ws socket), over real parts (the test-app builder's), the worker in the same process unless
// a test runs it elsewhere; the shared set-up (temp dir, a one-second tone, the LLM stand-in); and
// helpers to upload, read, wait and watch.
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect } from 'vitest';
import { WebSocket } from 'ws';
import { mintToken } from '../../../src/platform/auth/mint-token.js';
import type { ManagedEventBus } from '../../../src/platform/events/event-bus.js';
import type { ManagedJobQueue } from '../../../src/platform/jobs/job-queue.js';
import { startLlmStandIn, type LlmStandIn } from '../../helpers/llm-stand-in.js';
import { multipartBody, multipartHeaders } from '../../helpers/multipart.js';
import type { RecordingsTestOptions } from '../../helpers/recordings-parts.js';
import { buildTestApp, testJwtSecret, type TestAppFor } from '../../helpers/test-app.js';

const run = promisify(execFile);

export type RecordingsFixture = TestAppFor<{ modules: ['files', 'recordings'] }>;

export interface FixtureOptions extends RecordingsTestOptions {
  env?: Record<string, string>;
  /** PostgreSQL instead of an in-memory PGlite. */
  databaseUrl?: string;
  events?: ManagedEventBus;
  jobs?: ManagedJobQueue;
  dataDir?: string;
}

/** The test-app builder with the files and recordings modules, listening. */
export function buildRecordingsApp(options: FixtureOptions = {}): Promise<RecordingsFixture> {
  const { env, databaseUrl, events, jobs, dataDir, ...recordings } = options;
  return buildTestApp({
    modules: ['files', 'recordings'],
    listen: true,
    recordings,
    ...(env === undefined ? {} : { env }),
    ...(databaseUrl === undefined ? {} : { databaseUrl }),
    ...(events === undefined ? {} : { events }),
    ...(jobs === undefined ? {} : { jobs }),
    ...(dataDir === undefined ? {} : { dataDir }),
  });
}

export interface RecordingsMedia {
  /** A temp dir removed after the file's tests. */
  dir: string;
  /** A 440 Hz MP3, one second unless asked otherwise. */
  mp3: Buffer;
  /** The LLM wire-format stand-in, answering with `validInsights`. */
  standIn: LlmStandIn;
}

/**
 * The set-up every recordings test file shares, made before its tests (or its describe block's)
 * and removed after. Read the fields inside tests and hooks: they are set in a beforeAll.
 */
export function useRecordingsMedia(name: string, options: { seconds?: number } = {}): RecordingsMedia {
  const media = {} as RecordingsMedia;
  beforeAll(async () => {
    media.dir = await mkdtemp(join(tmpdir(), `recordings-${name}-`));
    media.mp3 = await readFile(await makeTone(media.dir, { seconds: options.seconds ?? 1, format: 'mp3' }));
    media.standIn = await startLlmStandIn();
    media.standIn.answer = validInsights;
  });
  afterAll(async () => {
    await media.standIn.close();
    await rm(media.dir, { recursive: true, force: true });
  });
  return media;
}

/** Generates a sine tone with ffmpeg's lavfi source. */
export async function makeTone(
  dir: string,
  options: { seconds: number; format: 'mp3' | 'wav' | 'flac' | 'ogg'; frequency?: number; name?: string },
): Promise<string> {
  const path = join(dir, options.name ?? `tone-${options.seconds}s.${options.format}`);
  await run('ffmpeg', [
    '-hide_banner',
    '-nostdin',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `sine=frequency=${options.frequency ?? 440}:duration=${options.seconds}`,
    ...(options.format === 'mp3' ? ['-b:a', '128k'] : []),
    path,
  ]);
  return path;
}

/** AUTH_MODE=jwt with a small per-user upload limit (UPLOAD_RATE_LIMIT_MAX_REQUESTS) in a long window. */
export const uploadLimitEnv = (limit: number): Record<string, string> => ({
  AUTH_MODE: 'jwt',
  AUTH_JWT_SECRET: testJwtSecret,
  UPLOAD_RATE_LIMIT_MAX_REQUESTS: String(limit),
  UPLOAD_RATE_LIMIT_WINDOW_MS: '900000',
});

export function tokenFor(subject: string): Promise<string> {
  return mintToken({ secret: testJwtSecret, subject });
}

export interface UploadOptions {
  data: Buffer;
  filename?: string;
  fields?: Record<string, string>;
  token?: string;
}

export async function upload(fixture: RecordingsFixture, options: UploadOptions) {
  return fixture.app.inject({
    method: 'POST',
    url: '/api/process-audio',
    headers: {
      ...multipartHeaders,
      ...(options.token === undefined ? {} : { authorization: `Bearer ${options.token}` }),
    },
    payload: multipartBody({
      data: options.data,
      filename: options.filename ?? 'call.mp3',
      contentType: 'audio/mpeg',
      ...(options.fields === undefined ? {} : { fields: options.fields }),
    }),
  });
}

export interface Detail {
  id: string;
  status: string;
  stage: string;
  percent: number;
  error: string | null;
  durationSeconds: number | null;
  compressedBytes: number | null;
  stages: Record<string, { state: string; reason?: string }>;
  transcript: {
    text: string;
    segments: { start: number; end: number; text: string }[];
    chunks: number;
  } | null;
  insights: Record<string, unknown> | null;
  cost: {
    totalUsd: number;
    transcription: { usd: number; audioSeconds: number } | null;
    analysis: { usd: number; inputTokens: number } | null;
  };
  warnings: string[];
  retries: number;
  links: { original: string; compressed: string | null; metadata: string | null };
}

export async function detail(fixture: RecordingsFixture, id: string, token?: string): Promise<Detail> {
  const response = await fixture.app.inject({
    method: 'GET',
    url: `/api/recordings/${id}`,
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<Detail>();
}

export async function waitForStatus(
  fixture: RecordingsFixture,
  id: string,
  status: 'completed' | 'failed',
  token?: string,
): Promise<Detail> {
  await expect
    .poll(async () => (await detail(fixture, id, token)).status, { timeout: 60_000, interval: 100 })
    .toBe(status);
  return detail(fixture, id, token);
}

/** Blob names in the recordings container, sorted. */
export async function blobNames(fixture: RecordingsFixture): Promise<string[]> {
  const page = await fixture.bundle.store
    .list(fixture.container, { pageSize: 1000 })
    .catch(() => ({ items: [] }));
  return page.items.map((item) => item.name).sort();
}

/** A WebSocket client that keeps every message it receives. */
export async function connect(
  fixture: Pick<RecordingsFixture, 'url'>,
  query = '',
): Promise<{
  socket: WebSocket;
  messages: Record<string, unknown>[];
  send(value: unknown): void;
  close(): Promise<void>;
}> {
  const socket = new WebSocket(`${fixture.url.replace(/^http/, 'ws')}/ws${query}`);
  const messages: Record<string, unknown>[] = [];
  socket.on('message', (data: Buffer) =>
    messages.push(JSON.parse(data.toString('utf8')) as Record<string, unknown>),
  );
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  return {
    socket,
    messages,
    send: (value) => socket.send(typeof value === 'string' ? value : JSON.stringify(value)),
    close: () =>
      new Promise<void>((resolve) => {
        if (socket.readyState === socket.CLOSED) resolve();
        else {
          socket.once('close', () => resolve());
          socket.close();
        }
      }),
  };
}

export const validInsights = {
  summary: 'A short test call about a tone.',
  keyPoints: ['A tone played', 'Nobody spoke'],
  coachingRecommendations: ['Say something next time'],
  sentiment: { overall: 'neutral', score: 0, explanation: 'Only a tone.' },
  actionItems: [{ description: 'Record again with speech', owner: null, dueDate: null }],
};
