import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { spawnTs } from '../helpers/processes.js';

const cli = 'src/roles/cli.ts';
const secret = 'cli-test-secret-that-is-long-enough-123';
const dataDir = () => mkdtempSync(join(tmpdir(), 'azimuth-cli-'));

describe('the azimuth CLI', () => {
  it('when a setting is bad, then start-up stops with one message per problem and no stack trace', async () => {
    const run = spawnTs(cli, ['api'], { ENVIRONMENT: 'production', PORT: 'http', AUTH_MODE: 'none' });
    const { code } = await run.exited;
    expect(code).toBe(2);
    const stderr = run.stderr.join('\n');
    expect(stderr).toContain('Invalid configuration');
    expect(stderr).toContain('PORT: must be an integer (got "http")');
    expect(stderr).not.toMatch(/\n\s+at /);
    expect(run.stdout).toEqual([]);
  });

  it.each<[string, Record<string, string>, string]>([
    [
      'STARS_STORE=tables has no storage account',
      { STARS_STORE: 'tables' },
      'STARS_STORE=tables: needs an Azure Storage account',
    ],
    [
      'two storage credentials contradict',
      {
        AZURE_STORAGE_CONNECTION_STRING: 'UseDevelopmentStorage=true',
        AZURE_STORAGE_USE_MANAGED_IDENTITY: 'true',
      },
      'AZURE_STORAGE_USE_MANAGED_IDENTITY: contradicts AZURE_STORAGE_CONNECTION_STRING',
    ],
  ])('when %s, then start-up exits 2 with one line naming the settings', async (_case, env, line) => {
    const run = spawnTs(cli, ['api'], { ENVIRONMENT: 'development', DATA_DIR: dataDir(), ...env });
    expect((await run.exited).code).toBe(2);
    const problems = run.stderr.filter((l) => l.startsWith('  - '));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(line);
    expect(run.stderr.join('\n')).not.toMatch(/\n\s+at /);
  });

  it('prints the effective settings with secrets redacted', async () => {
    const run = spawnTs(cli, ['config'], {
      ENVIRONMENT: 'test',
      DATABASE_URL: 'postgres://app:hunter2@db/app',
      AUTH_JWT_SECRET: secret,
      PORT: '9999',
    });
    expect((await run.exited).code).toBe(0);
    const out = run.stdout.join('\n');
    expect(out).toContain('PORT=9999');
    expect(out).toContain('DATABASE_URL=[REDACTED]');
    expect(out).toContain('AUTH_JWT_SECRET=[REDACTED]');
    expect(out).not.toContain('hunter2');
    expect(out).not.toContain(secret);
  });

  it('names the seed settings it ignores on purpose, with why, never their values', async () => {
    const env = {
      ENVIRONMENT: 'test',
      SUPABASE_URL: 'https://x.supabase.co',
      SAILPOINT_CLIENT_SECRET: 'sp-secret',
    };
    const run = spawnTs(cli, ['config'], env);
    expect((await run.exited).code).toBe(0);
    expect(run.stdout.filter((line) => line.startsWith('# ignored: '))).toEqual([
      expect.stringMatching(/^# ignored: SUPABASE_URL \(seed 002\): recordings live in PostgreSQL/),
      expect.stringMatching(/^# ignored: SAILPOINT_CLIENT_SECRET \(seed 004\): /),
    ]);
    const json = spawnTs(cli, ['config', '--json'], env);
    expect((await json.exited).code).toBe(0);
    expect(() => JSON.parse(json.stdout.join('\n')) as unknown).not.toThrow();
    expect(json.stderr.filter((line) => line.startsWith('# ignored: '))).toHaveLength(2);
    expect([...run.stdout, ...json.stdout, ...json.stderr].join('\n')).not.toContain('sp-secret');
  });

  it('mints a token the API accepts', async () => {
    const run = spawnTs(cli, ['token', '--sub', 'ops-1', '--role', 'admin'], {
      ENVIRONMENT: 'test',
      AUTH_JWT_SECRET: secret,
    });
    expect((await run.exited).code).toBe(0);
    const { payload } = await jwtVerify(run.stdout[0] ?? '', new TextEncoder().encode(secret));
    expect(payload).toMatchObject({ sub: 'ops-1', roles: ['admin'] });

    const tooLong = spawnTs(cli, ['token', '--sub', 'ops-1', '--expires', '7d'], {
      ENVIRONMENT: 'test',
      AUTH_JWT_SECRET: secret,
    });
    expect((await tooLong.exited).code).toBe(2);
    expect(tooLong.stderr.join('\n')).toContain('at most 24 h');
  });

  it('documents every subcommand in --help', async () => {
    const run = spawnTs(cli, ['--help']);
    await run.exited;
    const help = run.stdout.join('\n');
    for (const command of ['api', 'worker', 'all', 'migrate', 'config', 'token'])
      expect(help).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
  });
});

describe('graceful shutdown', { timeout: 120_000 }, () => {
  it('on SIGTERM: new connections are refused, the in-flight request finishes, exit 0', async () => {
    const server = spawnTs('test/fixtures/slow-server.ts', [], {
      ENVIRONMENT: 'test',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      DATA_DIR: dataDir(),
    });
    const ready = JSON.parse(await server.waitForLine(/ready on/)) as { address: string };
    const base = ready.address;

    const slow = fetch(`${base}/slow?ms=1500`).then(async (r) => ({
      status: r.status,
      body: await r.json(),
    }));
    await new Promise((resolve) => setTimeout(resolve, 200));
    server.child.kill('SIGTERM');
    await server.waitForLine(/shutting down/);

    await expect(fetch(`${base}/health/liveness`)).rejects.toThrow();
    expect(await slow).toEqual({ status: 200, body: { done: true } });
    expect(await server.exited).toEqual({ code: 0, signal: null });
    expect(server.stdout.some((line) => line.includes('shutdown complete'))).toBe(true);
  });

  it('cuts requests still running when SHUTDOWN_TIMEOUT_MS passes', async () => {
    const server = spawnTs('test/fixtures/slow-server.ts', [], {
      ENVIRONMENT: 'test',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      SHUTDOWN_TIMEOUT_MS: '300',
      DATA_DIR: dataDir(),
    });
    const { address } = JSON.parse(await server.waitForLine(/ready on/)) as { address: string };
    const stuck = fetch(`${address}/slow?ms=60000`).then(
      () => 'answered',
      () => 'cut',
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    server.child.kill('SIGTERM');
    expect(await stuck).toBe('cut');
    expect((await server.exited).code).toBe(0);
    expect(server.stdout.some((line) => line.includes('shutdown timeout reached'))).toBe(true);
  });
});
