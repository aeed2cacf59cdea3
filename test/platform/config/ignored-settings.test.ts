import { describe, expect, it } from 'vitest';
import {
  ignoredSettings,
  ignoredSettingsIn,
  ignoredSettingsNotice,
} from '../../../src/platform/config/ignored-settings.js';
import { settingAliases } from '../../../src/platform/config/setting-aliases.js';
import { AzimuthSettingsSchema } from '../../../src/roles/settings.js';

describe('ignored seed settings', () => {
  it('lists only names Azimuth neither reads nor aliases, each with a reason', () => {
    const read = new Set([
      ...Object.keys(AzimuthSettingsSchema.properties),
      ...settingAliases.map((a) => a.alias),
    ]);
    for (const { name, origin, why } of ignoredSettings) {
      expect(read.has(name), `${name} is read by Azimuth`).toBe(false);
      expect(origin).toMatch(/^seed 00\d$/);
      expect(why.length).toBeGreaterThan(10);
    }
    expect(ignoredSettings.map((s) => s.name)).toEqual(
      expect.arrayContaining(['SUPABASE_URL', 'LOG_FORMAT']),
    );
  });

  it('when some are set, then one line names those, in table order; blank ones do not count', () => {
    const env = {
      LOG_FORMAT: '%(message)s',
      SUPABASE_URL: 'https://x.supabase.co',
      S3_BUCKET: ' ',
      PORT: '1',
    };
    expect(ignoredSettingsIn(env).map((s) => s.name)).toEqual(['SUPABASE_URL', 'LOG_FORMAT']);
    expect(ignoredSettingsNotice(env)).toMatch(
      /^seed settings Azimuth ignores on purpose are set: SUPABASE_URL \(seed 002: .*\); LOG_FORMAT \(seed 003: .*\)$/,
    );
    expect(ignoredSettingsNotice(env)).not.toContain('x.supabase.co');
    expect(ignoredSettingsNotice({ PORT: '1' })).toBeUndefined();
  });
});
