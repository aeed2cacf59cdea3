// Settings for tests: the real loader (every module's settings included) with ENVIRONMENT=test,
// no env file, and overrides.
import { loadAzimuthSettings, type AzimuthSettings } from '../../src/roles/settings.js';

export type Settings = AzimuthSettings;

export function testSettings(overrides: Record<string, string> = {}): Promise<AzimuthSettings> {
  return loadAzimuthSettings({ env: { ENVIRONMENT: 'test', ...overrides }, configDir: '/nonexistent' });
}
