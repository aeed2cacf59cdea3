// A freshly initialised PGlite data directory, made once by the build, that a new data directory
// starts as a copy of: PGlite's own initdb (a second WebAssembly instance, ~9 s of CPU and
// ~400 MB of peak memory) and the migrations known at build time (~1.5 s, mostly compiling the
// WebAssembly they are the first to run) then run at build time instead of at every first start.
// Start-up still migrates: whatever was added since the build is applied as usual.
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kysely } from 'kysely';
import { PGliteDialect } from 'kysely-pglite-dialect';
import { copyDirectory } from './copy-directory.js';
import { migrateUp, type MigrationRecord } from './migrator.js';

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

interface Stamp {
  pglite: string;
  /** Migrations applied in the template: name → fingerprint of its code. */
  migrations: Record<string, string>;
}

/**
 * A migration's code, hashed: a migration edited in place (during development, before it ships)
 * keeps its name, and a template that ran the old code must not pass for the new.
 */
function fingerprint(migration: MigrationRecord[string] | undefined): string | undefined {
  if (migration === undefined) return undefined;
  const code = `${migration.up.toString()}\n${migration.down?.toString() ?? ''}`;
  return createHash('sha256').update(code).digest('hex').slice(0, 16);
}

function fingerprints(migrations: MigrationRecord, names = Object.keys(migrations)): Record<string, string> {
  return Object.fromEntries(names.sort().map((name) => [name, fingerprint(migrations[name]) ?? '']));
}

async function readStamp(templateDir: string): Promise<Stamp | undefined> {
  try {
    const stamp = JSON.parse(await readFile(join(templateDir, stampFile), 'utf8')) as {
      pglite?: unknown;
      migrations?: unknown;
    };
    if (typeof stamp.pglite !== 'string' || typeof stamp.migrations !== 'object' || stamp.migrations === null)
      return undefined;
    if (!(await exists(join(templateDir, 'PG_VERSION')))) return undefined;
    return { pglite: stamp.pglite, migrations: stamp.migrations as Record<string, string> };
  } catch {
    return undefined;
  }
}

export interface TemplateCheck {
  /** The migrations this code knows: a template that applied any other, or other code, is not used. */
  migrations?: MigrationRecord;
  version?: string;
}

/**
 * Whether `templateDir` holds a complete template made by this PGlite version whose applied
 * migrations this code all knows, with the same code (Kysely refuses a database that ran a
 * migration it lacks, and one that ran other code under the same name would be silently wrong).
 */
export async function isUsableTemplate(templateDir: string, check: TemplateCheck = {}): Promise<boolean> {
  const stamp = await readStamp(templateDir);
  const known = check.migrations ?? {};
  return (
    stamp !== undefined &&
    stamp.pglite === (check.version ?? pgliteVersion()) &&
    Object.entries(stamp.migrations).every(
      ([name, hash]) => Object.hasOwn(known, name) && fingerprint(known[name]) === hash,
    )
  );
}

/**
 * Makes `dataDir` a copy of the template when it holds no database yet. Copied beside it and
 * renamed, so an interrupted copy never leaves a half database that PGlite would try to resume.
 * Returns whether it seeded; without a usable template PGlite runs initdb itself, as before.
 */
export async function seedFromTemplate(
  dataDir: string,
  templateDir = defaultTemplateDir,
  migrations: MigrationRecord = {},
): Promise<boolean> {
  if (await exists(join(dataDir, 'PG_VERSION'))) return false;
  if (!(await isUsableTemplate(templateDir, { migrations }))) return false;
  // An empty directory (made by a start that failed before initdb) is replaced; rmdir refuses a
  // non-empty one, so nothing that might be data is ever removed.
  if (await exists(dataDir)) await rmdir(dataDir);
  const partial = `${dataDir}.seeding-${process.pid}`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(dirname(dataDir), { recursive: true });
  await copyDirectory(templateDir, partial, (name) => name === stampFile);
  await rename(partial, dataDir);
  return true;
}

/**
 * Initialises a data directory with PGlite at `templateDir` and applies `migrations` to it (the
 * build step). Kept when one with the same PGlite version and migrations (names and code) is already
 * there.
 */
export async function makePgliteTemplate(
  templateDir = defaultTemplateDir,
  migrations: MigrationRecord = {},
): Promise<void> {
  const version = pgliteVersion();
  const wanted = JSON.stringify(fingerprints(migrations));
  const current = await readStamp(templateDir);
  if (current?.pglite === version && JSON.stringify(current.migrations) === wanted) return;
  const { PGlite } = await import('@electric-sql/pglite');
  const partial = `${templateDir}.making-${process.pid}`;
  await rm(partial, { recursive: true, force: true });
  await mkdir(partial, { recursive: true });
  // Exactly what PGlite's first start does (initdb, default user and database), the migrations
  // start-up would apply, then a clean shutdown, which checkpoints: the copy is a consistent,
  // resumable cluster.
  const pglite = await PGlite.create(partial);
  const db = new Kysely<unknown>({ dialect: new PGliteDialect(pglite) });
  const applied = await migrateUp({ db, migrations });
  await db.destroy();
  if (!pglite.closed) await pglite.close();
  const stamp: Stamp = { pglite: version, migrations: fingerprints(migrations, applied) };
  await writeFile(join(partial, stampFile), `${JSON.stringify(stamp)}\n`);
  await rm(templateDir, { recursive: true, force: true });
  await rename(partial, templateDir);
}
