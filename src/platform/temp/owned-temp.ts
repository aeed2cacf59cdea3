// Temporary entries owned by one process: a directory per running job (recordings), a file per
// upload in progress (the disk blob store's `.tmp`), each removed when its work ends however it
// ends. A process killed mid-work cannot remove its own, so each name says which host and process
// owns it; one rule (isStale) decides what is left over, applied at start and every so often.
import { randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, readdir, rm, stat, utimes } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';

export interface OwnedTempOptions {
  /** The folder the job directories go in (created when missing). */
  root: string;
  /** Tells this kind of job's directories from anything else in `root`; letters and digits only. */
  prefix: string;
  /** How often a running job's directory is touched; default 30 s. */
  heartbeatMs?: number;
  /**
   * A directory not touched for this long is stale even when its owner's pid is alive (the pid may
   * have been reused) or on another host sharing the disk; default 10 minutes.
   */
  staleAfterMs?: number;
  /** Tests: another owner than this process. */
  owner?: { host: string; pid: number };
  now?: () => Date;
}

export interface JobTempDir {
  readonly path: string;
  /** Removes the directory and everything in it; safe to call twice. */
  remove(): Promise<void>;
}

/** A file name reserved under the root while its work runs (the file itself is the caller's). */
export interface TempFile {
  /** The file's path; siblings named `{path}.{suffix}` belong to it too. */
  readonly path: string;
  /** Removes the file and its siblings if they are still there; ends the reservation. */
  release(): Promise<void>;
}

export interface OwnedTemp {
  open(jobKey: string): Promise<JobTempDir>;
  /** A fresh file name, created in `root` by the caller; a live upload's file is never swept. */
  file(key: string): Promise<TempFile>;
  /** Removes entries whose owner is gone; resolves to their names. */
  removeStale(): Promise<string[]>;
  /**
   * Runs removeStale now and then every `intervalMs` (timer unref'd: it never holds a process
   * open); `onRemoved` hears of each sweep that removed something. Resolves once the first is done.
   */
  sweepEvery(intervalMs: number, onRemoved: (names: string[]) => void): Promise<{ stop(): void }>;
}

interface Owner {
  host: string;
  pid: number;
}

/** `_` separates the parts: hostnames, pids and the random tail never contain one. */
const SEPARATOR = '_';
const safeHost = (host: string): string => host.replace(/[^A-Za-z0-9.-]/g, '-') || 'unknown';

function ownerOf(name: string, prefix: string): Owner | undefined {
  const [kind, host, pid] = name.split(SEPARATOR);
  if (kind !== prefix || host === undefined || pid === undefined || !/^\d+$/.test(pid)) return undefined;
  return { host, pid: Number(pid) };
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * The entries in use in this process, per root (and owner: tests play other owners). Process-wide on purpose: two stores or workers of
 * one process sharing a root must not take each other's live entries for a dead process's.
 */
const liveByRoot = new Map<string, Set<string>>();

function liveUnder(root: string, owner: Owner): Set<string> {
  const key = [resolve(root), owner.host, owner.pid].join('\0');
  let live = liveByRoot.get(key);
  if (live === undefined) liveByRoot.set(key, (live = new Set()));
  return live;
}

// Over 80 lines on purpose: a factory whose body is the four short methods of one object sharing
// its closure (the live set, the owner, the clock); split, they would pass that state around.
export function createOwnedTemp(options: OwnedTempOptions): OwnedTemp {
  const self: Owner = options.owner ?? { host: safeHost(hostname()), pid: process.pid };
  const heartbeatMs = options.heartbeatMs ?? 30_000;
  const staleAfterMs = options.staleAfterMs ?? 600_000;
  const now = options.now ?? (() => new Date());
  const live = liveUnder(options.root, self);

  /** A live entry's own name, or a sibling of a live file (`{name}.meta`). */
  const isLive = (name: string): boolean =>
    live.has(name) || [...live].some((entry) => name.startsWith(`${entry}.`));

  const isStale = async (name: string, owner: Owner): Promise<boolean> => {
    if (isLive(name)) return false;
    // Same host: a dead pid is certain; our own pid without the directory in `live` is a previous
    // process that had the same pid (a restarted container runs as pid 1 again).
    if (owner.host === self.host && (owner.pid === self.pid || !isRunning(owner.pid))) return true;
    const modified = await stat(join(options.root, name)).then(
      (s) => s.mtimeMs,
      () => undefined,
    );
    return modified !== undefined && now().getTime() - modified > staleAfterMs;
  };

  const temp: OwnedTemp = {
    async open(jobKey) {
      await mkdir(options.root, { recursive: true });
      const prefix = [options.prefix, self.host, String(self.pid), jobKey.replace(/_/g, '-'), ''];
      const path = await mkdtemp(join(options.root, prefix.join(SEPARATOR)));
      const name = path.slice(options.root.length + 1);
      live.add(name);
      const heartbeat = setInterval(() => {
        const at = now();
        utimes(path, at, at).catch(() => undefined);
      }, heartbeatMs);
      heartbeat.unref();
      return {
        path,
        async remove() {
          clearInterval(heartbeat);
          await rm(path, { recursive: true, force: true });
          live.delete(name);
        },
      };
    },

    async file(key) {
      await mkdir(options.root, { recursive: true });
      const name = [options.prefix, self.host, String(self.pid), key.replace(/_/g, '-'), randomUUID()].join(
        SEPARATOR,
      );
      const path = join(options.root, name);
      live.add(name);
      return {
        path,
        async release() {
          const siblings = await readdir(options.root).catch(() => [] as string[]);
          const own = siblings.filter((entry) => entry === name || entry.startsWith(`${name}.`));
          await Promise.all(own.map((entry) => rm(join(options.root, entry), { force: true })));
          live.delete(name);
        },
      };
    },

    async sweepEvery(intervalMs, onRemoved) {
      const sweep = () =>
        temp.removeStale().then(
          (names) => {
            if (names.length > 0) onRemoved(names);
          },
          () => undefined,
        );
      await sweep();
      const timer = setInterval(() => void sweep(), intervalMs);
      timer.unref();
      return { stop: () => clearInterval(timer) };
    },

    async removeStale() {
      const names = await readdir(options.root).catch(() => [] as string[]);
      const removed: string[] = [];
      for (const name of names) {
        const owner = ownerOf(name, options.prefix);
        if (owner === undefined || !(await isStale(name, owner))) continue;
        // One that cannot be removed (permissions) is left for an operator; start-up goes on.
        await rm(join(options.root, name), { recursive: true, force: true }).then(
          () => removed.push(name),
          () => undefined,
        );
      }
      return removed;
    },
  };
  return temp;
}
