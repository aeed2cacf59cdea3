import { describe, expect, it } from 'vitest';
import {
  isKeyVaultReference,
  parseKeyVaultReference,
} from '../../../src/platform/config/key-vault-reference.js';

describe('Key Vault references', () => {
  it('recognises only the App Service syntax', () => {
    expect(isKeyVaultReference('@Microsoft.KeyVault(VaultName=kv;SecretName=s)')).toBe(true);
    expect(isKeyVaultReference('postgres://user@host/db')).toBe(false);
    expect(isKeyVaultReference('Microsoft.KeyVault(VaultName=kv;SecretName=s)')).toBe(false);
  });

  it('parses VaultName and SecretName, with and without a version', () => {
    expect(
      parseKeyVaultReference('@Microsoft.KeyVault(VaultName=icarus-kv;SecretName=database-url)'),
    ).toEqual({
      vaultUrl: 'https://icarus-kv.vault.azure.net',
      secretName: 'database-url',
    });
    expect(
      parseKeyVaultReference(
        '@Microsoft.KeyVault(VaultName=icarus-kv; SecretName=redis-url; SecretVersion=abc123)',
      ),
    ).toEqual({ vaultUrl: 'https://icarus-kv.vault.azure.net', secretName: 'redis-url', version: 'abc123' });
  });

  it('parses a SecretUri, with and without a version', () => {
    expect(
      parseKeyVaultReference('@Microsoft.KeyVault(SecretUri=https://kv1.vault.azure.net/secrets/db-url/)'),
    ).toEqual({ vaultUrl: 'https://kv1.vault.azure.net', secretName: 'db-url' });
    expect(
      parseKeyVaultReference('@Microsoft.KeyVault(SecretUri=https://kv1.vault.azure.net/secrets/db-url/v42)'),
    ).toEqual({ vaultUrl: 'https://kv1.vault.azure.net', secretName: 'db-url', version: 'v42' });
  });

  it.each([
    ['@Microsoft.KeyVault(VaultName=kv;SecretName=s', 'is not of the form'],
    ['@Microsoft.KeyVault(VaultName=kv-only)', 'needs SecretUri, or VaultName and SecretName'],
    ['@Microsoft.KeyVault(SecretName=alone)', 'needs SecretUri, or VaultName and SecretName'],
    ['@Microsoft.KeyVault(VaultName=kv;garbage;SecretName=s)', 'malformed member "garbage"'],
    ['@Microsoft.KeyVault(VaultName=-bad-;SecretName=s)', 'invalid VaultName'],
    ['@Microsoft.KeyVault(VaultName=good-kv;SecretName=bad_name)', 'invalid SecretName'],
    ['@Microsoft.KeyVault(SecretUri=not a url)', 'not a URL'],
    ['@Microsoft.KeyVault(SecretUri=http://kv.vault.azure.net/secrets/s)', 'https://{vault}/secrets'],
    ['@Microsoft.KeyVault(SecretUri=https://kv.vault.azure.net/keys/s)', 'https://{vault}/secrets'],
  ])('when the reference is %s, then it is refused with a reason', (reference, reason) => {
    expect(() => parseKeyVaultReference(reference)).toThrow(reason);
  });
});
