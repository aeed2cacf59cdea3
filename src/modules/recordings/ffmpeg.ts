// ffmpeg, spawned per task: compression to mono speech MP3 (with progress), and cutting audio into
// time-ordered pieces. Which ffmpeg (FFMPEG_PATH when it runs, else the WebAssembly build of
// wasm-ffmpeg.ts) is detected once and shown on /health; when none runs, callers skip compression
// and /health shows `ffmpeg` degraded. Every run is confined the same way (confinedArgs): the
// demuxer named from the detected format, only the `file` protocol, only the job directory's
// files, no stdin, a wall-clock limit and an output-size limit.
import { spawn } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative } from 'node:path';
import type { DependencyCheck } from '../../platform/health/dependency-check.js';
import type { Logger } from '../../platform/telemetry/logger.js';
import { DEMUXERS, isAudioExt, type AudioFormat } from './audio-format.js';
import type { WasmFfmpegCommand } from './wasm-ffmpeg.js';

/** `system`: FFMPEG_PATH (a path, or a name looked up on PATH); `wasm`: the WebAssembly build. */
export type FfmpegSource = 'system' | 'wasm';

export type FfmpegAvailability =
  { ok: true; version: string; path: string; source: FfmpegSource } | { ok: false; reason: string };

/** A file of the job's directory and the format its first bytes were recognised as. */
export interface MediaInput {
  path: string;
  ext: AudioFormat['ext'];
}

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
   * Re-encodes `input` as mono MP3 at `bitrateKbps` (16 kHz, what speech models use) into `output`
   * (in the input's directory); resolves to the output's duration in seconds. `onProgress` gets
   * fractions 0..1. An input with no audio in it fails, permanently.
   */
  compress(options: {
    input: MediaInput;
    output: string;
    bitrateKbps: number;
    onProgress?: (fraction: number) => void;
    signal?: AbortSignal;
  }): Promise<{ durationSeconds: number | null }>;
  /** Cuts `input` (stream copy, at frame boundaries) into pieces of about `segmentSeconds`. */
  split(options: {
    input: MediaInput;
    outputDir: string;
    segmentSeconds: number;
    signal?: AbortSignal;
  }): Promise<AudioChunk[]>;
  /** The duration ffmpeg reads from the container's header, when it states one. */
  probeDuration(input: MediaInput, signal?: AbortSignal): Promise<number | null>;
  readonly check: DependencyCheck;
}

export interface FfmpegLimits {
  /** FFMPEG_TIMEOUT_MS: a run still going after this long is killed. */
  timeoutMs: number;
  /** FFMPEG_MAX_OUTPUT_MB in bytes: a compression writing more fails. */
  maxOutputBytes: number;
}

export interface FfmpegOptions {
  /** FFMPEG_PATH. */
  path: string;
  /**
   * Used when `path` is a bare name (`ffmpeg`) that does not run: nothing on PATH. A path set on
   * purpose is never replaced, so a wrong FFMPEG_PATH shows as degraded rather than hidden.
   */
  wasm?: () => WasmFfmpegCommand | undefined;
  limits: FfmpegLimits;
  logger: Logger;
}

export class FfmpegError extends Error {
  readonly isFfmpegError = true;
  /**
   * True when running again cannot help (platform/errors/permanent-failure.ts's rule): ffmpeg read the input and refused it, or it holds no
   * audio, or it decodes to more than the output limit. A crash, a kill or a time-out is not.
   */
  readonly permanent: boolean;
  constructor(message: string, options: { permanent: boolean }) {
    super(message);
    this.name = 'FfmpegError';
    this.permanent = options.permanent;
  }
}

/** `path` as recorded with `ext`; an extension no upload could have had is refused for good. */
export function mediaInput(path: string, ext: string): MediaInput {
  if (!isAudioExt(ext)) throw new FfmpegError(`no demuxer for .${ext} audio`, { permanent: true });
  return { path, ext };
}

interface RunResult {
  code: number | null;
  stderr: string;
  timedOut: boolean;
}

const parseClock = (text: string): number | null => {
  const match = /(\d+):(\d{2}):(\d{2}(?:\.\d+)?)/.exec(text);
  if (!match) return null;
  return Number(match[1]) * 3600 + Number(match[2]) * 60 + Number(match[3]);
};

const describe = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** How to start one ffmpeg: a native binary, or node running the WebAssembly build. */
interface Binary {
  command: string;
  prefix: string[];
}

interface RunOptions {
  /** The job's directory: ffmpeg's working directory, holding its input and outputs. */
  cwd?: string;
  signal?: AbortSignal;
  timeoutMs?: number;
  onStdoutLine?: (line: string) => void;
  onStderr?: (tail: string) => void;
}

/** Spawns one ffmpeg run, streaming stdout by line and keeping stderr's tail; killed at `timeoutMs`. */
const spawnFfmpeg = (binary: Binary, args: string[], runOptions: RunOptions = {}): Promise<RunResult> =>
  new Promise((resolve, reject) => {
    const timeout =
      runOptions.timeoutMs === undefined ? undefined : AbortSignal.timeout(runOptions.timeoutMs);
    const signals = [runOptions.signal, timeout].filter((s): s is AbortSignal => s !== undefined);
    const child = spawn(binary.command, [...binary.prefix, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(signals.length === 0 ? {} : { signal: AbortSignal.any(signals), killSignal: 'SIGKILL' }),
      ...(runOptions.cwd === undefined ? {} : { cwd: runOptions.cwd }),
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
    child.once('error', (error) => {
      // The time-out's abort: the run is over, reported as a result rather than a spawn failure.
      if (timeout?.aborted === true) resolve({ code: null, stderr, timedOut: true });
      else reject(error);
    });
    child.once('close', (code) => resolve({ code, stderr, timedOut: timeout?.aborted === true }));
  });

/** Runs `-version`: its version, or why it cannot be used. */
async function probe(
  binary: Binary,
  name: string,
): Promise<{ ok: true; version: string } | { ok: false; reason: string }> {
  let first = '';
  try {
    const result = await spawnFfmpeg(binary, ['-hide_banner', '-version'], {
      timeoutMs: 60_000,
      onStdoutLine: (line) => {
        if (first === '') first = line;
      },
    });
    if (result.code !== 0)
      return { ok: false, reason: `${name} -version exited with ${result.code ?? 'a signal'}` };
    return { ok: true, version: /^ffmpeg version (\S+)/.exec(first)?.[1] ?? 'unknown' };
  } catch (error) {
    return { ok: false, reason: `${name} cannot be run: ${describe(error)}` };
  }
}

const lastLines = (stderr: string): string => stderr.trim().split('\n').slice(-3).join(' | ');

/** The error of a failed run, with the last lines ffmpeg wrote. */
function failure(what: string, input: MediaInput, result: RunResult, limits: FfmpegLimits): FfmpegError {
  if (result.timedOut)
    return new FfmpegError(`ffmpeg ${what} took longer than ${limits.timeoutMs} ms and was stopped`, {
      permanent: false,
    });
  // Killed by a signal (out of memory, a deploy): another try may well pass.
  if (result.code === null)
    return new FfmpegError(`ffmpeg ${what} was killed: ${lastLines(result.stderr)}`, { permanent: false });
  return new FfmpegError(
    `ffmpeg ${what} failed: the audio is not readable as ${input.ext} (exit ${result.code}: ${lastLines(result.stderr)})`,
    { permanent: true },
  );
}

/** The output time of a `-progress` line (`out_time_us=…`), in seconds. */
function outTimeSeconds(line: string): number | undefined {
  const [key, value] = line.split('=', 2);
  if ((key !== 'out_time_us' && key !== 'out_time_ms') || value === undefined || !/^\d+$/.test(value))
    return undefined;
  return Number(value) / 1_000_000;
}

/** `path` relative to the job directory `cwd`; a path outside it is a programming error. */
function inside(cwd: string, path: string): string {
  const rel = relative(cwd, path);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel))
    throw new Error(`ffmpeg is only given files of the job directory ${cwd}, not ${path}`);
  return rel.split('\\').join('/');
}

/**
 * The input options of every run: no stdin, only the `file` protocol (so no demuxer can open a
 * URL of another kind), the demuxer of the detected format, and the input by its name in the job
 * directory (`file:` so no name is ever read as another protocol). Then audio only.
 */
export const confinedArgs = (input: MediaInput, cwd: string): string[] => [
  '-hide_banner',
  '-nostdin',
  '-y',
  '-protocol_whitelist',
  'file',
  '-f',
  DEMUXERS[input.ext],
  '-i',
  `file:${inside(cwd, input.path)}`,
  '-vn',
];

/** Mono speech MP3 at 16 kHz (what speech models use), progress as key=value lines on stdout. */
export const compressArgs = (
  input: MediaInput,
  output: string,
  bitrateKbps: number,
  maxOutputBytes: number,
): string[] => {
  const cwd = dirname(input.path);
  return [
    ...confinedArgs(input, cwd),
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
    '-fs',
    String(maxOutputBytes),
    '-progress',
    'pipe:1',
    '-nostats',
    '-f',
    'mp3',
    `file:${inside(cwd, output)}`,
  ];
};

/** Pieces of about `segmentSeconds` by stream copy (cut at frame boundaries), listed in `list` as CSV. */
const splitArgs = (input: MediaInput, outputDir: string, segmentSeconds: number, list: string): string[] => {
  const cwd = dirname(input.path);
  return [
    ...confinedArgs(input, cwd),
    '-f',
    'segment',
    '-segment_time',
    String(Math.max(1, segmentSeconds)),
    '-segment_list',
    inside(cwd, list),
    '-segment_list_type',
    'csv',
    '-reset_timestamps',
    '1',
    '-c',
    'copy',
    `${inside(cwd, outputDir)}/chunk%04d.mp3`,
  ];
};

/** Runs ffmpeg with `args`: the detected binary, in `input`'s directory, within the limits. */
type Run = (input: MediaInput, args: string[], runOptions?: RunOptions) => Promise<RunResult>;

const withSignal = (signal: AbortSignal | undefined): RunOptions => (signal === undefined ? {} : { signal });

interface Detected {
  availability: FfmpegAvailability;
  binary: Binary;
}

/** FFMPEG_PATH when it runs, else the WebAssembly build when FFMPEG_PATH is a bare name. */
async function detect(options: FfmpegOptions): Promise<Detected> {
  const found = (binary: Binary, ok: Extract<FfmpegAvailability, { ok: true }>): Detected => {
    const { path, source, version } = ok;
    options.logger.info({ ffmpeg: { path, source, version } }, 'ffmpeg found');
    return { availability: ok, binary };
  };
  const native: Binary = { command: options.path, prefix: [] };
  const system = await probe(native, options.path);
  if (system.ok) return found(native, { ...system, path: options.path, source: 'system' });
  const wasm = /[\\/]/.test(options.path) ? undefined : options.wasm?.();
  if (wasm === undefined) return { availability: system, binary: native };
  const fallback = await probe(wasm, 'the WebAssembly ffmpeg');
  if (!fallback.ok)
    return { availability: { ok: false, reason: `${system.reason}; ${fallback.reason}` }, binary: native };
  return found(wasm, { ...fallback, path: wasm.path, source: 'wasm' });
}

const compress =
  (run: Run, limits: FfmpegLimits): Ffmpeg['compress'] =>
  async ({ input, output, bitrateKbps, onProgress, signal }) => {
    // Written by the output callbacks while ffmpeg runs.
    const seen: { total: number | null; out: number | null } = { total: null, out: null };
    const result = await run(input, compressArgs(input, output, bitrateKbps, limits.maxOutputBytes), {
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
    if (result.code !== 0 || result.timedOut) throw failure('compression', input, result, limits);
    const written = await stat(output).then(
      (s) => s.size,
      () => 0,
    );
    // -fs stops at the limit and exits 0: reaching it means the audio decodes to more than allowed.
    if (written >= limits.maxOutputBytes)
      throw new FfmpegError(`the compressed audio would exceed ${limits.maxOutputBytes} bytes`, {
        permanent: true,
      });
    if (written === 0 || seen.out === null || seen.out <= 0)
      throw new FfmpegError(`no audio found in the ${input.ext} upload`, { permanent: true });
    onProgress?.(1);
    return { durationSeconds: seen.out };
  };

const split =
  (run: Run, limits: FfmpegLimits): Ffmpeg['split'] =>
  async ({ input, outputDir, segmentSeconds, signal }) => {
    const list = join(outputDir, 'chunks.csv');
    const result = await run(input, splitArgs(input, outputDir, segmentSeconds, list), withSignal(signal));
    if (result.code !== 0 || result.timedOut) throw failure('split', input, result, limits);
    const lines = (await readFile(list, 'utf8')).split('\n').filter((l) => l.trim() !== '');
    return lines.map((line) => {
      const [file, start, end] = line.split(',');
      return { path: join(outputDir, file ?? ''), start: Number(start), end: Number(end) };
    });
  };

export function createFfmpeg(options: FfmpegOptions): Ffmpeg {
  const { limits } = options;
  let detected: Promise<Detected> | undefined;
  const detection = (): Promise<Detected> => (detected ??= detect(options));
  const availability = async (): Promise<FfmpegAvailability> => (await detection()).availability;

  /** Runs the detected binary (FFMPEG_PATH when none was found, so the error names it). */
  const run: Run = async (input, args, runOptions = {}) => {
    const { binary } = await detection();
    return spawnFfmpeg(binary, args, {
      ...runOptions,
      cwd: dirname(input.path),
      timeoutMs: limits.timeoutMs,
    });
  };

  return {
    availability,
    compress: compress(run, limits),
    split: split(run, limits),
    async probeDuration(input, signal) {
      // `ffmpeg -i` alone exits 1 ("no output file") after printing the header: enough here.
      const result = await run(input, confinedArgs(input, dirname(input.path)), withSignal(signal));
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
