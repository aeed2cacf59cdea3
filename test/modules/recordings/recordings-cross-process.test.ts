// Issue 6's Done-when: an audio file posted to /api/process-audio ends, in a separate worker process,
// as compressed audio, transcript, insights and metadata.json in seed 002's blob layout, while a
// WebSocket client watches. The first worker is killed mid-compression; a second one removes the
// temporary directory the first left behind, and finishes.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { chmod, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testSettings } from '../../helpers/test-settings.js';
import { createTestPostgres, type TestPostgres } from '../../helpers/postgres.js';
import { testRedisOptions, uniquePrefix } from '../../helpers/redis.js';
import { available, services } from '../../helpers/services.js';
import { startLlmStandIn, type LlmStandIn } from '../../helpers/llm-stand-in.js';
import { settingsFor } from '../../platform/llm/llm-fixtures.js';
import { sharedServices } from './fixtures/shared-services.js';
import {
  blobNames,
  buildRecordingsApp,
  connect,
  detail,
  makeTone,
  upload,
  validInsights,
  type RecordingsFixture,
} from './recordings-fixture.js';
import { silentLogger } from '../../helpers/silent-logger.js';

const ready = (await available('redis')) && (await available('postgres'));
const workerScript = fileURLToPath(new URL('./fixtures/recordings-worker-process.ts', import.meta.url));

async function dropKeys(pattern: string, db: number): Promise<void> {
  const admin = new Redis({ host: services.redis.host, port: services.redis.port, db });
  const keys = await admin.keys(pattern);
  if (keys.length > 0) await admin.del(...keys);
  await admin.quit();
}

describe.runIf(ready)('recordings across processes (PostgreSQL, BullMQ, Redis events, shared disk)', () => {
  let dir: string;
  let standIn: LlmStandIn;
  let postgres: TestPostgres;
  let fixture: RecordingsFixture;
  let shared: Awaited<ReturnType<typeof sharedServices>>;
  let env: Record<string, string>;
  /** Where the workers' jobs make their temporary directories. */
  let jobsTemp: string;
  const children: ChildProcess[] = [];
  const jobsPrefix = uniquePrefix('recordings-jobs').replace(/:/g, '-').replace(/-$/, '');
  const eventsPrefix = uniquePrefix('recordings-events');

  const startWorker = async (extra: Record<string, string> = {}): Promise<ChildProcess> => {
    const child = spawn(process.execPath, ['--import', 'tsx', workerScript], {
      env: { ...process.env, ...env, ...extra },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    let output = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => (output += chunk));
    await expect.poll(() => output, { timeout: 30_000, interval: 50 }).toContain('ready');
    return child;
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'recordings-cross-'));
    standIn = await startLlmStandIn();
    standIn.answer = validInsights;
    postgres = await createTestPostgres('recordings');
    const dataDir = join(dir, 'data');
    jobsTemp = join(dir, 'jobs');
    env = {
      JOBS_TEMP_DIR: jobsTemp,
      DATA_DIR: dataDir,
      TEST_DATABASE_URL: postgres.url,
      JOBS_PREFIX: jobsPrefix,
      EVENTS_PREFIX: eventsPrefix,
      RECORDINGS_RETRY_DELAY_MS: '0',
      LOG_LEVEL: 'silent',
      ...settingsFor(standIn, 'azure_openai'),
    };
    const settings = await testSettings(env);
    shared = await sharedServices(settings, {
      databaseUrl: postgres.url,
      jobsPrefix,
      eventsPrefix,
      logger: silentLogger(),
    });
    fixture = await buildRecordingsApp({
      env,
      worker: false,
      jobs: shared.jobs,
      events: shared.events,
      databaseUrl: postgres.url,
      dataDir,
    });
  });

  afterAll(async () => {
    for (const child of children)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await fixture.close();
    await shared.close();
    await postgres.drop();
    await standIn.close();
    await dropKeys(`${jobsPrefix}:*`, testRedisOptions().databases.jobs);
    await dropKeys(`${eventsPrefix}*`, testRedisOptions().databases.events);
    await rm(dir, { recursive: true, force: true });
  });

  it('when the worker dies mid-compression, then a second worker process finishes and the socket sees it all', async () => {
    // An ffmpeg that hangs when asked to compress, and says where it is, so the kill lands mid-compression.
    const pidFile = join(dir, 'slow-ffmpeg.pid');
    const slowFfmpeg = join(dir, 'slow-ffmpeg.sh');
    await writeFile(
      slowFfmpeg,
      `#!/bin/sh\ncase "$*" in *-version*) exec ffmpeg "$@";; esac\necho $$ > "${pidFile}"\nexec sleep 120\n`,
    );
    await chmod(slowFfmpeg, 0o755);
    const first = await startWorker({ FFMPEG_PATH: slowFfmpeg });

    const audio = await readFile(await makeTone(dir, { seconds: 3, format: 'mp3' }));
    const client = await connect(fixture);
    const response = await upload(fixture, { data: audio, fields: { title: 'Cross-process' } });
    expect(response.statusCode, response.body).toBe(202);
    const { id } = response.json<{ id: string }>();
    client.send({ type: 'subscribe', recordingId: id });

    await expect
      .poll(() => client.messages.some((m) => m.status === 'compressing'), { timeout: 30_000 })
      .toBe(true);
    await expect
      .poll(async () => (await readFile(pidFile, 'utf8').catch(() => '')).trim(), { timeout: 30_000 })
      .not.toBe('');
    first.kill('SIGKILL');
    await once(first, 'exit');
    process.kill(Number((await readFile(pidFile, 'utf8')).trim()), 'SIGKILL');
    expect((await detail(fixture, id)).status).toBe('compressing');
    const left = await readdir(jobsTemp);
    expect(left).toEqual([expect.stringMatching(new RegExp(`^recording_.+_${first.pid}_${id}_`))]);

    await startWorker();
    // Removed before the second worker says ready (it may have made its own for the same job since).
    expect(await readdir(jobsTemp)).not.toContain(left[0]);
    await expect
      .poll(() => client.messages.at(-1)?.type, { timeout: 60_000, interval: 100 })
      .toBe('completed');
    await client.close();

    const order = ['queued', 'compressing', 'transcribing', 'analysing', 'completed'];
    const indexes = client.messages.map((m) => order.indexOf(String(m.status)));
    expect(indexes).toEqual([...indexes].sort((a, b) => a - b));
    for (const status of order.slice(1))
      expect(
        client.messages.some((m) => m.status === status),
        status,
      ).toBe(true);

    const result = await detail(fixture, id);
    expect(result.stages.compress?.state).toBe('done');
    expect(result.transcript?.text).toBe('Hello there. Thanks for calling.');
    expect(result.insights).toEqual(validInsights);
    expect(await blobNames(fixture)).toEqual([
      `${id}/compressed.mp3`,
      `${id}/metadata.json`,
      `${id}/original.mp3`,
    ]);
    expect(standIn.received('transcriptions')).toHaveLength(1);
    await expect.poll(() => readdir(jobsTemp)).toEqual([]);
    // Two worker processes start under tsx: far beyond the default 30 s on a busy 2-core machine.
  }, 180_000);
});
