// `npm run smoke` against a local stack (`azimuth all`, embedded drivers, the LLM stand-in as
// Azure OpenAI): every feature's check passes, one line each, and nothing it created is left.
import { mkdtempSync, readdirSync } from 'node:fs';
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { startLlmStandIn, type LlmStandIn } from '../helpers/llm-stand-in.js';
import { freePort } from '../helpers/ports.js';
import { spawnTs, type Spawned } from '../helpers/processes.js';
import { settingsFor } from '../platform/llm/llm-fixtures.js';
import { smokeAnswerFor } from '../helpers/smoke-llm-answers.js';

const smoke = (url: string, env: Record<string, string> = {}) =>
  spawnTs('scripts/smoke-test.ts', ['--url', url, '--wait-seconds', '0', '--job-seconds', '90'], env);

const everyCheck = [
  'ok   GET /health',
  'ok   GET /health/ready',
  'ok   files: upload, read back, delete',
  'ok   files: signed link issued and followed',
  'ok   stars: user, star, read, delete',
  'ok   stars: SSE event received',
  'ok   recordings: upload, progress over /ws, finished',
  'ok   recordings: transcript',
  'ok   scans: photo to report, share link followed and revoked',
  'ok   clean-up: deleted what the checks created',
];

/** The blobs the disk store holds under DATA_DIR/blobs (its own dot-files aside), relative paths. */
const blobsIn = (dataDir: string) =>
  readdirSync(join(dataDir, 'blobs'), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && !entry.name.startsWith('.'))
    .map((entry) => relative(join(dataDir, 'blobs'), join(entry.parentPath, entry.name)));

async function startStack(
  env: Record<string, string>,
): Promise<{ app: Spawned; address: string; dataDir: string }> {
  const dataDir = mkdtempSync(join(tmpdir(), 'azimuth-smoke-'));
  // A known port: the disk driver's signed links point at it (BLOB_PUBLIC_BASE_URL's default).
  const port = await freePort();
  const app = spawnTs('src/roles/cli.ts', ['all'], {
    ENVIRONMENT: 'test',
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    DATA_DIR: dataDir,
    RECORDINGS_RETRY_DELAY_MS: '0',
    ...env,
  });
  const { address } = JSON.parse(await app.waitForLine(/ready on/, 120_000)) as { address: string };
  return { app, address, dataDir };
}

describe('the smoke test (npm run smoke)', { timeout: 300_000 }, () => {
  const apps: Spawned[] = [];
  let standIn: LlmStandIn | undefined;
  afterAll(async () => {
    for (const app of apps) app.child.kill('SIGTERM');
    await Promise.all(apps.map((app) => app.exited));
    await standIn?.close();
  });

  it('when every module works, then each check passes, one line each, and it cleans up', async () => {
    standIn = await startLlmStandIn();
    const llm = standIn;
    llm.answerFor = smokeAnswerFor;
    const { app, address } = await startStack({
      LLM_PROVIDER: 'azure_openai',
      ...settingsFor(llm, 'azure_openai'),
    });
    apps.push(app);
    // The URL from the environment, as a pipeline may pass it.
    const run = spawnTs('scripts/smoke-test.ts', ['--wait-seconds', '0', '--job-seconds', '90'], {
      SMOKE_URL: address,
    });
    const { code } = await run.exited;
    expect(run.stdout.filter((line) => /^(FAIL|skip)/.test(line))).toEqual([]);
    expect(run.stdout.filter((line) => /^(ok|FAIL|skip) /.test(line))).toEqual(everyCheck);
    expect(code).toBe(0);
    expect(llm.received('transcriptions').length).toBeGreaterThan(0);
    // Nothing it created is left: no files, users, stars, recordings or scans of its own.
    const files = await (await fetch(`${address}/api/files?prefix=smoke/`)).json();
    expect(files).toMatchObject({ items: [] });
    expect(await (await fetch(`${address}/api/recordings`)).json()).toMatchObject({ items: [] });
    expect(await (await fetch(`${address}/api/scans`)).json()).toMatchObject({ items: [] });
  });

  it('when no LLM provider is configured, then the transcript line says skipped: no provider', async () => {
    const { app, address, dataDir } = await startStack({});
    apps.push(app);
    const run = smoke(address);
    const { code } = await run.exited;
    expect(run.stdout).toContain('skip recordings: transcript: skipped: no provider');
    expect(run.stdout.filter((line) => line.startsWith('FAIL'))).toEqual([]);
    expect(code).toBe(0);
    expect(blobsIn(dataDir)).toEqual([]);
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

  it('when no URL is given, then it prints its usage and exits 2', async () => {
    const run = spawnTs('scripts/smoke-test.ts', []);
    expect((await run.exited).code).toBe(2);
    expect(run.stderr.join('\n')).toContain('usage: npm run smoke -- --url');
  });
});
