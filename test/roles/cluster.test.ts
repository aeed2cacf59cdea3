import { readdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../bench/support/processes.js';
import { maxAutoWorkers, workerCount } from '../../src/roles/cluster.js';
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

/** Pids whose parent is `ppid`, read from /proc (the cluster's workers). */
function childPids(ppid: number): number[] {
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

    it('refuses more than one worker on the embedded drivers, with exit 2', async () => {
      const run = spawnTs(cli, ['api', '--workers', '2'], { ENVIRONMENT: 'test' });
      expect((await run.exited).code).toBe(2);
      const stderr = run.stderr.join('\n');
      expect(stderr).toMatch(/^\s+- DATABASE_URL: --workers above 1 needs PostgreSQL/m);
      expect(stderr).toMatch(/^\s+- REDIS_URL: --workers above 1 needs Redis/m);
    });
  },
);

function existsProcess(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
