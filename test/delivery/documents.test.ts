// Documents that restate what the code decides are checked against the code: the Redis key
// prefixes table in README.md, the setting names the troubleshooting guide tells operators to
// look for, and the statements issue 21 found untrue (each must stay gone).
import { describe, expect, it } from 'vitest';
import { redisKeyPrefixes } from '../../src/platform/redis/redis-key-prefixes.js';
import { AzimuthSettingsSchema } from '../../src/roles/settings.js';
import { readText } from './pipeline-files.js';

const readme = readText('README.md');
const infrastructure = readText('infrastructure/README.md');

/** The section of a Markdown document under `heading` (up to the next heading of that level). */
const section = (text: string, heading: string): string => {
  const start = text.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`no section ${heading}`);
  const level = /^#+/.exec(heading)?.[0] ?? '##';
  const end = text.indexOf(`\n${level} `, start + heading.length + 1);
  return text.slice(start, end < 0 ? undefined : end);
};

/** The Redis prefixes README.md names, in the order it names them. */
const prefixesIn = (text: string) =>
  [
    ...(/Every Redis purpose has its own key prefix \(([^)]*)\)/.exec(text)?.[1] ?? '').matchAll(
      /`([^`]+)`/g,
    ),
  ].map((m) => m[1]);

/** Setting-like names (UPPER_SNAKE) the troubleshooting guide tells operators to look at. */
const settingsIn = (text: string) => [
  ...new Set([...text.matchAll(/`([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)(?:=\w+)?`/g)].map((m) => m[1] ?? '')),
];

/** Names that are App Service's or Terraform's, not Azimuth settings. */
const platformNames = new Set([
  'APPLICATIONINSIGHTS_CONNECTION_STRING',
  'AZURE_RESOURCE_GROUP',
  'SERVICE_API_NAME',
  'SERVICE_WORKER_NAME',
]);

describe('documents agree with the code', () => {
  it("README.md's Redis key prefixes are the code's, every one of them", () => {
    const expected = Object.values(redisKeyPrefixes).map((p) => (p.endsWith(':') ? p : `${p}:`));
    expect(prefixesIn(readme)).toEqual(expected);
  });

  it('every setting the troubleshooting guide names is one Azimuth reads', () => {
    const named = settingsIn(section(infrastructure, '## Troubleshooting'));
    expect(named.length).toBeGreaterThan(3);
    const known = Object.keys(AzimuthSettingsSchema.properties);
    for (const name of named.filter((n) => !platformNames.has(n))) expect(known, name).toContain(name);
  });

  it('the troubleshooting guide covers each failure issue 21 lists, with az commands, and README links it', () => {
    const guide = section(infrastructure, '## Troubleshooting');
    for (const failure of [
      'Redis unreachable',
      'Application Insights not reporting',
      'PgBouncer',
      'Key Vault reference',
      'swap stuck',
      'compress',
      'transcribe',
    ])
      expect(guide).toContain(failure);
    for (const command of [
      'az webapp log tail',
      'az webapp config appsettings list',
      'az webapp config access-restriction show',
    ])
      expect(guide).toContain(command);
    expect(readme).toContain('(infrastructure/README.md#troubleshooting)');
  });

  it('the statements found untrue stay gone', () => {
    expect(infrastructure).not.toMatch(/tells purposes apart by prefix is a separate issue/);
    expect(infrastructure).not.toMatch(/do not reach Azure Monitor/);
    expect(infrastructure).not.toMatch(
      /recordings are stored uncompressed and\s+`\/health` reports compression as degraded until/,
    );
    expect(infrastructure).toContain('@ffmpeg/core');
  });
});

describe('the document checks can fail', () => {
  it('a prefix renamed in the README is caught', () => {
    const changed = readme.replace('`azimuth:quota:`', '`azimuth:quotas:`');
    expect(changed).not.toBe(readme);
    const expected = Object.values(redisKeyPrefixes).map((p) => (p.endsWith(':') ? p : `${p}:`));
    expect(prefixesIn(changed)).not.toEqual(expected);
  });

  it('a setting name that does not exist is caught', () => {
    const known = Object.keys(AzimuthSettingsSchema.properties);
    const changed = section(infrastructure, '## Troubleshooting').replace('`FFMPEG_PATH`', '`FFMPEG_BINARY`');
    expect(settingsIn(changed).filter((n) => !platformNames.has(n) && !known.includes(n))).toEqual([
      'FFMPEG_BINARY',
    ]);
  });
});
