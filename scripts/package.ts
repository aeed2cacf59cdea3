// `npm run package`: the one deployable zip (App Service run-from-package): compiled dist/,
// production node_modules, package.json, and the console's built assets when they exist.
// No src/, tests, config files or secrets; it starts with `node dist/roles/cli.js api|worker`.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { basename, join, relative, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    out: { type: 'string', default: 'artifacts/azimuth.zip' },
  },
});

const root = process.cwd();
const out = resolve(root, values.out);
const staging = `${out}.d`;
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

function run(command: string, args: string[], cwd: string): void {
  execFileSync(command, args, { cwd, stdio: ['ignore', 'inherit', 'inherit'] });
}

/**
 * A compiled file ships only while its source exists, so an incremental build's leftovers of
 * deleted sources never do; the build-info file stays behind.
 */
function compiledFromCurrentSource(path: string): boolean {
  const inDist = relative(join(root, 'dist'), path);
  if (inDist.endsWith('.tsbuildinfo')) return false;
  // The embedded database's initdb template: deployments run on PostgreSQL, never PGlite.
  if (inDist === 'pglite-template' || inDist.startsWith(`pglite-template${sep}`)) return false;
  // The CLI bundle's chunks (scripts/bundle-cli.js) have no source of their own.
  if (inDist.startsWith(`roles${sep}cli-chunk-`)) return true;
  // Directories have no compiled extension and are kept; their files are judged one by one.
  const source = inDist.replace(/\.(js|js\.map|d\.ts|d\.ts\.map)$/, '.ts');
  return source === inDist || existsSync(join(root, 'src', source));
}

/**
 * Type declarations, source maps, TypeScript sources and docs are over half of node_modules
 * and never loaded at run time; licence texts stay, whatever their extension.
 */
function neededAtRunTime(path: string): boolean {
  const name = basename(path);
  return /^licen[cs]e/i.test(name) || !/\.(ts|mts|cts|map|md)$/.test(name);
}

/**
 * The production dependencies exactly as installed and tested: every package-lock entry not
 * marked `dev`, copied from node_modules without its nested node_modules (those are entries of
 * their own), less what only tools read. Optional packages for other platforms are absent on disk and skipped, as npm does.
 */
async function copyProductionModules(): Promise<number> {
  const lock = JSON.parse(await readFile(join(root, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean; link?: boolean }>;
  };
  const entries = Object.entries(lock.packages).filter(
    ([path, entry]) => path.startsWith('node_modules/') && !entry.dev && !entry.link,
  );
  let copied = 0;
  for (const [path] of entries) {
    const from = join(root, path);
    if (!existsSync(from)) continue;
    const nested = join(from, 'node_modules');
    await cp(from, join(staging, path), {
      recursive: true,
      filter: (source) => source !== nested && !source.startsWith(nested + sep) && neededAtRunTime(source),
    });
    copied += 1;
  }
  return copied;
}

async function main(): Promise<void> {
  run(npm, ['run', 'build', '--silent'], root);
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  await cp(join(root, 'dist'), join(staging, 'dist'), { recursive: true, filter: compiledFromCurrentSource });
  await cp(join(root, 'package.json'), join(staging, 'package.json'));
  const packages = await copyProductionModules();
  if (existsSync(join(root, 'web/dist'))) {
    await cp(join(root, 'web/dist'), join(staging, 'web/dist'), { recursive: true });
  }
  await rm(out, { force: true });
  // -X: no extra file attributes, so the same inputs give the same archive.
  run('zip', ['-q', '-r', '-X', out, ...(await readdir(staging))], staging);
  await rm(staging, { recursive: true, force: true });
  process.stdout.write(`package: ${relative(root, out)} (${packages} production packages)\n`);
}

await main();
