// The README's console tour and docs/screenshots/ agree: every screenshot a journey saves is shown,
// and every image the tour shows is there (regenerate them with UPDATE_SCREENSHOTS=1).
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';

describe('the README tour', () => {
  it('shows every screenshot in docs/screenshots/, and only those', async () => {
    const readme = await readFile('README.md', 'utf8');
    const shown = [...readme.matchAll(/\(docs\/screenshots\/([\w-]+\.png)\)/g)].map((m) => m[1]);
    const saved = (await readdir('docs/screenshots')).filter((name) => name.endsWith('.png'));
    expect([...new Set(shown)].sort()).toEqual(saved.sort());
  });

  it('names a screenshot for every journey that saves one', async () => {
    const tests = await Promise.all(
      ['test/console/console.test.ts', 'test/console/console-sign-in.test.ts'].map((f) =>
        readFile(f, 'utf8'),
      ),
    );
    const names = tests.flatMap((text) => [...text.matchAll(/shoot\(\w+, '([\w-]+)'\)/g)].map((m) => m[1]));
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect(existsSync(`docs/screenshots/${name}.png`), `${name}.png`).toBe(true);
  });
});
