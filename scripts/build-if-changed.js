#!/usr/bin/env node
// What `npm start` runs first: builds the server (tsc and the CLI bundle), the web console (Vite) and the PGlite
// template only when their sources are newer than the last build, so an unchanged checkout starts
// in about a second.
// `--only web` (or `server`) limits it to one; the browser tests build just the console.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');

/** Newest modification time under the given files and folders (0 when none exist). */
function newest(paths) {
  let latest = 0;
  for (const path of paths.map((p) => join(root, p))) {
    if (!existsSync(path)) continue;
    const stat = statSync(path);
    if (stat.isDirectory())
      latest = Math.max(
        latest,
        ...readdirSync(path).map((name) => newest([join(path, name).slice(root.length + 1)])),
      );
    else latest = Math.max(latest, stat.mtimeMs);
  }
  return latest;
}

const builtAt = (file) => (existsSync(join(root, file)) ? statSync(join(root, file)).mtimeMs : -1);

const targets = [
  {
    name: 'server',
    output: 'dist/.tsbuildinfo',
    inputs: ['src', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json', 'scripts/bundle-cli.js'],
    // tsc, then the bundle that replaces dist/roles/cli.js (scripts/bundle-cli.js).
    command: ['npm', ['run', '--silent', 'build:server']],
  },
  {
    name: 'web console',
    output: 'web/dist/index.html',
    inputs: ['web/src', 'web/index.html', 'web/vite.config.ts', 'package-lock.json'],
    command: ['npx', ['vite', 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn']],
  },
  {
    // Embedded mode's initialised, migrated data directory, which a new DATA_DIR copies; the script
    // keeps it when PGlite's version and the migrations are unchanged.
    name: 'PGlite template',
    output: 'dist/pglite-template/azimuth-template.json',
    inputs: ['src', 'package-lock.json'],
    command: ['node', ['scripts/build-pglite-template.js']],
  },
];

const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;

for (const target of targets) {
  if (only !== undefined && !target.name.includes(only)) continue;
  if (newest(target.inputs) <= builtAt(target.output)) continue;
  process.stdout.write(`building the ${target.name}…\n`);
  const [command, args] = target.command;
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
}
