// The end-of-run scan (test/log-secrets-setup.ts) fails when a log line holds a secret, and only then.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createLogger } from '../../../src/platform/telemetry/logger.js';
import { collectLogLines, collectedLogsVariable } from '../../helpers/collected-logs.js';
import { knownSecrets, testJwtSecret } from '../../helpers/known-secrets.js';
import { devAccount } from '../../helpers/azurite.js';
import { findSecretLeaks } from '../../helpers/secret-scan.js';
import { scanLogDirectory } from '../../log-secrets-setup.js';

describe('findSecretLeaks', () => {
  const scan = (text: string) => findSecretLeaks(text, { source: 'f', secrets: knownSecrets });

  it('finds a known secret value, plain or URL-encoded, with its line', () => {
    expect(scan(`{"msg":"ok"}\n{"msg":"signing with ${testJwtSecret}"}`)).toEqual([
      { source: 'f', line: 2, found: 'test…' },
    ]);
    expect(scan(`{"url":"/x?key=${encodeURIComponent(devAccount.key)}"}`)).toHaveLength(1);
  });

  it('finds a credential shape that was not redacted', () => {
    for (const line of [
      '{"url":"/x?access_token=abc"}',
      '{"msg":"postgres://app:pw@db/app"}',
      '{"msg":"Authorization: Basic dXNlcjpwdw=="}',
      '{"url":"https://a.blob.core.windows.net/c/b?sv=1&sig=xyz"}',
    ])
      expect(scan(line), line).toEqual([expect.objectContaining({ found: 'unredacted credential' })]);
  });

  it('passes redacted lines and ordinary text', () => {
    expect(scan('{"url":"/x?access_token=[REDACTED]&sig=[REDACTED]","msg":"Bearer [REDACTED]"}')).toEqual([]);
    expect(scan('{"msg":"request completed","url":"/stars?limit=5"}')).toEqual([]);
  });
});

describe('the end-of-run scan', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'azimuth-log-scan-'));
    vi.stubEnv(collectedLogsVariable, dir);
  });
  afterEach(async () => {
    vi.unstubAllEnvs();
    await rm(dir, { recursive: true, force: true });
  });

  const logger = () => createLogger({ level: 'info', destination: { write: collectLogLines } });

  it('when a collected line holds a known secret, then it fails the run naming the line', async () => {
    logger().info({ url: '/x?access_token=abc' }, 'clean: redacted by the logger');
    // No credential shape around it, so no redaction catches it: only the scan can.
    logger().info({ detail: { secret: testJwtSecret } }, 'leaky');
    await expect(scanLogDirectory(dir, knownSecrets)).rejects.toThrow(
      new RegExp(`1 secret\\(s\\) reached the test logs[\\s\\S]*${process.pid}\\.log:2 test…`),
    );
  });

  it('when the collected lines are clean, then it passes', async () => {
    logger().info({ url: '/x?access_token=abc&sig=def' }, 'request completed');
    await expect(scanLogDirectory(dir, knownSecrets)).resolves.toBeUndefined();
  });
});
