// `npx azimuth --version` through the package's bin, built or not (before a build it runs sources).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { spawnTs } from '../helpers/processes.js';

describe('azimuth --version', () => {
  it('prints the package version', async () => {
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    const run = spawnTs('bin/azimuth.js', ['--version']);
    expect((await run.exited).code).toBe(0);
    expect(run.stdout).toEqual([version]);
  });
});
