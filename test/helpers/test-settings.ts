// Settings for tests: the real loader with ENVIRONMENT=test, no env file, and overrides.
import { loadSettings } from '../../src/platform/config/load-settings.js';
import type { Settings } from '../../src/platform/config/settings-schema.js';

export function testSettings(overrides: Record<string, string> = {}): Promise<Settings> {
  return loadSettings({ env: { ENVIRONMENT: 'test', ...overrides }, configDir: '/nonexistent' });
}
