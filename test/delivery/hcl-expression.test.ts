import { describe, expect, it } from 'vitest';
import { evaluateHcl, type HclScope } from './hcl-expression.js';

const scope: HclScope = {
  reference(path) {
    const values: Record<string, unknown> = {
      'var.environment': 'prod',
      'var.origins': ['https://a.example'],
      'var.empty': '',
      'local.names': { db: 'azimuth-db', redis: 'azimuth-redis' },
      'azurerm_key_vault.main.vault_uri': 'https://kv.vault.azure.net/',
    };
    const key = path.join('.');
    if (!(key in values)) throw new Error(`no ${key}`);
    return values[key] as never;
  },
};

describe('HCL expressions as hcl2json leaves them', () => {
  it('a whole-string expression keeps its type; a template is text', () => {
    expect(evaluateHcl('${length(var.origins) > 0}', scope)).toBe(true);
    expect(evaluateHcl('app-${var.environment}-$${literal}', scope)).toBe('app-prod-${literal}');
  });

  it('merge, conditionals, comparisons and object literals, across lines and comments', () => {
    const source = `\${merge(
      { A = "1" },
      # a comment
      var.empty != "" ? { B = var.empty } : { C = jsonencode(var.origins) },
      var.environment == "dev" ? { D = "x" } : {},
    )}`;
    expect(evaluateHcl(source, scope)).toEqual({ A: '1', C: '["https://a.example"]' });
  });

  it('for-expressions, traversals and nested templates', () => {
    const source =
      '${{ for k, s in local.names : k => "@Microsoft.KeyVault(SecretUri=${azurerm_key_vault.main.vault_uri}secrets/${s}/)" }}';
    expect(evaluateHcl(source, scope)).toEqual({
      db: '@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/azimuth-db/)',
      redis: '@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/secrets/azimuth-redis/)',
    });
    expect(evaluateHcl('${{ dev = "development", prod = "production" }[var.environment]}', scope)).toBe(
      'production',
    );
  });

  it('an unknown function or reference throws rather than guessing', () => {
    expect(() => evaluateHcl('${timestamp()}', scope)).toThrow(/timestamp is not modelled/);
    expect(() => evaluateHcl('${azurerm_redis.main.hostname}', scope)).toThrow(
      /no azurerm_redis.main.hostname/,
    );
  });
});
