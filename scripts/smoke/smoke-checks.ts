// One check per feature, end to end against a deployment: the probes, files and signed links,
// stars with their SSE stream, recordings with /ws progress and a transcript, scans to a report
// and a share link. Whatever a check creates is registered for clean-up before anything can fail.
import { randomUUID } from 'node:crypto';
import { json, waitFor, type Api } from './smoke-api.js';
import { labelPhoto, silentWav } from './smoke-fixtures.js';
import { openEventStream, openProgressSocket } from './smoke-streams.js';

/** Thrown by a check that cannot run here (no LLM provider); printed as `skip`, not a failure. */
export class CheckSkipped extends Error {
  readonly skipped = true;
}

export interface SmokeContext {
  api: Api;
  /** Deletions still to do, run after every check, newest first. */
  cleanup: { what: string; run: () => Promise<unknown> }[];
  /** How long a background job (recording, scan) may take to finish. */
  jobSeconds: number;
  /** The star-map user the stars checks share (in AUTH_MODE=jwt the caller has exactly one). */
  user?: { id: string };
  /** The recording the /ws check created, for the transcript check. */
  recording?: { id: string; final: RecordingView };
}

export type Check = (context: SmokeContext) => Promise<void>;

interface RecordingView {
  status: string;
  transcript: { text?: string } | string | null;
  stages: Record<string, { state: string; reason?: string }>;
  error: unknown;
}

interface ScanView {
  status: string;
  error: unknown;
}

const filePath = (name: string) => `/api/files/${name.split('/').map(encodeURIComponent).join('/')}`;
const finished = (status: string) => status === 'completed' || status === 'failed';

async function uploadFile(context: SmokeContext, content: string): Promise<string> {
  const form = new FormData();
  form.append('name', `smoke/${randomUUID()}.txt`);
  form.append('file', new Blob([content], { type: 'text/plain' }), 'smoke.txt');
  const { name } = await json<{ name: string }>(await context.api.call('POST', '/api/files', form, 201));
  context.cleanup.push({
    what: `file ${name}`,
    run: () => context.api.call('DELETE', filePath(name), undefined, 204),
  });
  return name;
}

const health: Record<string, Check> = {
  'GET /health/ready': async ({ api }) => {
    await api.call('GET', '/health/ready');
  },
};

const files: Record<string, Check> = {
  'files: upload, read back, delete': async (context) => {
    const content = `azimuth smoke ${randomUUID()}`;
    const name = await uploadFile(context, content);
    const read = await (await context.api.call('GET', filePath(name))).text();
    if (read !== content) throw new Error(`GET ${filePath(name)}: the content read back differs`);
    await context.api.call('DELETE', filePath(name), undefined, 204);
    context.cleanup.pop();
  },
  // Seed 001's pre-deployment check: a signed link is issued, and works without the identity.
  'files: signed link issued and followed': async (context) => {
    const content = `azimuth smoke link ${randomUUID()}`;
    const name = await uploadFile(context, content);
    const link = await json<{ url: string }>(
      await context.api.call('POST', '/api/files/sas', { name, permissions: 'r', expiresInSeconds: 300 }),
    );
    const read = await (await context.api.follow(link.url)).text();
    if (read !== content) throw new Error('the signed link answered other content');
  },
};

/** The run's one star-map user: created by the first check that needs it, deleted after all of them. */
async function smokeUser(context: SmokeContext): Promise<{ id: string }> {
  if (context.user) return context.user;
  const { api } = context;
  const user = await json<{ id: string }>(await api.call('POST', '/users', { name: 'smoke test' }, 201));
  context.user = user;
  context.cleanup.push({
    what: `user ${user.id}`,
    run: () => api.call('DELETE', `/users/${user.id}`, undefined, 204),
  });
  return user;
}

const stars: Record<string, Check> = {
  'stars: user, star, read, delete': async (context) => {
    const { api } = context;
    const user = await smokeUser(context);
    const created = await json<{ id: string }>(
      await api.call('POST', '/stars', { userId: user.id, name: 'smoke', ra: 10, dec: 20 }, 201),
    );
    const star = await json<{ id: string; name: string }>(await api.call('GET', `/stars/${created.id}`));
    if (star.name !== 'smoke') throw new Error(`GET /stars/${created.id}: not the star just created`);
    await api.call('DELETE', `/stars/${created.id}`, undefined, 204);
  },
  'stars: SSE event received': async (context) => {
    const { api, cleanup } = context;
    const stream = await openEventStream(api.target, '/events/stars/stream');
    try {
      await stream.waitFor((text) => text.includes(': connected'), 15, 'GET /events/stars/stream');
      const user = await smokeUser(context);
      const star = await json<{ id: string }>(
        await api.call('POST', '/stars', { userId: user.id, name: 'smoke sse', ra: 11, dec: 21 }, 201),
      );
      cleanup.push({
        what: `star ${star.id}`,
        run: () => api.call('DELETE', `/stars/${star.id}`, undefined, 204),
      });
      await stream.waitFor((text) => text.includes(star.id), 30, 'the star’s create event');
    } finally {
      stream.close();
    }
  },
};

const recordings: Record<string, Check> = {
  'recordings: upload, progress over /ws, finished': async (context) => {
    const { api } = context;
    const socket = await openProgressSocket(api.target);
    try {
      const form = new FormData();
      form.append('title', 'smoke test');
      form.append('file', silentWav(), 'smoke.wav');
      const { id } = await json<{ id: string }>(await api.call('POST', '/api/process-audio', form, 202));
      context.cleanup.push({
        what: `recording ${id}`,
        run: () => api.call('DELETE', `/api/recordings/${id}`, undefined, 204),
      });
      socket.send({ type: 'subscribe', recordingId: id });
      await socket.waitFor((text) => text.includes(id), 30, 'WS /ws progress');
      const final = await waitFor(
        async () => json<RecordingView>(await api.call('GET', `/api/recordings/${id}`)),
        (view) => finished(view.status),
        context.jobSeconds,
      );
      context.recording = { id, final };
      if (final.status !== 'completed')
        throw new Error(`recording ${id} is ${final.status}: ${JSON.stringify(final.error)}`);
    } finally {
      socket.close();
    }
  },
  // Seed 004's post-deployment check of LLM responses: the transcript exists.
  'recordings: transcript': async ({ recording }) => {
    if (recording === undefined) throw new Error('no recording (the previous check failed)');
    const transcribe = recording.final.stages.transcribe;
    if (transcribe?.state === 'skipped' && /no provider/.test(transcribe.reason ?? ''))
      throw new CheckSkipped('no provider');
    const { transcript } = recording.final;
    const text = typeof transcript === 'string' ? transcript : transcript?.text;
    if (!text)
      throw new Error(`recording ${recording.id} has no transcript (transcribe: ${transcribe?.state})`);
    return undefined;
  },
};

const scans: Record<string, Check> = {
  'scans: photo to report, share link followed and revoked': async (context) => {
    const { api } = context;
    const form = new FormData();
    form.append('productName', 'smoke test');
    form.append('ingredients', 'aqua, parfum');
    form.append('image', await labelPhoto(), 'smoke.jpg');
    const { id } = await json<{ id: string }>(await api.call('POST', '/api/scans', form, 202));
    context.cleanup.push({
      what: `scan ${id}`,
      run: () => api.call('DELETE', `/api/scans/${id}`, undefined, 204),
    });
    const scan = await waitFor(
      async () => json<ScanView>(await api.call('GET', `/api/scans/${id}`)),
      (view) => finished(view.status),
      context.jobSeconds,
    );
    if (scan.status !== 'completed')
      throw new Error(`scan ${id} is ${scan.status}: ${JSON.stringify(scan.error)}`);
    await api.call('GET', `/api/scans/${id}/report.json`);
    const share = await json<{ id: string; url: string }>(
      await api.call('POST', `/api/scans/${id}/shares`, { expiresInHours: 1 }, 201),
    );
    await api.follow(share.url);
    await api.call('DELETE', `/api/scans/${id}/shares/${share.id}`, undefined, 204);
    await api.follow(share.url, 410);
  },
};

/** Every check, in the order they run and print. */
export const checks: Record<string, Check> = { ...health, ...files, ...stars, ...recordings, ...scans };
