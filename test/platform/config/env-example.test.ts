import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { renderEnvExample } from '../../../src/platform/config/env-example.js';
import { AzimuthSettingsSchema } from '../../../src/roles/settings.js';

describe('config/.env.example', () => {
  it('is what `azimuth config --example` prints (regenerate it when settings change)', async () => {
    expect(await readFile('config/.env.example', 'utf8')).toBe(renderEnvExample(AzimuthSettingsSchema));
  });

  it('documents every setting, and the README names every one', async () => {
    const example = renderEnvExample(AzimuthSettingsSchema);
    const readme = await readFile('README.md', 'utf8');
    for (const name of Object.keys(AzimuthSettingsSchema.properties)) {
      expect(example).toMatch(new RegExp(`^#? ?${name}=`, 'm'));
      expect(readme, `README lacks ${name}`).toContain(name);
    }
  });
});
