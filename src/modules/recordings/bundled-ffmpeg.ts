// The ffmpeg binary shipped in the `@ffmpeg-installer/<platform>` npm package, so `npm install &&
// npm start` compresses audio on a machine without a system ffmpeg. Prebuilt and executable as
// packed: its install script (a chmod) is not needed.
import { createRequire } from 'node:module';

/** The bundled binary's path, or undefined when this platform has none (or it was not installed). */
export function bundledFfmpegPath(): string | undefined {
  try {
    // The package throws (a string) when no binary for this platform is installed.
    return (createRequire(import.meta.url)('@ffmpeg-installer/ffmpeg') as { path: string }).path;
  } catch {
    return undefined;
  }
}
