// One temporary directory per running job, removed when the job ends however it ends. A worker
// killed mid-job cannot remove its own, so each name says which host and process owns it and a
// heartbeat keeps it fresh; a worker starting up removes those whose owner is gone.
import { mkdir, mkdtemp, readdir, rm, stat, utimes } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';

export interface JobTempDirsOptions {
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

export interface JobTempDirs {
  open(jobKey: string): Promise<JobTempDir>;
  /** Removes directories whose owner is gone; resolves to their names. */
  removeStale(): Promise<string[]>;
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

export function createJobTempDirs(options: JobTempDirsOptions): JobTempDirs {
  const self: Owner = options.owner ?? { host: safeHost(hostname()), pid: process.pid };
  const heartbeatMs = options.heartbeatMs ?? 30_000;
  const staleAfterMs = options.staleAfterMs ?? 600_000;
  const now = options.now ?? (() => new Date());
  const live = new Set<string>();

  const isStale = async (name: string, owner: Owner): Promise<boolean> => {
    if (live.has(name)) return false;
    // Same host: a dead pid is certain; our own pid without the directory in `live` is a previous
    // process that had the same pid (a restarted container runs as pid 1 again).
    if (owner.host === self.host && (owner.pid === self.pid || !isRunning(owner.pid))) return true;
    const modified = await stat(join(options.root, name)).then(
      (s) => s.mtimeMs,
      () => undefined,
    );
    return modified !== undefined && now().getTime() - modified > staleAfterMs;
  };

  return {
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
}
