// vitest globalSetup: gives the run a fresh directory for the lines test loggers write, and at the
// end fails the run when any of them holds a known secret or an unredacted credential.
import { mkdir, readFile, readdir, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { collectedLogsVariable } from './helpers/collected-logs.js';
import { knownSecrets } from './helpers/known-secrets.js';
import { findSecretLeaks, type SecretLeak } from './helpers/secret-scan.js';

const runDirectory = resolve('reports/test-logs');

/** Throws, naming file and line of each (up to 20), when a log file in `dir` holds a secret. */
export async function scanLogDirectory(dir: string, secrets: readonly string[]): Promise<void> {
  const leaks: SecretLeak[] = [];
  for (const file of await readdir(dir))
    leaks.push(...findSecretLeaks(await readFile(join(dir, file), 'utf8'), { source: file, secrets }));
  if (leaks.length > 0)
    throw new Error(
      `${leaks.length} secret(s) reached the test logs in ${dir}:\n${leaks
        .slice(0, 20)
        .map((leak) => `  ${leak.source}:${leak.line} ${leak.found}`)
        .join('\n')}`,
    );
}

export async function setup(): Promise<void> {
  await rm(runDirectory, { recursive: true, force: true });
  await mkdir(runDirectory, { recursive: true });
  process.env[collectedLogsVariable] = runDirectory;
}

export async function teardown(): Promise<void> {
  try {
    await scanLogDirectory(runDirectory, knownSecrets);
  } catch (error) {
    // vitest reports a teardown error but still exits 0; the exit code is what fails CI.
    process.exitCode = 1;
    throw error;
  }
}
