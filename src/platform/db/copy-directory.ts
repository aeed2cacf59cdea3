// Copies a directory of plain files and folders, as a new embedded database is seeded from the
// PGlite template. fs.cp stats every file several times (source, destination, modes): on the
// template's ~1,000 files it took twice the CPU time of this walk (bench `foundation`).
import { chmod, copyFile, mkdir, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** Copies `from` to `to` (which must not exist), keeping modes; `skip` names files to leave out. */
export async function copyDirectory(
  from: string,
  to: string,
  skip: (name: string) => boolean,
): Promise<void> {
  await mkdir(to);
  await chmod(to, (await stat(from)).mode & 0o7777);
  const entries = await readdir(from, { withFileTypes: true });
  await Promise.all(
    entries.map(async (entry) => {
      if (entry.isDirectory()) await copyDirectory(join(from, entry.name), join(to, entry.name), skip);
      else if (entry.isFile()) {
        // copyFile gives the copy the source file's mode.
        if (!skip(entry.name)) await copyFile(join(from, entry.name), join(to, entry.name));
      } else throw new Error(`copyDirectory: ${join(from, entry.name)} is neither a file nor a folder`);
    }),
  );
}
