// `npm run smoke -- --url https://…`: what the pipelines run against the staging slot before a
// swap and against production after it: the probes, then one real round trip per module (files,
// stars, recordings), cleaning up after itself. Exit 0 when every check passes, 1 otherwise.
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';

interface SmokeOptions {
  url: string;
  /** Bearer token for AUTH_MODE=jwt deployments. */
  token?: string;
  /** How long /health may take to answer 200 after a deploy or a swap (the slot warms up). */
  waitSeconds: number;
  log: (line: string) => void;
}

type Check = (api: Api) => Promise<void>;

interface Api {
  call(method: string, path: string, body?: unknown, expected?: number): Promise<Response>;
}

function createApi(options: SmokeOptions): Api {
  const base = options.url.replace(/\/$/, '');
  return {
    async call(method, path, body, expected = 200) {
      const headers: Record<string, string> = { 'x-correlation-id': `smoke-${randomUUID()}` };
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      const init: RequestInit = { method, headers, signal: AbortSignal.timeout(15_000) };
      if (body instanceof FormData) init.body = body;
      else if (body !== undefined) {
        headers['content-type'] = 'application/json';
        init.body = JSON.stringify(body);
      }
      const response = await fetch(`${base}${path}`, init);
      if (response.status !== expected) {
        const text = (await response.text()).slice(0, 300);
        throw new Error(`${method} ${path}: expected ${expected}, got ${response.status} ${text}`);
      }
      return response;
    },
  };
}

async function json<T>(response: Response): Promise<T> {
  return (await response.json()) as T;
}

/** The smallest valid WAV: 0.1 s of 8 kHz 16-bit mono silence. */
function silentWav(): Blob {
  const samples = 800;
  const header = Buffer.alloc(44);
  header.write('RIFF', 0);
  header.writeUInt32LE(36 + samples * 2, 4);
  header.write('WAVEfmt ', 8);
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(8000, 24);
  header.writeUInt32LE(16_000, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36);
  header.writeUInt32LE(samples * 2, 40);
  return new Blob([header, Buffer.alloc(samples * 2)], { type: 'audio/wav' });
}

const checks: Record<string, Check> = {
  'GET /health/ready': async (api) => {
    await api.call('GET', '/health/ready');
  },
  'files: upload, read back, delete': async (api) => {
    const content = `azimuth smoke ${randomUUID()}`;
    const form = new FormData();
    form.append('name', `smoke/${randomUUID()}.txt`);
    form.append('file', new Blob([content], { type: 'text/plain' }), 'smoke.txt');
    const { name } = await json<{ name: string }>(await api.call('POST', '/api/files', form, 201));
    const path = `/api/files/${name.split('/').map(encodeURIComponent).join('/')}`;
    const read = await (await api.call('GET', path)).text();
    if (read !== content) throw new Error(`GET ${path}: the content read back differs`);
    await api.call('DELETE', path, undefined, 204);
  },
  'stars: user, star, read, delete': async (api) => {
    const user = await json<{ id: string }>(await api.call('POST', '/users', { name: 'smoke test' }, 201));
    const created = await json<{ id: string }>(
      await api.call('POST', '/stars', { userId: user.id, name: 'smoke', ra: 10, dec: 20 }, 201),
    );
    const star = await json<{ id: string; name: string }>(await api.call('GET', `/stars/${created.id}`));
    if (star.name !== 'smoke') throw new Error(`GET /stars/${created.id}: not the star just created`);
    await api.call('DELETE', `/stars/${created.id}`, undefined, 204);
    await api.call('DELETE', `/users/${user.id}`, undefined, 204);
  },
  'recordings: upload, read status, delete': async (api) => {
    const form = new FormData();
    form.append('title', 'smoke test');
    form.append('file', silentWav(), 'smoke.wav');
    const { id } = await json<{ id: string }>(await api.call('POST', '/api/process-audio', form, 202));
    const recording = await json<{ id: string; status: string }>(
      await api.call('GET', `/api/recordings/${id}`),
    );
    if (recording.id !== id) throw new Error(`GET /api/recordings/${id}: another recording came back`);
    await api.call('DELETE', `/api/recordings/${id}`, undefined, 204);
  },
};

/** Polls /health until 200 or the wait is over (the last answer is the error). */
async function waitForHealth(api: Api, options: SmokeOptions): Promise<void> {
  const deadline = Date.now() + options.waitSeconds * 1000;
  for (;;) {
    try {
      await api.call('GET', '/health');
      return;
    } catch (error) {
      if (Date.now() >= deadline) throw error;
      options.log(`  waiting for /health: ${(error as Error).message.slice(0, 120)}`);
      await new Promise((resolve) => setTimeout(resolve, 5000));
    }
  }
}

/** Runs every check, each reported on its own line; resolves to the number that failed. */
async function runSmokeTest(options: SmokeOptions): Promise<number> {
  const api = createApi(options);
  options.log(`smoke test of ${options.url}`);
  try {
    await waitForHealth(api, options);
    options.log('ok   GET /health');
  } catch (error) {
    options.log(`FAIL GET /health: ${(error as Error).message}`);
    return 1;
  }
  let failed = 0;
  for (const [name, check] of Object.entries(checks)) {
    try {
      await check(api);
      options.log(`ok   ${name}`);
    } catch (error) {
      failed += 1;
      options.log(`FAIL ${name}: ${(error as Error).message}`);
    }
  }
  return failed;
}

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    token: { type: 'string' },
    'wait-seconds': { type: 'string', default: '180' },
  },
});
if (!values.url) {
  process.stderr.write(
    'usage: npm run smoke -- --url https://app.azurewebsites.net [--token T] [--wait-seconds 180]\n',
  );
  process.exit(2);
}
const token = values.token ?? process.env.SMOKE_TOKEN;
const failed = await runSmokeTest({
  url: values.url,
  ...(token ? { token } : {}),
  waitSeconds: Number(values['wait-seconds']),
  log: (line) => process.stdout.write(`${line}\n`),
});
process.exitCode = failed === 0 ? 0 : 1;
