import { mkdtempSync } from 'node:fs';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnTs, type Spawned } from '../helpers/processes.js';

const smoke = (url: string) => spawnTs('scripts/smoke-test.ts', ['--url', url, '--wait-seconds', '0']);

describe('the smoke test (npm run smoke)', { timeout: 120_000 }, () => {
  let app: Spawned | undefined;
  afterAll(async () => {
    app?.child.kill('SIGTERM');
    await app?.exited;
  });

  it('when every module works, then each check passes and it exits 0', async () => {
    app = spawnTs('src/roles/cli.ts', ['all'], {
      ENVIRONMENT: 'test',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'azimuth-smoke-')),
    });
    const { address } = JSON.parse(await app.waitForLine(/ready on/)) as { address: string };
    const run = smoke(address);
    const { code } = await run.exited;
    expect(run.stdout.filter((line) => line.startsWith('FAIL'))).toEqual([]);
    expect(run.stdout.filter((line) => line.startsWith('ok '))).toEqual([
      'ok   GET /health',
      'ok   GET /health/ready',
      'ok   files: upload, read back, delete',
      'ok   stars: user, star, read, delete',
      'ok   recordings: upload, read status, delete',
    ]);
    expect(code).toBe(0);
  });

  it('when the instance is not ready, then the smoke test fails, so the pipeline never swaps it in', async () => {
    const server = createServer((request, response) => {
      response.statusCode = request.url === '/health' ? 200 : 503;
      response.end('{}');
    }).listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const run = smoke(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
      expect((await run.exited).code).toBe(1);
      expect(run.stdout).toContain('ok   GET /health');
      expect(run.stdout.join('\n')).toMatch(/^FAIL GET \/health\/ready: .*expected 200, got 503/m);
    } finally {
      server.close();
    }
  });
});
