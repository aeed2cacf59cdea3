// The system ffmpeg, spawned per task: compression to mono speech MP3 (with progress), and cutting
// audio into time-ordered pieces. Whether it exists is detected once; when it does not, callers
// skip compression and /health shows `ffmpeg` degraded.
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DependencyCheck } from '../../platform/health/dependency-check.js';
import type { Logger } from '../../platform/telemetry/logger.js';

export type FfmpegAvailability = { ok: true; version: string } | { ok: false; reason: string };

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

export function createFfmpeg(options: FfmpegOptions): Ffmpeg {
  let detected: Promise<FfmpegAvailability> | undefined;

  const run = (
    args: string[],
    runOptions: {
      signal?: AbortSignal;
      onStdoutLine?: (line: string) => void;
      onStderr?: (tail: string) => void;
    } = {},
  ): Promise<RunResult> =>
    new Promise((resolve, reject) => {
      const child = spawn(options.path, args, {
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

  const failure = (what: string, result: RunResult) =>
    new FfmpegError(
      `ffmpeg ${what} failed (exit ${result.code ?? 'signal'}): ${result.stderr.trim().split('\n').slice(-3).join(' | ')}`,
    );

  const availability = (): Promise<FfmpegAvailability> => {
    let first = '';
    detected ??= run(['-hide_banner', '-version'], {
      onStdoutLine: (line) => {
        if (first === '') first = line;
      },
    }).then(
      (result): FfmpegAvailability => {
        if (result.code !== 0)
          return { ok: false, reason: `${options.path} -version exited with ${result.code ?? 'a signal'}` };
        const version = /^ffmpeg version (\S+)/.exec(first)?.[1] ?? 'unknown';
        // `ffmpegVersion`, not `version`: the process logger already stamps the app's version.
        options.logger.info({ ffmpeg: options.path, ffmpegVersion: version }, 'ffmpeg found');
        return { ok: true, version };
      },
      (error: unknown): FfmpegAvailability => ({
        ok: false,
        reason: `${options.path} cannot be run: ${error instanceof Error ? error.message : String(error)}`,
      }),
    );
    return detected;
  };

  return {
    availability,

    async compress({ input, output, bitrateKbps, onProgress, signal }) {
      // Written by the output callbacks while ffmpeg runs.
      const seen: { total: number | null; out: number | null } = { total: null, out: null };
      const args = [
        '-hide_banner',
        '-nostdin',
        '-y',
        '-i',
        input,
        '-vn',
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
      const result = await run(args, {
        ...(signal === undefined ? {} : { signal }),
        onStderr: (tail) => {
          // The input's duration comes on stderr before the first progress line.
          seen.total ??= parseClock(/Duration: ([\d:.]+)/.exec(tail)?.[1] ?? '');
        },
        onStdoutLine: (line) => {
          const [key, value] = line.split('=', 2);
          if (
            (key === 'out_time_us' || key === 'out_time_ms') &&
            value !== undefined &&
            /^\d+$/.test(value)
          ) {
            seen.out = Number(value) / 1_000_000;
            if (seen.total !== null && seen.total > 0) onProgress?.(Math.min(1, seen.out / seen.total));
          }
        },
      });
      if (result.code !== 0) throw failure('compression', result);
      onProgress?.(1);
      return { durationSeconds: seen.out ?? seen.total };
    },

    async split({ input, outputDir, segmentSeconds, signal }) {
      const list = join(outputDir, 'chunks.csv');
      const result = await run(
        [
          '-hide_banner',
          '-nostdin',
          '-y',
          '-i',
          input,
          '-vn',
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
        ],
        signal === undefined ? {} : { signal },
      );
      if (result.code !== 0) throw failure('split', result);
      const lines = (await readFile(list, 'utf8')).split('\n').filter((l) => l.trim() !== '');
      return lines.map((line) => {
        const [file, start, end] = line.split(',');
        return { path: join(outputDir, file ?? ''), start: Number(start), end: Number(end) };
      });
    },

    async probeDuration(input, signal) {
      // `ffmpeg -i` alone exits 1 ("no output file") after printing the header: enough here.
      const result = await run(
        ['-hide_banner', '-nostdin', '-i', input],
        signal === undefined ? {} : { signal },
      );
      return parseClock(/Duration: ([\d:.]+)/.exec(result.stderr)?.[1] ?? '');
    },

    check: {
      name: 'ffmpeg',
      driver: options.path,
      required: false,
      async check() {
        const found = await availability();
        return found.ok
          ? { status: 'healthy' }
          : { status: 'degraded', error: `${found.reason}; recordings are stored uncompressed` };
      },
    },
  };
}
