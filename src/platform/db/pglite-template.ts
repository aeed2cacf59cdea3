// A freshly initialised PGlite data directory, made once by the build, that a new data directory
// starts as a copy of: PGlite's own initdb (a second WebAssembly instance, ~9 s of CPU and
// ~400 MB of peak memory) then runs at build time instead of at every first start.
import { cp, mkdir, readFile, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** `dist/pglite-template` at the repository root: three levels up from src/ and dist/ alike. */
export const defaultTemplateDir = fileURLToPath(new URL('../../../dist/pglite-template', import.meta.url));

/** Written last: a template without it (an interrupted build) is never used. */
const stampFile = 'azimuth-template.json';

/** The installed PGlite's version: a template made by another version is ignored. */
export function pgliteVersion(): string {
  const require = createRequire(import.meta.url);
  const entry = require.resolve('@electric-sql/pglite');
  // `exports` does not list package.json; it sits one level above the entry's dist/ folder.
  const manifest = require(join(dirname(entry), '..', 'package.json')) as { version: string };
  return manifest.version;
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(
    () => true,
    () => false,
  );
}

/** Whether `templateDir` holds a complete template made by this PGlite version. */
export async function isUsableTemplate(templateDir: string, version = pgliteVersion()): Promise<boolean> {
  try {
    const stamp = JSON.parse(await readFile(join(templateDir, stampFile), 'utf8')) as { pglite?: string };
    return stamp.pglite === version && (await exists(join(templateDir, 'PG_VERSION')));
  } catch {
    return false;
  }
}

/**
 * Makes `dataDir` a copy of the template when it holds no database yet. Copied beside it and
 * renamed, so an interrupted copy never leaves a half database that PGlite would try to resume.
 * Returns whether it seeded; without a usable template PGlite runs initdb itself, as before.
 */
export async function seedFromTemplate(dataDir: string, templateDir = defaultTemplateDir): Promise<boolean> {
  if (await exists(join(dataDir, 'PG_VERSION'))) return false;
  if (!(await isUsableTemplate(templateDir))) return false;
  // An empty directory (made by a start that failed before initdb) is replaced; rmdir refuses a
  // non-empty one, so nothing that might be data is ever removed.
  if (await exists(dataDir)) await rmdir(dataDir);
  const partial = `${dataDir}.seeding-${process.pid}`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(dirname(dataDir), { recursive: true });
  await cp(templateDir, partial, { recursive: true, filter: (source) => !source.endsWith(stampFile) });
  await rename(partial, dataDir);
  return true;
}

/** Initialises a data directory with PGlite at `templateDir` (the build step). */
export async function makePgliteTemplate(templateDir = defaultTemplateDir): Promise<void> {
  const version = pgliteVersion();
  if (await isUsableTemplate(templateDir, version)) return;
  const { PGlite } = await import('@electric-sql/pglite');
  const partial = `${templateDir}.making-${process.pid}`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial, { recursive: true });
  // Exactly what PGlite's first start does (initdb, default user and database), then a clean
  // shutdown, which checkpoints: the copy is a consistent, resumable cluster.
  const pglite = await PGlite.create(partial);
  await pglite.close();
  await writeFile(join(partial, stampFile), `${JSON.stringify({ pglite: version })}\n`);
  await rm(templateDir, { recursive: true, force: true });
  await rename(partial, templateDir);
}
