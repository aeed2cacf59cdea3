// Resolves Key Vault references with the process's managed identity. The SDKs are imported only
// when a reference is present, so ordinary start-ups pay nothing for them.
import type { KeyVaultReference } from './key-vault-reference.js';

export type SecretResolver = (reference: KeyVaultReference) => Promise<string>;

export function createKeyVaultResolver(): SecretResolver {
  const clients = new Map<string, Promise<import('@azure/keyvault-secrets').SecretClient>>();

  const clientFor = (vaultUrl: string) => {
    let client = clients.get(vaultUrl);
    if (!client) {
      client = (async () => {
        const [{ SecretClient }, { DefaultAzureCredential }] = await Promise.all([
          import('@azure/keyvault-secrets'),
          import('@azure/identity'),
        ]);
        return new SecretClient(vaultUrl, new DefaultAzureCredential());
      })();
      clients.set(vaultUrl, client);
    }
    return client;
  };

  return async (reference) => {
    const client = await clientFor(reference.vaultUrl);
    const secret = await client.getSecret(
      reference.secretName,
      reference.version ? { version: reference.version } : {},
    );
    if (secret.value === undefined) throw new Error('the secret has no value');
    return secret.value;
  };
}
