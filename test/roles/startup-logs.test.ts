// Start-up log lines, read from a real `azimuth all` process: no line names a key twice (pino
// writes a field again when a call repeats one of the logger's bindings, and JSON parsers keep
// only one of them, so the duplicate hides the other's value).
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { spawnTs } from '../helpers/processes.js';

/** The keys of a JSON object that occur more than once at the same level, at any depth. */
function duplicateKeys(json: string): string[] {
  const found: string[] = [];
  const levels: Array<Set<string> | null> = [];
  let expectKey = false;
  for (let i = 0; i < json.length; i++) {
    const c = json[i];
    if (c === '"') {
      let end = i + 1;
      while (json[end] !== '"') end += json[end] === '\\' ? 2 : 1;
      const text = json.slice(i + 1, end);
      const level = levels.at(-1);
      if (expectKey && level) {
        if (level.has(text)) found.push(text);
        level.add(text);
      }
      expectKey = false;
      i = end;
    } else if (c === '{') {
      levels.push(new Set());
      expectKey = true;
    } else if (c === '[') levels.push(null);
    else if (c === '}' || c === ']') levels.pop();
    else if (c === ',') expectKey = levels.at(-1) !== null;
  }
  return found;
}

describe('start-up log lines', { timeout: 120_000 }, () => {
  it('finds a repeated key (the checker works)', () => {
    expect(duplicateKeys('{"role":"all","a":{"b":1,"b":2},"c":["role"],"role":"all"}')).toEqual([
      'b',
      'role',
    ]);
  });

  it('when `azimuth all` starts, then no line repeats a key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'azimuth-logs-'));
    // An ffmpeg that only answers -version, so the probe's line is written on any machine.
    const ffmpeg = join(dir, 'ffmpeg.sh');
    writeFileSync(ffmpeg, '#!/bin/sh\necho "ffmpeg version 7.1-test Copyright"\n');
    chmodSync(ffmpeg, 0o755);
    const run = spawnTs('src/roles/cli.ts', ['all'], {
      ENVIRONMENT: 'test',
      PORT: '0',
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
      DATA_DIR: dir,
      FFMPEG_PATH: ffmpeg,
      // Seed settings Azimuth ignores on purpose: named once, with why, never their values.
      SUPABASE_SERVICE_ROLE_KEY: 'supabase-secret-value',
      LOG_FORMAT: '%(asctime)s',
    });
    try {
      await run.waitForLine(/ready on/);
      await run.waitForLine(/ffmpeg found/);
    } finally {
      run.child.kill('SIGTERM');
      await run.exited;
    }
    const lines = run.stdout.filter((line) => line.startsWith('{'));
    expect(lines.some((line) => line.includes('ready on'))).toBe(true);
    const ignored = lines.filter((line) => line.includes('ignores on purpose'));
    expect(ignored).toHaveLength(1);
    expect(JSON.parse(ignored[0] ?? '{}')).toMatchObject({ level: 'warn' });
    expect(ignored[0]).toMatch(
      /SUPABASE_SERVICE_ROLE_KEY \(seed 002: .*LOG_FORMAT \(seed 003: a Python logging/,
    );
    expect(run.stdout.join('\n')).not.toContain('supabase-secret-value');
    expect(
      lines.map((line) => ({ line, duplicates: duplicateKeys(line) })).filter((l) => l.duplicates.length > 0),
    ).toEqual([]);
  });
});
