#!/usr/bin/env node
// Build step after tsc: dist/roles/cli.js becomes an esbuild bundle of the CLI and the pure-JS
// packages it loads (typebox, kysely, fastify, …). Node's ESM loader pays per file (resolve, read,
// compile, link) and the unbundled CLI loaded ~2,000 files: most of `azimuth api`'s CPU time to
// ready. tsc still emits every file under dist/ (and typechecks); only the entries are replaced, so
// `node dist/roles/cli.js`, `bin`, `npm start` and the deployment zip all run the bundle.
import { readdir, readFile, rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { build } from 'esbuild';

const root = join(import.meta.dirname, '..');
// The PGlite template's build step is the second entry: see src/roles/pglite-template-build.ts.
const entries = ['src/roles/cli.ts', 'src/roles/pglite-template-build.ts'].map((path) => join(root, path));
const outdir = join(root, 'dist/roles');

/**
 * Packages left to Node, each for a reason: OpenTelemetry instruments them as they are imported
 * (http is built in; pg, ioredis, the Azure SDKs), they find files beside their own code (PGlite's
 * WebAssembly, sharp's binaries and ffmpeg's WebAssembly, pdfkit's fonts, the static and Swagger UI assets,
 * pino's worker-thread transports), they run in a worker, or they are optional native add-ons.
 */
const external = [
  'pg',
  'pg-native',
  'ioredis',
  'bullmq',
  'pino',
  'pino-pretty',
  'thread-stream',
  'sharp',
  '@electric-sql/pglite',
  '@azure/*',
  '@opentelemetry/*',
  '@fastify/static',
  '@fastify/swagger-ui',
  '@ffmpeg/core',
  'pdfkit',
  'bufferutil',
  'utf-8-validate',
];

/**
 * Each source file keeps the `import.meta.url` tsc's output of it would have (dist/<same path>.js),
 * so paths relative to it (the PGlite template, the console's assets, package.json) still resolve.
 */
const importMetaUrlAsCompiled = {
  name: 'import-meta-url-as-compiled',
  setup(build) {
    build.onLoad({ filter: /\/src\/.*\.ts$/ }, async ({ path }) => {
      const compiled = join(root, 'dist', relative(join(root, 'src'), path)).replace(/\.ts$/, '.js');
      const fromBundle = relative(outdir, compiled);
      const source = await readFile(path, 'utf8');
      return {
        contents: source.replaceAll(
          'import.meta.url',
          `new URL(${JSON.stringify(fromBundle)}, import.meta.url).href`,
        ),
        loader: 'ts',
      };
    });
  },
};

// Chunks of an earlier build would otherwise pile up (their names are content hashes) and ship.
for (const name of await readdir(outdir)) if (name.startsWith('cli-chunk-')) await rm(join(outdir, name));

await build({
  entryPoints: entries,
  outdir,
  entryNames: '[name]',
  // What the CLI imports on demand (a role, PGlite, the LLM clients, …) stays in chunks of its
  // own: in one file, esbuild would hoist their external imports (PGlite, sharp, pdfkit) to the
  // top and load them at every start. Chunks sit beside cli.js so import.meta.url means the same.
  splitting: true,
  chunkNames: 'cli-chunk-[hash]',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  external,
  plugins: [importMetaUrlAsCompiled],
  // Bundled CommonJS packages call require(); in an ES module it has to be made.
  banner: {
    js: "import { createRequire as __azimuthRequire } from 'node:module'; const require = __azimuthRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
