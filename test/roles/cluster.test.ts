import { readdirSync, readFileSync } from 'node:fs';
import { Agent, request, type IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../bench/support/processes.js';
import { clusterSizeVariable, instanceShare, maxAutoWorkers, workerCount } from '../../src/roles/cluster.js';
import { createTestPostgres, type TestPostgres } from '../helpers/postgres.js';
import { spawnTs } from '../helpers/processes.js';
import { available, services } from '../helpers/services.js';

const cli = 'src/roles/cli.ts';

describe('workerCount', () => {
  it('when auto, then one process per vCPU, capped as seed 004’s table says', () => {
    expect([1, 2, 4, 8, 16].map((cpus) => workerCount('auto', cpus))).toEqual([1, 2, 4, 6, maxAutoWorkers]);
  });

  it('when a number, then that many; anything else is refused', () => {
    expect(workerCount('3', 2)).toBe(3);
    for (const bad of ['0', '-1', 'two', '1.5']) expect(() => workerCount(bad, 2)).toThrow(/--workers/);
  });
});

describe('instanceShare', () => {
  it('when a cluster worker, then its share of the instance budget; otherwise all of it', () => {
    expect(instanceShare(5, { [clusterSizeVariable]: '4' })).toBe(1.25);
    expect(instanceShare(5, {})).toBe(5);
    expect(instanceShare(5, { [clusterSizeVariable]: 'x' })).toBe(5);
  });
});

/**
 * The cluster's workers: pids whose parent is `ppid` and that run the CLI, read from /proc (tsx
 * also gives each process an esbuild child, which is not a worker).
 */
function childPids(ppid: number): number[] {
  return processChildren(ppid).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(cli);
    } catch {
      return false;
    }
  });
}

function processChildren(ppid: number): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        // `pid (comm) state ppid …`: comm may hold spaces, so split after its closing parenthesis.
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]) === ppid;
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** Which worker answered: the `worker` label every metric of a cluster worker carries. */
async function workerOf(base: string): Promise<string | undefined> {
  // A fresh connection each time, so the primary hands it to the next worker.
  const text = await (await fetch(`${base}/metrics`, { headers: { connection: 'close' } })).text();
  return /\bworker="(\d+)"/.exec(text)?.[1];
}

async function workersSeen(base: string, tries = 40): Promise<Set<string>> {
  const seen = new Set<string>();
  for (let i = 0; i < tries && seen.size < 2; i += 1) {
    const worker = await workerOf(base);
    if (worker) seen.add(worker);
  }
  return seen;
}

describe.runIf((await available('postgres')) && (await available('redis')))(
  'azimuth api --workers',
  { timeout: 400_000 },
  () => {
    let db: TestPostgres;
    beforeAll(async () => {
      db = await createTestPostgres('cluster');
    });
    afterAll(async () => {
      await db.drop();
    });

    it('serves from every worker, replaces a crashed one, and drains all on SIGTERM with exit 0', async () => {
      const port = await freePort();
      const base = `http://127.0.0.1:${port}`;
      const run = spawnTs(cli, ['api', '--workers', '2'], {
        ENVIRONMENT: 'test',
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
        DATABASE_URL: db.url,
        REDIS_URL: services.redis.url,
      });
      const ready = () => run.stdout.filter((line) => line.includes('azimuth api ready')).length;
      await run.waitForLine(/starting 2 api workers/, 150_000);
      await expect.poll(ready, { timeout: 150_000, interval: 200 }).toBe(2);
      expect(await workersSeen(base)).toEqual(new Set(['1', '2']));

      const [victim] = childPids(run.child.pid ?? 0);
      expect(victim).toBeDefined();
      process.kill(victim ?? 0, 'SIGKILL');
      await run.waitForLine(/api worker exited: replacing it/, 150_000);
      await expect.poll(ready, { timeout: 150_000, interval: 200 }).toBe(3);
      const after = childPids(run.child.pid ?? 0);
      expect(after).toHaveLength(2);
      expect(after).not.toContain(victim);
      expect((await workersSeen(base)).size).toBe(2);

      run.child.kill('SIGTERM');
      expect(await run.exited).toEqual({ code: 0, signal: null });
      expect(run.stdout.filter((line) => line.includes('shutdown complete'))).toHaveLength(2);
      expect(after.filter((pid) => existsProcess(pid))).toEqual([]);
    });

    it('when SIGTERM reaches `--workers auto` with an upload in flight, then it finishes and all exit 0 inside the limit', async () => {
      const port = await freePort();
      const run = spawnTs(cli, ['api', '--workers', 'auto'], {
        ENVIRONMENT: 'test',
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'info',
        DATABASE_URL: db.url,
        REDIS_URL: services.redis.url,
        SHUTDOWN_DRAIN_DELAY_MS: '500',
        SHUTDOWN_TIMEOUT_MS: '30000',
      });
      const started = await run.waitForLine(/starting \d+ api workers/, 150_000);
      const workers = Number(/starting (\d+) api workers/.exec(started)?.[1]);
      expect(workers).toBeGreaterThanOrEqual(1);
      const ready = () => run.stdout.filter((line) => line.includes('azimuth api ready')).length;
      await expect.poll(ready, { timeout: 150_000, interval: 200 }).toBe(workers);

      // One kept-alive socket, already handed to a worker, carries the upload.
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      await getThrough(agent, port, '/health/liveness');
      const upload = startSlowUpload(agent, port);
      await upload.firstChunkSent;
      run.child.kill('SIGTERM');
      const shuttingDown = () => run.stdout.filter((line) => line.includes('"shutting down"')).length;
      await expect.poll(shuttingDown, { timeout: 60_000, interval: 100 }).toBe(workers);
      const response = await upload.finish();

      agent.destroy();
      expect(response.status, response.body).toBe(201);
      expect(await run.exited).toEqual({ code: 0, signal: null });
      expect(run.stdout.filter((line) => line.includes('shutdown complete'))).toHaveLength(workers);
      // Finished inside SHUTDOWN_TIMEOUT_MS: no worker had to cut connections, the primary killed none.
      expect(run.stdout.filter((line) => line.includes('shutdown timeout reached'))).toEqual([]);
      expect(run.stdout.some((line) => line.includes('"clean":true'))).toBe(true);
    });

    it('refuses more than one worker on the embedded drivers, with exit 2', async () => {
      const run = spawnTs(cli, ['api', '--workers', '2'], { ENVIRONMENT: 'test' });
      expect((await run.exited).code).toBe(2);
      const stderr = run.stderr.join('\n');
      expect(stderr).toMatch(/^\s+- DATABASE_URL: --workers above 1 needs PostgreSQL/m);
      expect(stderr).toMatch(/^\s+- REDIS_URL: --workers above 1 needs Redis/m);
    });
  },
);

/** A multipart upload to /api/files whose last part is held back until `finish()`. */
function startSlowUpload(
  agent: Agent,
  port: number,
): {
  firstChunkSent: Promise<void>;
  finish(): Promise<{ status: number; body: string }>;
} {
  const boundary = `cluster-${Date.now()}`;
  const head =
    `--${boundary}\r\ncontent-disposition: form-data; name="name"\r\n\r\ncluster/in-flight.txt\r\n` +
    `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="in-flight.txt"\r\n` +
    'content-type: text/plain\r\n\r\nfirst half, ';
  const tail = `second half\r\n--${boundary}--\r\n`;
  const req = request({
    agent,
    host: '127.0.0.1',
    port,
    method: 'POST',
    path: '/api/files',
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'transfer-encoding': 'chunked' },
  });
  const answered = new Promise<IncomingMessage>((resolve, reject) => {
    req.once('response', resolve);
    req.once('error', reject);
  });
  const firstChunkSent = new Promise<void>((resolve) => req.write(head, () => resolve()));
  return {
    firstChunkSent,
    async finish() {
      req.end(tail);
      const response = await answered;
      let body = '';
      for await (const chunk of response) body += String(chunk);
      return { status: response.statusCode ?? 0, body };
    },
  };
}

async function getThrough(agent: Agent, port: number, path: string): Promise<void> {
  const response = await new Promise<IncomingMessage>((resolve, reject) =>
    request({ agent, host: '127.0.0.1', port, path }, resolve).once('error', reject).end(),
  );
  response.resume();
  await new Promise((resolve) => response.once('end', resolve));
}

function existsProcess(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
