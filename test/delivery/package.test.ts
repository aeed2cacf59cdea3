import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../bench/support/processes.js';

async function waitForLiveness(url: string, exited: () => boolean): Promise<Response> {
  for (;;) {
    if (exited()) throw new Error('the packaged app exited before it answered');
    try {
      return await fetch(url);
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

describe('npm run package', { timeout: 600_000 }, () => {
  it('builds one zip that starts on its own with node, without npm, tsx or the sources', async () => {
    const work = mkdtempSync(join(tmpdir(), 'azimuth-package-'));
    const zip = join(work, 'azimuth.zip');
    execFileSync('npm', ['run', 'package', '--silent', '--', '--out', zip], { stdio: 'ignore' });
    const root = join(work, 'unpacked');
    execFileSync('unzip', ['-q', zip, '-d', root]);

    // The console's build goes in as web/dist when it has been built (npm run build does).
    const consoleBuild = existsSync('web/dist/index.html') ? ['web'] : [];
    expect(readdirSync(root).sort()).toEqual(['dist', 'node_modules', 'package.json', ...consoleBuild]);
    expect(existsSync(join(root, 'dist/roles/cli.js'))).toBe(true);
    expect(existsSync(join(root, 'dist/.tsbuildinfo'))).toBe(false);
    // Production dependencies only: runtime packages are there, tools are not.
    for (const runtime of ['fastify', 'pg', '@electric-sql/pglite']) {
      expect(existsSync(join(root, 'node_modules', runtime)), runtime).toBe(true);
    }
    for (const tool of ['typescript', 'vitest', 'tsx', 'eslint', 'azurite']) {
      expect(existsSync(join(root, 'node_modules', tool)), tool).toBe(false);
    }

    const port = await freePort();
    // No PATH: neither npm nor tsx can be what starts it.
    const child = spawn(process.execPath, ['dist/roles/cli.js', 'api'], {
      cwd: root,
      env: { ENVIRONMENT: 'test', PORT: String(port), HOST: '127.0.0.1', DATA_DIR: join(work, 'data') },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    createInterface({ input: child.stdout }).on('line', (line) => output.push(line));
    createInterface({ input: child.stderr }).on('line', (line) => output.push(line));
    const exit = once(child, 'exit');
    try {
      const response = await waitForLiveness(
        `http://127.0.0.1:${port}/health/liveness`,
        () => child.exitCode !== null,
      );
      expect(response.status, output.join('\n')).toBe(200);
    } finally {
      child.kill('SIGTERM');
      const [code] = (await exit) as [number | null];
      expect(code, output.join('\n')).toBe(0);
    }
  });
});
