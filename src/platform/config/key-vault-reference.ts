// Parses App Service Key Vault references. App Service resolves them before the process starts;
// when it cannot (identity, network, typo), the literal string reaches us and must never be used.

export interface KeyVaultReference {
  vaultUrl: string;
  secretName: string;
  version?: string;
}

const prefix = '@Microsoft.KeyVault(';

export function isKeyVaultReference(value: string): boolean {
  return value.trimStart().startsWith(prefix);
}

/** Parses `@Microsoft.KeyVault(VaultName=…;SecretName=…[;SecretVersion=…])` or `(SecretUri=…)`. */
export function parseKeyVaultReference(value: string): KeyVaultReference {
  const text = value.trim();
  if (!text.startsWith(prefix) || !text.endsWith(')')) {
    throw new Error('is not of the form @Microsoft.KeyVault(...)');
  }
  const fields = new Map<string, string>();
  for (const part of text.slice(prefix.length, -1).split(';')) {
    if (part.trim() === '') continue;
    const eq = part.indexOf('=');
    if (eq <= 0) throw new Error(`has a malformed member "${part.trim()}"`);
    fields.set(part.slice(0, eq).trim().toLowerCase(), part.slice(eq + 1).trim());
  }

  const secretUri = fields.get('secreturi');
  if (secretUri !== undefined) return parseSecretUri(secretUri);

  const vaultName = fields.get('vaultname');
  const secretName = fields.get('secretname');
  if (!vaultName || !secretName) throw new Error('needs SecretUri, or VaultName and SecretName');
  if (!/^[a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9]$/.test(vaultName)) throw new Error('has an invalid VaultName');
  if (!/^[a-zA-Z0-9-]{1,127}$/.test(secretName)) throw new Error('has an invalid SecretName');
  const version = fields.get('secretversion');
  return {
    vaultUrl: `https://${vaultName}.vault.azure.net`,
    secretName,
    ...(version ? { version } : {}),
  };
}

function parseSecretUri(uri: string): KeyVaultReference {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    throw new Error('has a SecretUri that is not a URL');
  }
  const segments = url.pathname.split('/').filter(Boolean);
  if (url.protocol !== 'https:' || segments[0] !== 'secrets' || segments.length < 2 || segments.length > 3) {
    throw new Error('has a SecretUri that is not https://{vault}/secrets/{name}[/{version}]');
  }
  const [, secretName, version] = segments as [string, string, string | undefined];
  return { vaultUrl: url.origin, secretName, ...(version ? { version } : {}) };
}
