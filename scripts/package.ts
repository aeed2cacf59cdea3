// The one deployable package, for both roles and both ways of deploying it (App Service
// run-from-package, no build on the server): what package.json's `files` names (the compiled
// dist/, the `bin` command, the console's built assets), package.json itself and the production
// node_modules. No src/, tests, config files or secrets; it starts with
// `node dist/roles/cli.js api|worker` (Terraform's app_command_line).
//
//   npm run package                     the pipelines' zip, artifacts/azimuth.zip (--out to move it)
//   npm run package -- --dir .azd-package   the same tree as a folder: azure.yaml's `dist`, which
//                                       azd zips itself (see azdIgnoreFile below)
//   --dir D --out Z                     both, from one staging (the package rehearsal)
//   --no-build                          package the dist/ already built (tests; CI builds once)
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, join, relative, resolve, sep } from 'node:path';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: {
    out: { type: 'string' },
    dir: { type: 'string' },
    'no-build': { type: 'boolean', default: false },
  },
});

const root = process.cwd();
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

/**
 * azd zips a service's `dist` folder itself and reads its ignore file from that folder's root,
 * nowhere else (cli/azd/pkg/project/project_utils.go, createDeployableZip, Azure/azure-dev
 * ae35809). Without one, a JavaScript/TypeScript service loses every `node_modules` folder
 * unless `remoteBuild: false`, which azd's schema allows only for Function Apps. An ignore file
 * that excludes nothing keeps the tree whole; azd leaves the file itself out of the zip, and so
 * does the pipelines' zip below, so both upload the same files.
 */
const azdIgnoreFile = '.webappignore';
const azdIgnoreText = `# Written by scripts/package.ts. azd reads this file from the package root (azure.yaml's
# \`dist\`): its presence replaces azd's default of dropping node_modules, which holds the
# production dependencies the app runs from (SCM_DO_BUILD_DURING_DEPLOYMENT=false). Nothing is
# excluded: the package is already exactly what ships.
`;

function run(command: string, args: string[], cwd: string): void {
  execFileSync(command, args, { cwd, stdio: ['ignore', 'inherit', 'inherit'] });
}

interface Manifest {
  files?: string[];
  bin?: string | Record<string, string>;
}

/** The `files` entries as paths, and a problem per `bin` target they do not ship. */
function shippedPaths(manifest: Manifest): string[] {
  const files = (manifest.files ?? []).map((entry) => entry.replace(/\/$/, ''));
  const bins = typeof manifest.bin === 'string' ? [manifest.bin] : Object.values(manifest.bin ?? {});
  const unshipped = bins.filter(
    (bin) => !files.some((entry) => bin === entry || bin.startsWith(`${entry}/`)) || !existsSync(bin),
  );
  if (unshipped.length > 0)
    throw new Error(`package.json's bin names ${unshipped.join(', ')}, which the package would not ship`);
  return files;
}

/**
 * A compiled file ships only while its source exists, so an incremental build's leftovers of
 * deleted sources never do; the build-info file stays behind.
 */
function compiledFromCurrentSource(path: string): boolean {
  const inDist = relative(join(root, 'dist'), path);
  if (inDist.startsWith('..')) return true;
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
 * their own), less what only tools read. Optional packages for other platforms are absent on
 * disk and skipped, as npm does.
 */
async function copyProductionModules(staging: string): Promise<number> {
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

/** Fills `staging` with the package; resolves to the number of production packages. */
async function stage(staging: string): Promise<number> {
  const manifest = JSON.parse(await readFile(join(root, 'package.json'), 'utf8')) as Manifest;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  for (const entry of shippedPaths(manifest)) {
    // web/dist exists once the console is built (npm run build does); the server runs without it.
    if (!existsSync(join(root, entry))) continue;
    await cp(join(root, entry), join(staging, entry), { recursive: true, filter: compiledFromCurrentSource });
  }
  await cp(join(root, 'package.json'), join(staging, 'package.json'));
  const packages = await copyProductionModules(staging);
  await writeFile(join(staging, azdIgnoreFile), azdIgnoreText);
  return packages;
}

async function main(): Promise<void> {
  if (!values['no-build']) run(npm, ['run', 'build', '--silent'], root);
  const dir = values.dir === undefined ? undefined : resolve(root, values.dir);
  const out =
    dir !== undefined && values.out === undefined
      ? undefined
      : resolve(root, values.out ?? 'artifacts/azimuth.zip');
  const staging = dir ?? `${out}.d`;
  const packages = await stage(staging);
  if (out !== undefined) {
    await rm(out, { force: true });
    // -X: no extra file attributes, so the same inputs give the same archive.
    run('zip', ['-q', '-r', '-X', out, ...(await readdir(staging)), '-x', azdIgnoreFile], staging);
  }
  if (dir === undefined) await rm(staging, { recursive: true, force: true });
  const written = [dir && `${relative(root, dir)}/`, out && relative(root, out)]
    .filter(Boolean)
    .join(' and ');
  process.stdout.write(`package: ${written} (${packages} production packages)\n`);
}

await main();
