// The per-job temporary directories: which ones a starting worker removes (owner gone, or untouched
// past the stale age) and which it must leave (a live job's, on this host or another sharing the disk).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdir, mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createOwnedTemp } from '../../../src/platform/temp/owned-temp.js';

let root: string;
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'job-temp-dirs-'));
});
afterEach(() => rm(root, { recursive: true, force: true }));

/** The pid of a process that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await once(child, 'exit');
  return child.pid ?? 0;
}

/** Makes a job directory as another worker would have left it. */
async function leftBy(owner: { host: string; pid: number }, ageMs = 0): Promise<string> {
  // Named as that owner's open() names it; made by hand, since an entry this process opened is live
  // in it whoever the owner (liveness is per process).
  const name = `recording_${owner.host}_${owner.pid}_job-1_${Math.random().toString(36).slice(2, 8)}`;
  const dir = join(root, name);
  await mkdir(dir);
  await writeFile(join(dir, 'audio.mp3'), 'x');
  const at = new Date(Date.now() - ageMs);
  await utimes(dir, at, at);
  return name;
}

describe('job temp dirs', () => {
  const host = 'worker-a';

  it('when a job ends, then its directory is gone, and removing it twice is harmless', async () => {
    const dirs = createOwnedTemp({ root, prefix: 'recording', owner: { host, pid: process.pid } });
    const dir = await dirs.open('0b5c');
    await mkdir(join(dir.path, 'chunks'));
    expect(await readdir(root)).toHaveLength(1);
    await dir.remove();
    await dir.remove();
    expect(await readdir(root)).toEqual([]);
  });

  it('when the owner on this host has exited, then the next start removes its directory', async () => {
    const stale = await leftBy({ host, pid: await deadPid() });
    const dirs = createOwnedTemp({ root, prefix: 'recording', owner: { host, pid: process.pid } });
    expect(await dirs.removeStale()).toEqual([stale]);
    expect(await readdir(root)).toEqual([]);
  });

  it('when a directory has this very pid but is not a job of this process, then it is a previous life’s and goes', async () => {
    const stale = await leftBy({ host, pid: process.pid });
    const dirs = createOwnedTemp({ root, prefix: 'recording', owner: { host, pid: process.pid } });
    expect(await dirs.removeStale()).toEqual([stale]);
  });

  it('when another live process or another host owns a fresh directory, or this process runs it, then it stays', async () => {
    const sibling = await leftBy({ host, pid: process.ppid });
    const remote = await leftBy({ host: 'worker-b', pid: 1 });
    const dirs = createOwnedTemp({ root, prefix: 'recording', owner: { host, pid: process.pid } });
    const own = await dirs.open('job-2');
    await writeFile(join(root, 'recording-notes.txt'), 'not a job directory');
    expect(await dirs.removeStale()).toEqual([]);
    expect((await readdir(root)).sort()).toEqual(
      [sibling, remote, own.path.slice(root.length + 1), 'recording-notes.txt'].sort(),
    );
  });

  it('when a directory is untouched past the stale age, then it goes even though its pid is alive elsewhere', async () => {
    const remote = await leftBy({ host: 'worker-b', pid: 1 }, 120_000);
    const reused = await leftBy({ host, pid: process.ppid }, 120_000);
    const dirs = createOwnedTemp({
      root,
      prefix: 'recording',
      staleAfterMs: 60_000,
      owner: { host, pid: process.pid },
    });
    expect((await dirs.removeStale()).sort()).toEqual([remote, reused].sort());
  });

  it('when a job runs longer than the stale age, then its heartbeat keeps it fresh', async () => {
    let clock = Date.now();
    const dirs = createOwnedTemp({
      root,
      prefix: 'recording',
      heartbeatMs: 10,
      staleAfterMs: 60_000,
      owner: { host: 'worker-b', pid: 1 },
      now: () => new Date(clock),
    });
    const dir = await dirs.open('long-job');
    clock += 120_000;
    // Another worker checks by the same clock: the heartbeat must have moved the mtime forward.
    const other = createOwnedTemp({
      root,
      prefix: 'recording',
      staleAfterMs: 60_000,
      owner: { host, pid: process.pid },
      now: () => new Date(clock),
    });
    await expect
      .poll(async () => (await stat(dir.path)).mtimeMs, { timeout: 5000, interval: 20 })
      .toBeGreaterThan(clock - 60_000);
    expect(await other.removeStale()).toEqual([]);
    expect(await readdir(root)).toHaveLength(1);
    await dir.remove();
  });
});
