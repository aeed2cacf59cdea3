// ffmpeg, spawned per task: compression to mono speech MP3 (with progress), and cutting audio into
// time-ordered pieces. Which binary (FFMPEG_PATH, else the bundled one) is detected once and shown on
// /health; when none runs, callers skip compression and /health shows `ffmpeg` degraded.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DependencyCheck } from '../../platform/health/dependency-check.js';
import type { Logger } from '../../platform/telemetry/logger.js';

/** `system`: FFMPEG_PATH (a path, or a name looked up on PATH); `bundled`: the npm package's binary. */
export type FfmpegSource = 'system' | 'bundled';

export type FfmpegAvailability =
  { ok: true; version: string; path: string; source: FfmpegSource } | { ok: false; reason: string };

export interface AudioChunk {
  path: string;
  /** Seconds from the start of the whole audio. */
  start: number;
  end: number;
}

export interface Ffmpeg {
  /** Detected on first call and remembered. */
  availability(): Promise<FfmpegAvailability>;
  /**
   * Re-encodes `input` as mono MP3 at `bitrateKbps` (16 kHz, what speech models use) into `output`;
   * resolves to the output's duration in seconds. `onProgress` gets fractions 0..1.
   */
  compress(options: {
    input: string;
    output: string;
    bitrateKbps: number;
    onProgress?: (fraction: number) => void;
    signal?: AbortSignal;
  }): Promise<{ durationSeconds: number | null }>;
  /** Cuts `input` (stream copy, at frame boundaries) into pieces of about `segmentSeconds`. */
  split(options: {
    input: string;
    outputDir: string;
    segmentSeconds: number;
    signal?: AbortSignal;
  }): Promise<AudioChunk[]>;
  /** The duration ffmpeg reads from the container's header, when it states one. */
  probeDuration(input: string, signal?: AbortSignal): Promise<number | null>;
  readonly check: DependencyCheck;
}

export interface FfmpegOptions {
  /** FFMPEG_PATH. */
  path: string;
  /**
   * Used when `path` is a bare name (`ffmpeg`) that does not run: nothing on PATH. A path set on
   * purpose is never replaced, so a wrong FFMPEG_PATH shows as degraded rather than hidden.
   */
  bundledPath?: () => string | undefined;
  logger: Logger;
}

export class FfmpegError extends Error {
  readonly isFfmpegError = true;
  constructor(message: string) {
    super(message);
    this.name = 'FfmpegError';
  }
}

interface RunResult {
  code: number | null;
  stderr: string;
}

const parseClock = (text: string): number | null => {
  const match = /(\d+):(\d{2}):(\d{2}(?:\.\d+)?)/.exec(text);
  if (!match) return null;
  return Number(match[1]) * 3600 + Number(match[2]) * 60 + Number(match[3]);
};

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));

interface RunOptions {
  signal?: AbortSignal;
  onStdoutLine?: (line: string) => void;
  onStderr?: (tail: string) => void;
}

/** Spawns one ffmpeg run, streaming stdout by line and keeping stderr's tail. */
const spawnFfmpeg = (path: string, args: string[], runOptions: RunOptions = {}): Promise<RunResult> =>
  new Promise((resolve, reject) => {
    const child = spawn(path, args, {
      stdio: ['ignore', 'pipe', 'pipe'],
      signal: runOptions.signal,
    });
    let stderr = '';
    let pending = '';
    child.stderr.setEncoding('utf8');
    // Only the tail matters (the error, or the last stats line); keep memory flat on long files.
    child.stderr.on('data', (chunk: string) => {
      stderr = (stderr + chunk).slice(-16_384);
      runOptions.onStderr?.(stderr);
    });
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) runOptions.onStdoutLine?.(line.trim());
    });
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stderr }));
  });

/** Runs `path -version`: its version, or why it cannot be used. */
async function probe(path: string): Promise<{ ok: true; version: string } | { ok: false; reason: string }> {
  let first = '';
  try {
    const result = await spawnFfmpeg(path, ['-hide_banner', '-version'], {
      onStdoutLine: (line) => {
        if (first === '') first = line;
      },
    });
    if (result.code !== 0)
      return { ok: false, reason: `${path} -version exited with ${result.code ?? 'a signal'}` };
    return { ok: true, version: /^ffmpeg version (\S+)/.exec(first)?.[1] ?? 'unknown' };
  } catch (error) {
    return { ok: false, reason: `${path} cannot be run: ${describe(error)}` };
  }
}

/** The error of a failed run, with the last lines ffmpeg wrote. */
const failure = (what: string, result: RunResult) =>
  new FfmpegError(
    `ffmpeg ${what} failed (exit ${result.code ?? 'signal'}): ${result.stderr.trim().split('\n').slice(-3).join(' | ')}`,
  );

/** The output time of a `-progress` line (`out_time_us=…`), in seconds. */
function outTimeSeconds(line: string): number | undefined {
  const [key, value] = line.split('=', 2);
  if ((key !== 'out_time_us' && key !== 'out_time_ms') || value === undefined || !/^\d+$/.test(value))
    return undefined;
  return Number(value) / 1_000_000;
}

/** Every run: quiet, never reading stdin, overwriting its output, audio of `input` only. */
const inputArgs = (input: string): string[] => ['-hide_banner', '-nostdin', '-y', '-i', input, '-vn'];

/** Mono speech MP3 at 16 kHz (what speech models use), progress as key=value lines on stdout. */
export const compressArgs = (input: string, output: string, bitrateKbps: number): string[] => [
  ...inputArgs(input),
  '-map_metadata',
  '-1',
  '-ac',
  '1',
  '-ar',
  '16000',
  '-c:a',
  'libmp3lame',
  '-b:a',
  `${bitrateKbps}k`,
  '-progress',
  'pipe:1',
  '-nostats',
  '-f',
  'mp3',
  output,
];

/** Pieces of about `segmentSeconds` by stream copy (cut at frame boundaries), listed in `list` as CSV. */
const splitArgs = (input: string, outputDir: string, segmentSeconds: number, list: string): string[] => [
  ...inputArgs(input),
  '-f',
  'segment',
  '-segment_time',
  String(Math.max(1, segmentSeconds)),
  '-segment_list',
  list,
  '-segment_list_type',
  'csv',
  '-reset_timestamps',
  '1',
  '-c',
  'copy',
  join(outputDir, 'chunk%04d.mp3'),
];

/** Runs ffmpeg with `args`: the detected binary. */
type Run = (args: string[], runOptions?: RunOptions) => Promise<RunResult>;

const withSignal = (signal: AbortSignal | undefined): RunOptions => (signal === undefined ? {} : { signal });

/** FFMPEG_PATH when it runs, else the bundled binary when FFMPEG_PATH is a bare name. */
async function detect(options: FfmpegOptions): Promise<FfmpegAvailability> {
  const found = (ok: Extract<FfmpegAvailability, { ok: true }>): FfmpegAvailability => {
    const { path, source, version } = ok;
    options.logger.info({ ffmpeg: { path, source, version } }, 'ffmpeg found');
    return ok;
  };
  const system = await probe(options.path);
  if (system.ok) return found({ ...system, path: options.path, source: 'system' });
  const bundled = /[\\/]/.test(options.path) ? undefined : options.bundledPath?.();
  if (bundled === undefined) return system;
  const fallback = await probe(bundled);
  if (!fallback.ok) return { ok: false, reason: `${system.reason}; bundled ${fallback.reason}` };
  return found({ ...fallback, path: bundled, source: 'bundled' });
}

const compress =
  (run: Run): Ffmpeg['compress'] =>
  async ({ input, output, bitrateKbps, onProgress, signal }) => {
    // Written by the output callbacks while ffmpeg runs.
    const seen: { total: number | null; out: number | null } = { total: null, out: null };
    const result = await run(compressArgs(input, output, bitrateKbps), {
      ...withSignal(signal),
      onStderr: (tail) => {
        // The input's duration comes on stderr before the first progress line.
        seen.total ??= parseClock(/Duration: ([\d:.]+)/.exec(tail)?.[1] ?? '');
      },
      onStdoutLine: (line) => {
        const out = outTimeSeconds(line);
        if (out === undefined) return;
        seen.out = out;
        if (seen.total !== null && seen.total > 0) onProgress?.(Math.min(1, out / seen.total));
      },
    });
    if (result.code !== 0) throw failure('compression', result);
    onProgress?.(1);
    return { durationSeconds: seen.out ?? seen.total };
  };

const split =
  (run: Run): Ffmpeg['split'] =>
  async ({ input, outputDir, segmentSeconds, signal }) => {
    const list = join(outputDir, 'chunks.csv');
    const result = await run(splitArgs(input, outputDir, segmentSeconds, list), withSignal(signal));
    if (result.code !== 0) throw failure('split', result);
    const lines = (await readFile(list, 'utf8')).split('\n').filter((l) => l.trim() !== '');
    return lines.map((line) => {
      const [file, start, end] = line.split(',');
      return { path: join(outputDir, file ?? ''), start: Number(start), end: Number(end) };
    });
  };

export function createFfmpeg(options: FfmpegOptions): Ffmpeg {
  let detected: Promise<FfmpegAvailability> | undefined;
  const availability = (): Promise<FfmpegAvailability> => (detected ??= detect(options));

  /** Runs the detected binary (FFMPEG_PATH when none was found, so the error names it). */
  const run: Run = async (args, runOptions = {}) => {
    const binary = await availability();
    return spawnFfmpeg(binary.ok ? binary.path : options.path, args, runOptions);
  };

  return {
    availability,
    compress: compress(run),
    split: split(run),
    async probeDuration(input, signal) {
      // `ffmpeg -i` alone exits 1 ("no output file") after printing the header: enough here.
      const result = await run(['-hide_banner', '-nostdin', '-i', input], withSignal(signal));
      return parseClock(/Duration: ([\d:.]+)/.exec(result.stderr)?.[1] ?? '');
    },
    check: {
      name: 'ffmpeg',
      driver: options.path,
      required: false,
      async check() {
        const found = await availability();
        return found.ok
          ? { status: 'healthy', details: { path: found.path, source: found.source, version: found.version } }
          : { status: 'degraded', error: `${found.reason}; recordings are stored uncompressed` };
      },
    },
  };
}
