// Helpers for benchmarks that measure real processes: free ports, spawning with output
// discarded, waiting until a URL answers, and reading a process's resident memory.
import { spawn, type ChildProcess } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

export function spawnQuiet(args: string[], env: Record<string, string>): ChildProcess {
  const profile = process.env.BENCH_CPU_PROF_DIR; // profile the servers: `BENCH_CPU_PROF_DIR=/tmp/p`
  const nodeArgs = profile === undefined ? args : ['--cpu-prof', `--cpu-prof-dir=${profile}`, ...args];
  return spawn(process.execPath, nodeArgs, {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

/** Polls until the URL answers 200; resolves with the milliseconds since `since`. */
export async function waitForOk(url: string, since: number, timeoutMs = 20_000): Promise<number> {
  while (performance.now() - since < timeoutMs) {
    try {
      const response = await fetch(url);
      await response.arrayBuffer();
      if (response.ok) return performance.now() - since;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error(`${url} did not answer within ${timeoutMs} ms`);
}

export async function rssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
}

/** Peak resident memory of a process (VmHWM), in MB. */
export async function peakRssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? NaN) / 1024;
}

/** CPU time a process has used so far (user + system), in microseconds. */
export async function cpuMicros(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1e6) / 100; // USER_HZ is 100 on Linux
}

/**
 * CPU time a process has used so far, in microseconds, to the nanosecond the scheduler counts
 * (the sum over its threads' `schedstat`): fine enough to split between calls a few ms long, where
 * `stat`'s 10 ms ticks are not. Threads that have exited are not counted.
 */
export async function preciseCpuMicros(pid: number): Promise<number> {
  const threads = await readdir(`/proc/${pid}/task`);
  const ns = await Promise.all(
    threads.map((tid) =>
      readFile(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').then(
        (stat) => Number(stat.split(' ')[0]),
        () => 0,
      ),
    ),
  );
  return ns.reduce((a, b) => a + b, 0) / 1000;
}
