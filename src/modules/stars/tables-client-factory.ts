// Opens TableClients for the stars Table Storage driver, authenticated like the blob driver:
// a connection string, an account name and key, or an account URL with an Entra ID credential.
import { AzureNamedKeyCredential, TableClient } from '@azure/data-tables';
import type { TokenCredential } from '@azure/core-auth';
import { DefaultAzureCredential } from '@azure/identity';

export type TablesAuth =
  | { kind: 'connection-string'; connectionString: string }
  | {
      kind: 'account-key';
      accountName: string;
      accountKey: string;
      /** Default `https://{accountName}.table.core.windows.net`. */
      endpoint?: string;
    }
  | {
      kind: 'token';
      /** `https://{account}.table.core.windows.net` */
      endpoint: string;
      /** Default DefaultAzureCredential (managed identity in Azure). */
      credential?: TokenCredential;
    };

export type TableClientFactory = (tableName: string) => TableClient;

/** Plain http only happens against local emulators such as Azurite. */
const insecure = (url: string) => /^http:\/\//i.test(url) || /DefaultEndpointsProtocol=http;/i.test(url);

export function createTableClientFactory(auth: TablesAuth): TableClientFactory {
  switch (auth.kind) {
    case 'connection-string':
      return (tableName) =>
        TableClient.fromConnectionString(auth.connectionString, tableName, {
          allowInsecureConnection: insecure(auth.connectionString),
        });
    case 'account-key': {
      const endpoint = auth.endpoint ?? `https://${auth.accountName}.table.core.windows.net`;
      const credential = new AzureNamedKeyCredential(auth.accountName, auth.accountKey);
      return (tableName) =>
        new TableClient(endpoint, tableName, credential, { allowInsecureConnection: insecure(endpoint) });
    }
    case 'token': {
      const credential = auth.credential ?? new DefaultAzureCredential();
      return (tableName) => new TableClient(auth.endpoint, tableName, credential);
    }
  }
}

/** The storage settings that decide how to reach Table Storage (AZURE_STORAGE_*). */
export interface TablesAuthSettings {
  connectionString?: string | undefined;
  accountName?: string | undefined;
  accountKey?: string | undefined;
  /** AZURE_STORAGE_TABLE_URL */
  tableUrl?: string | undefined;
  /** AZURE_STORAGE_ACCOUNT_URL, the blob endpoint; its table twin is used when tableUrl is unset. */
  blobAccountUrl?: string | undefined;
  useManagedIdentity: boolean;
}

/**
 * Picks the authentication the blob driver would: a connection string first, then an account
 * name and key, then managed identity. Throws one message naming the settings when none fits.
 */
export function tablesAuthFrom(settings: TablesAuthSettings): TablesAuth {
  if (settings.connectionString !== undefined && settings.connectionString !== '') {
    return { kind: 'connection-string', connectionString: settings.connectionString };
  }
  const derived =
    settings.tableUrl ??
    settings.blobAccountUrl?.replace('.blob.', '.table.') ??
    (settings.accountName === undefined
      ? undefined
      : `https://${settings.accountName}.table.core.windows.net`);
  if (settings.accountName !== undefined && settings.accountKey !== undefined) {
    return {
      kind: 'account-key',
      accountName: settings.accountName,
      accountKey: settings.accountKey,
      ...(derived === undefined ? {} : { endpoint: derived }),
    };
  }
  if (settings.useManagedIdentity && derived !== undefined) {
    return { kind: 'token', endpoint: derived };
  }
  throw new Error(
    'STARS_STORE=tables needs AZURE_STORAGE_CONNECTION_STRING, or AZURE_STORAGE_ACCOUNT_NAME with ' +
      'AZURE_STORAGE_ACCOUNT_KEY, or AZURE_STORAGE_USE_MANAGED_IDENTITY=true with AZURE_STORAGE_TABLE_URL ' +
      '(or AZURE_STORAGE_ACCOUNT_URL / AZURE_STORAGE_ACCOUNT_NAME to derive it).',
  );
}
