// Renders `config/.env.example` from the settings schema (roles/settings.ts passes the composed one), so the documented settings can never drift
// from the real ones (`azimuth config --example`; a test compares it with the committed file).
import { environmentDefaults } from './environment-defaults.js';
import type { TObject } from 'typebox';
import { isSecret, SettingsSchema } from './settings-schema.js';

interface Documented {
  description?: string;
  default?: unknown;
}

export function renderEnvExample(settingsSchema: TObject = SettingsSchema): string {
  const lines = [
    '# Azimuth settings. Sources, later wins: built-in defaults < config/.env.{ENVIRONMENT} < environment.',
    '# Copy to config/.env.development (or set them in App Service) and uncomment what you change.',
    '# Any value may be a Key Vault reference: @Microsoft.KeyVault(VaultName=…;SecretName=…).',
    '',
  ];
  for (const [name, schema] of Object.entries(settingsSchema.properties as Record<string, Documented>)) {
    const perEnvironment = Object.entries(environmentDefaults)
      .filter(([, values]) => values[name] !== undefined)
      .map(([environment, values]) => `${environment}: ${values[name] ?? ''}`);
    const notes = [
      isSecret(name, settingsSchema) ? 'secret' : undefined,
      perEnvironment.length > 0 ? `per environment: ${perEnvironment.join(', ')}` : undefined,
    ].filter(Boolean);
    lines.push(`# ${schema.description ?? name}${notes.length > 0 ? ` (${notes.join('; ')})` : ''}`);
    const value =
      schema.default === undefined
        ? ''
        : typeof schema.default === 'string'
          ? schema.default
          : JSON.stringify(schema.default);
    lines.push(`# ${name}=${value}`);
  }
  return `${lines.join('\n')}\n`;
}
