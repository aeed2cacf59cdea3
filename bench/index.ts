// `npm run bench [name…]`: runs every bench/*.bench.ts (or those whose file name contains a
// given name) in turn. Each prints its own figures as ratios against a baseline it measures
// in the same run, because absolute numbers on a shared 2-core machine mean little.
import { readdir } from 'node:fs/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { join } from 'node:path';

const dir = fileURLToPath(new URL('.', import.meta.url));
const filters = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const files = (await readdir(dir))
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => filters.length === 0 || filters.some((name) => f.includes(name)))
  .sort();

for (const file of files) {
  console.log(`\n### ${file.replace('.bench.ts', '')}`);
  const bench = (await import(pathToFileURL(join(dir, file)).href)) as {
    run: (args: string[]) => Promise<void>;
  };
  await bench.run(process.argv.slice(2));
}
