// A package as App Service runs it: produced exactly as each deploy path produces it (the
// pipelines' `npm run package` zip; azd's zip of azure.yaml's `dist` by azd's own rules),
// unpacked alone under the OS temp dir, and started with Terraform's start command and settings.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, parse } from 'node:path';
import { createInterface } from 'node:readline';
import { parse as parseYaml } from 'yaml';
import { azdPackageRoot, azdZipFiles, type AzdService } from './azd-zip-rules.js';

export const repoRoot = join(import.meta.dirname, '..', '..');

/**
 * A scratch folder under the OS temp dir, away from the repository's node_modules. Its unpacked
 * packages hold ~100,000 files: `remove()` deletes them in a detached `rm` rather than holding
 * the test file's end (and a CI worker) for the half minute or more that takes under load.
 */
export function scratch(label: string): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), `azimuth-${label}-`));
  return {
    dir,
    remove: () => spawn('rm', ['-rf', dir], { detached: true, stdio: 'ignore' }).unref(),
  };
}

function npmRunPackage(args: string[]): void {
  execFileSync('npm', ['run', 'package', '--silent', '--', '--no-build', ...args], {
    cwd: repoRoot,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
}

/** Unzips `zip` into a new folder `site`, as App Service does with what it is given. */
export function unpack(zip: string, site: string): string {
  mkdirSync(site, { recursive: true });
  execFileSync('unzip', ['-q', zip, '-d', site]);
  return site;
}

/** A copy of `site` (hard links: cheap) without the `removed` paths: the mutation tests' packages. */
export function copyWithout(site: string, copy: string, removed: string[]): string {
  execFileSync('cp', ['-al', site, copy]);
  for (const path of removed) rmSync(join(copy, path), { recursive: true });
  return copy;
}

/**
 * The package recipe once for both deploy paths, into `work`: the folder azd zips (the hook's
 * `--dir`) and the pipelines' artifact (`npm run package` in ci.yml and azure-pipelines/ci.yml),
 * from one staging.
 */
export function packageRecipe(work: string): { folder: string; zip: string } {
  const folder = join(work, 'azd-package');
  const zip = join(work, 'azimuth.zip');
  npmRunPackage(['--dir', folder, '--out', zip]);
  return { folder, zip };
}

interface AzureYaml {
  hooks?: { prepackage?: { posix?: { run?: string } } };
  services: Record<string, AzdService>;
}

export function azureYaml(text = readFileSync(join(repoRoot, 'azure.yaml'), 'utf8')): AzureYaml {
  return parseYaml(text) as AzureYaml;
}

/**
 * What azd packages for `service` is its `dist` folder, which only the prepackage hook fills:
 * it must do so with the package recipe (`npm run package -- --dir <that folder>`).
 */
export function hookProblems(config: AzureYaml, service: string): string[] {
  const svc = config.services[service];
  if (!svc) return [`azure.yaml has no service ${service}`];
  const hook = config.hooks?.prepackage?.posix?.run ?? '';
  const dirs = [...hook.matchAll(/npm run package -- --dir (\S+)/g)].map((match) => match[1] ?? '');
  return dirs.some((dir) => join(repoRoot, dir) === azdPackageRoot(repoRoot, svc))
    ? []
    : [
        `azure.yaml's prepackage hook does not write ${service}'s dist (${svc.dist ?? '.'}) with npm run package -- --dir`,
      ];
}

/** azd's zip of `folder` for `service`, by azd's rules (azd-zip-rules.ts). */
export function azdZip(config: AzureYaml, service: string, folder: string, work: string): string {
  const svc = config.services[service];
  if (!svc) throw new Error(`azure.yaml has no service ${service}`);
  const files = azdZipFiles(svc, folder);
  mkdirSync(work, { recursive: true });
  const list = join(work, `${service}-files.txt`);
  writeFileSync(list, `${files.join('\n')}\n`);
  const zip = join(work, `${service}-azd.zip`);
  rmSync(zip, { force: true });
  // Compression level 1: only the bytes on the wire differ from azd's, not what unpacks.
  execFileSync('sh', ['-c', `zip -q -1 -X "${zip}" -@ < "${list}"`], { cwd: folder });
  return zip;
}

/** The file list of a zip, sorted. */
export function zipListing(zip: string): string[] {
  return execFileSync('zipinfo', ['-1', zip], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 })
    .split('\n')
    .filter((line) => line !== '' && !line.endsWith('/'))
    .sort();
}

/**
 * Nothing outside the site can be loaded: no ancestor folder holds node_modules (Node's resolution
 * walks up), so a package missing from the zip cannot be found in the repository instead.
 */
export function isolationProblems(site: string): string[] {
  const problems: string[] = [];
  for (let dir = dirname(site); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'node_modules')))
      problems.push(`${dir}/node_modules is reachable from the site`);
    if (dir === parse(dir).root) break;
  }
  try {
    createRequire(join(site, 'package.json')).resolve('vitest');
    problems.push('a development package (vitest) resolves from the site');
  } catch {
    // Expected: development packages are neither in the zip nor above it.
  }
  return problems;
}

/** What package.json promises: each `bin` target is in the site and runs. */
export function promiseProblems(site: string): string[] {
  const manifest = JSON.parse(readFileSync(join(site, 'package.json'), 'utf8')) as {
    version: string;
    bin?: Record<string, string>;
  };
  const problems: string[] = [];
  for (const [name, target] of Object.entries(manifest.bin ?? {})) {
    if (!existsSync(join(site, target))) {
      problems.push(`bin ${name}: ${target} is not in the package`);
      continue;
    }
    try {
      const printed = execFileSync(process.execPath, [target, '--version'], {
        cwd: site,
        env: {},
        encoding: 'utf8',
      });
      if (printed.trim() !== manifest.version) problems.push(`bin ${name} printed ${printed.trim()}`);
    } catch (error) {
      problems.push(`bin ${name} failed: ${(error as Error).message.slice(0, 300)}`);
    }
  }
  return problems;
}

export interface RunningSite {
  url: string;
  output: string[];
  /** Null while it runs. */
  exitCode(): number | null;
  stop(): Promise<void>;
}

/** Starts `command` (Terraform's app_command_line) in the site with exactly `env`. */
export function startSite(
  site: string,
  command: string[],
  env: Record<string, string>,
  port: number,
): RunningSite {
  const [program, ...args] = command;
  if (program !== 'node') throw new Error(`the start command runs ${program ?? 'nothing'}, not node`);
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: site,
    env: { ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output: string[] = [];
  if (child.stdout) createInterface({ input: child.stdout }).on('line', (line) => output.push(line));
  if (child.stderr) createInterface({ input: child.stderr }).on('line', (line) => output.push(line));
  const exited = once(child, 'exit');
  return {
    url: `http://127.0.0.1:${port}`,
    output,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
    exitCode: () => child.exitCode,
  };
}

/** Polls `path` until it answers 200; throws with the site's output if it exits or times out. */
export async function waitForStatus200(site: RunningSite, path: string, timeoutMs = 90_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  for (;;) {
    const exitCode = site.exitCode();
    if (exitCode !== null)
      throw new Error(`exited with ${exitCode} before ${path} answered 200:\n${site.output.join('\n')}`);
    try {
      const response = await fetch(`${site.url}${path}`, { signal: AbortSignal.timeout(5000) });
      if (response.status === 200) return;
      last = `${response.status} ${(await response.text()).slice(0, 500)}`;
    } catch (error) {
      last = (error as Error).message;
    }
    if (Date.now() > deadline)
      throw new Error(
        `${path} did not answer 200 within ${timeoutMs} ms (last: ${last}):\n${site.output.join('\n')}`,
      );
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Runs a command of the deployed CLI in the site (migrate, token), as the pipelines do. */
export function siteCli(site: string, args: string[], env: Record<string, string>): string {
  return execFileSync(process.execPath, ['dist/roles/cli.js', ...args], { cwd: site, env, encoding: 'utf8' });
}

/** `npm run smoke` against `url`; resolves to its exit code and output lines. */
export async function smoke(url: string, token: string): Promise<{ code: number | null; lines: string[] }> {
  const child = spawn('npm', ['run', 'smoke', '--silent', '--', '--url', url, '--wait-seconds', '60'], {
    cwd: repoRoot,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', SMOKE_TOKEN: token },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  createInterface({ input: child.stdout }).on('line', (line) => lines.push(line));
  createInterface({ input: child.stderr }).on('line', (line) => lines.push(line));
  const [code] = (await once(child, 'exit')) as [number | null];
  return { code, lines };
}
