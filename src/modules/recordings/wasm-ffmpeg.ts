// The WebAssembly ffmpeg production runs (App Service has no ffmpeg on PATH): @ffmpeg/core, FFmpeg
// 5.1 compiled to WebAssembly, installed with the other dependencies (the binary is in the package,
// no download). It runs as a command (wasm-ffmpeg-runner.ts, in a Node process of its own) and sees
// an in-memory file system holding only its inputs, so no input can make it read a server file.
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** How to start the WebAssembly ffmpeg: `command` with `prefix` and then ffmpeg's own arguments. */
export interface WasmFfmpegCommand {
  command: string;
  prefix: string[];
  /** What /health shows as the path: the package's WebAssembly file. */
  path: string;
}

/** The command, or undefined when @ffmpeg/core is not installed. */
export function wasmFfmpegCommand(): WasmFfmpegCommand | undefined {
  const require = createRequire(import.meta.url);
  let core: string;
  try {
    core = require.resolve('@ffmpeg/core/wasm');
  } catch {
    return undefined;
  }
  // From sources (tests, `npm run azimuth`) the runner is TypeScript, loaded through tsx by an
  // absolute URL (the runner's working directory is the job's, where `tsx` would not resolve).
  const fromSource = import.meta.url.endsWith('.ts');
  const runner = new URL(fromSource ? './wasm-ffmpeg-runner.ts' : './wasm-ffmpeg-runner.js', import.meta.url);
  const loader = fromSource ? ['--import', pathToFileURL(require.resolve('tsx')).href] : [];
  return { command: process.execPath, prefix: [...loader, fileURLToPath(runner)], path: core };
}
