// Everything a chaos run needs, all of its own: Redis, PostgreSQL and Azurite on free ports, the
// LLM stand-in, and Azimuth's real `api` and `worker` roles as child processes of the CLI, wired
// to them through the environment as a deployment would be. Scenarios break one part at a time
// and restart processes through this object.
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLlmStandIn, type LlmStandIn } from '../../test/helpers/llm-stand-in.js';
import { freePort } from '../../test/helpers/ports.js';
import { spawnTs, type Spawned } from '../../test/helpers/processes.js';
import { startOwnAzurite, type OwnAzurite } from './own-azurite.js';
import { startOwnPostgres, type OwnPostgres } from './own-postgres.js';
import { startOwnRedis, type OwnRedis } from './own-redis.js';

/** What the stand-in's chat answers: insights that match the recordings' schema. */
const insights = {
  summary: 'A chaos run played a tone.',
  keyPoints: ['A tone played'],
  coachingRecommendations: ['Speak next time'],
  sentiment: { overall: 'neutral', score: 0, explanation: 'Only a tone.' },
  actionItems: [],
};

const cli = fileURLToPath(new URL('../../src/roles/cli.ts', import.meta.url));

/** The workers' ffmpeg: the real one, unless told to hang (so a kill lands mid-job). */
export interface HangingFfmpeg {
  /** From now on, compressions hang (the version probe still answers). */
  hang(): Promise<void>;
  /** The pid of the hanging compression once one started, else undefined. */
  hangingPid(): Promise<number | undefined>;
  /** Compressions run the real ffmpeg again. */
  release(): Promise<void>;
}

function hangingFfmpeg(dir: string): HangingFfmpeg & { path: string } {
  const path = join(dir, 'ffmpeg.sh');
  const flag = join(dir, 'hang');
  const pidFile = join(dir, 'hanging.pid');
  writeFileSync(
    path,
    [
      '#!/bin/sh',
      'case "$*" in *-version*) exec ffmpeg "$@";; esac',
      `if [ -e "${flag}" ]; then echo $$ > "${pidFile}"; exec sleep 120; fi`,
      'exec ffmpeg "$@"',
      '',
    ].join('\n'),
  );
  chmodSync(path, 0o755);
  return {
    path,
    hang: () => writeFile(flag, ''),
    async hangingPid() {
      const text = await readFile(pidFile, 'utf8').catch(() => '');
      return text.trim() === '' ? undefined : Number(text.trim());
    },
    async release() {
      await rm(flag, { force: true });
      await rm(pidFile, { force: true });
    },
  };
}

export interface ChaosStack {
  redis: OwnRedis;
  postgres: OwnPostgres;
  azurite: OwnAzurite;
  llm: LlmStandIn;
  /** What the stand-in's chats answer (set again after a scenario resets it). */
  llmAnswer: unknown;
  apiUrl: string;
  workerUrl: string;
  api: Spawned;
  worker: Spawned;
  /** TMPDIR of the workers: their jobs' temporary directories are under `${tempRoot}/azimuth`. */
  tempRoot: string;
  ffmpeg: HangingFfmpeg;
  /** The star-map user the load writes as. */
  userId: string;
  /** Starts the API again (after a scenario stopped it) on the same port. */
  startApi(): Promise<Spawned>;
  /** Starts a worker on the same port, with extra settings (e.g. a slow ffmpeg). */
  startWorker(env?: Record<string, string>): Promise<Spawned>;
  close(): Promise<void>;
}

/** Breaker times the roles run with, so scenarios know when a breaker will probe again. */
export const breakerHalfOpenMs = { storage: 2000, llm: 3000 };

/** Settings of both roles: short retry, breaker and lock times, so each fault plays out in seconds. */
function roleEnv(parts: { redis: OwnRedis; postgres: OwnPostgres; azurite: OwnAzurite; llm: LlmStandIn }) {
  return {
    ENVIRONMENT: 'test',
    LOG_LEVEL: 'info',
    HOST: '127.0.0.1',
    DATABASE_URL: parts.postgres.url,
    REDIS_URL: parts.redis.url,
    REDIS_CONNECT_TIMEOUT_MS: '1000',
    AZURE_STORAGE_CONNECTION_STRING: parts.azurite.connectionString,
    LLM_PROVIDER: 'azure_openai',
    AZURE_OPENAI_ENDPOINT: `${parts.llm.url}/`,
    AZURE_OPENAI_API_KEY: parts.llm.options.azureApiKey,
    AZURE_OPENAI_DEPLOYMENT_NAME: 'whisper',
    AZURE_OPENAI_CHAT_DEPLOYMENT: 'gpt-4o-mini',
    API_RATE_LIMIT_GLOBAL: '1000000',
    API_RATE_LIMIT_TIMES: '1000000',
    STORAGE_TIMEOUT_MS: '3000',
    STORAGE_RETRY_ATTEMPTS: '2',
    STORAGE_RETRY_BASE_MS: '100',
    STORAGE_RETRY_MAX_DELAY_MS: '500',
    STORAGE_BREAKER_HALF_OPEN_MS: String(breakerHalfOpenMs.storage),
    LLM_TIMEOUT_MS: '10000',
    LLM_RETRY_BASE_MS: '100',
    LLM_RETRY_MAX_DELAY_MS: '2000',
    LLM_BREAKER_HALF_OPEN_MS: String(breakerHalfOpenMs.llm),
    RECORDINGS_RETRY_DELAY_MS: '500',
    JOBS_LOCK_DURATION_MS: '2000',
    JOBS_STALLED_INTERVAL_MS: '1000',
    SHUTDOWN_TIMEOUT_MS: '15000',
    SHUTDOWN_DRAIN_DELAY_MS: '1000',
  };
}

async function startRole(role: 'api' | 'worker', env: Record<string, string>): Promise<Spawned> {
  const process = spawnTs(cli, [role], env);
  try {
    await process.waitForLine(/ready on/, 90_000);
  } catch (error) {
    process.child.kill('SIGKILL');
    throw error;
  }
  return process;
}

async function createUser(apiUrl: string): Promise<string> {
  const response = await fetch(`${apiUrl}/users`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name: 'chaos' }),
  });
  if (response.status !== 201) throw new Error(`creating the load's user: ${response.status}`);
  return ((await response.json()) as { id: string }).id;
}

export async function startChaosStack(): Promise<ChaosStack> {
  const [redis, postgres, azurite, llm] = await Promise.all([
    startOwnRedis(),
    startOwnPostgres(),
    startOwnAzurite(),
    startLlmStandIn(),
  ]);
  llm.answer = insights;
  const dataDir = mkdtempSync(join(tmpdir(), 'chaos-data-'));
  const tempRoot = mkdtempSync(join(tmpdir(), 'chaos-tmp-'));
  const ffmpeg = hangingFfmpeg(dataDir);
  const [apiPort, workerPort] = [await freePort(), await freePort()];
  const env = { ...roleEnv({ redis, postgres, azurite, llm }), DATA_DIR: dataDir };
  const startApi = () => startRole('api', { ...env, PORT: String(apiPort) });
  const startWorker = (extra: Record<string, string> = {}) =>
    startRole('worker', {
      ...env,
      PORT: String(workerPort),
      TMPDIR: tempRoot,
      FFMPEG_PATH: ffmpeg.path,
      ...extra,
    });
  // Both migrate at start-up; the migrator's advisory lock makes one wait for the other.
  const [api, worker] = await Promise.all([startApi(), startWorker()]);
  const stack: ChaosStack = {
    redis,
    postgres,
    azurite,
    llm,
    llmAnswer: insights,
    apiUrl: `http://127.0.0.1:${apiPort}`,
    workerUrl: `http://127.0.0.1:${workerPort}`,
    api,
    worker,
    tempRoot,
    ffmpeg,
    userId: '',
    startApi: async () => (stack.api = await startApi()),
    startWorker: async (extra) => (stack.worker = await startWorker(extra)),
    async close() {
      for (const child of [stack.api.child, stack.worker.child])
        if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await Promise.all([redis.close(), postgres.close(), azurite.close(), llm.close()]);
      rmSync(dataDir, { recursive: true, force: true });
      rmSync(tempRoot, { recursive: true, force: true });
    },
  };
  stack.userId = await createUser(stack.apiUrl);
  return stack;
}
