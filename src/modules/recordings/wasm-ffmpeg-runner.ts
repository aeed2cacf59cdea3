// Runs the WebAssembly ffmpeg (@ffmpeg/core) as a command, in a process of its own so a long job
// never blocks the API's event loop and a wall-clock limit can kill it. ffmpeg sees only an
// in-memory file system (MEMFS; the build has no NODEFS): the `-i` inputs are copied in from the
// working directory, every file ffmpeg writes is copied back, and nothing else of the server exists
// for it. Usage, from the job's directory: `node wasm-ffmpeg-runner.js <ffmpeg arguments>`.
// Imports only Node built-ins and @ffmpeg/core: it runs unbundled, from dist/ as tsc emits it.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** What this runner uses of the Emscripten module @ffmpeg/core builds (it ships no types). */
interface FfmpegCore {
  FS: {
    writeFile(path: string, data: Uint8Array): void;
    readFile(path: string): Uint8Array;
    readdir(path: string): string[];
    mkdir(path: string): void;
    isDir(mode: number): boolean;
    stat(path: string): { mode: number };
    chdir(path: string): void;
  };
  setLogger(logger: (message: { type: string; message: string }) => void): void;
  exec(...args: string[]): number;
}

type CreateCore = (options: { wasmBinary: Uint8Array }) => Promise<FfmpegCore>;

/** Where the job's files live inside ffmpeg's in-memory file system. */
const ROOT = '/job';

/** The paths after each `-i` (a `file:` prefix removed): the only host files ffmpeg gets. */
function inputsOf(args: string[]): string[] {
  return args.flatMap((arg, index) =>
    index > 0 && args[index - 1] === '-i' ? [arg.replace(/^file:/, '')] : [],
  );
}

/** Mirrors the working directory's folders (not their files), so outputs may go in sub-folders. */
function mirrorFolders(core: FfmpegCore, host: string, inside: string): void {
  for (const entry of readdirSync(host, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    core.FS.mkdir(`${inside}/${entry.name}`);
    mirrorFolders(core, join(host, entry.name), `${inside}/${entry.name}`);
  }
}

/** Copies every file under `inside` that was not an input back to the same place under `host`. */
function copyOut(core: FfmpegCore, inside: string, host: string, inputs: Set<string>, prefix = ''): void {
  for (const name of core.FS.readdir(inside)) {
    if (name === '.' || name === '..') continue;
    const relative = prefix === '' ? name : `${prefix}/${name}`;
    const path = `${inside}/${name}`;
    if (core.FS.isDir(core.FS.stat(path).mode)) {
      mkdirSync(join(host, name), { recursive: true });
      copyOut(core, path, join(host, name), inputs, relative);
    } else if (!inputs.has(relative)) writeFileSync(join(host, name), core.FS.readFile(path));
  }
}

async function loadCore(): Promise<FfmpegCore> {
  const require = createRequire(import.meta.url);
  const script = require.resolve('@ffmpeg/core').replace(/umd[\\/]ffmpeg-core\.js$/, 'esm/ffmpeg-core.js');
  // The build targets browser workers: it reads `self.location` once, for a URL it never fetches
  // when the WebAssembly bytes are given.
  Object.assign(globalThis, { self: { location: { href: pathToFileURL(script).href } } });
  const module = (await import(pathToFileURL(script).href)) as { default: CreateCore };
  return module.default({ wasmBinary: readFileSync(join(dirname(script), 'ffmpeg-core.wasm')) });
}

async function main(args: string[]): Promise<number> {
  const core = await loadCore();
  core.setLogger(({ type, message }) => {
    // How the build ends every run (exit() is an abort in it), not an error.
    if (message === 'Aborted()') return;
    (type === 'stdout' ? process.stdout : process.stderr).write(`${message}\n`);
  });
  core.FS.mkdir(ROOT);
  mirrorFolders(core, process.cwd(), ROOT);
  const inputs = inputsOf(args);
  for (const input of inputs) {
    if (input.startsWith('/') || input.split('/').includes('..'))
      throw new Error(`input ${input} is not inside the working directory`);
    core.FS.writeFile(`${ROOT}/${input}`, readFileSync(input));
  }
  core.FS.chdir(ROOT);
  const code = core.exec(...args);
  copyOut(core, ROOT, process.cwd(), new Set(inputs));
  return code;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
