// Opens TableClients for the stars Table Storage driver on the storage account the platform
// resolved (storage-account.ts): a connection string, an account key, or an Entra ID credential.
import { AzureNamedKeyCredential, TableClient } from '@azure/data-tables';
import { DefaultAzureCredential } from '@azure/identity';
import type { StorageCredential } from '../../platform/storage/storage-account.js';

/** What Table Storage needs of the account: its table endpoint (unused with a connection string). */
export interface TablesAccount {
  tableUrl?: string | undefined;
  credential: StorageCredential;
}

export type TableClientFactory = (tableName: string) => TableClient;

/** Plain http only happens against local emulators such as Azurite. */
const insecure = (url: string) => /^http:\/\//i.test(url) || /DefaultEndpointsProtocol=http;/i.test(url);

export function createTableClientFactory(account: TablesAccount): TableClientFactory {
  const { credential } = account;
  if (credential.kind === 'connection-string')
    return (tableName) =>
      TableClient.fromConnectionString(credential.connectionString, tableName, {
        allowInsecureConnection: insecure(credential.connectionString),
      });
  const endpoint = account.tableUrl;
  // Settings validation refuses this; the check keeps a hand-built account honest.
  if (endpoint === undefined) throw new Error('Table Storage needs the account’s table endpoint.');
  if (credential.kind === 'account-key') {
    const key = new AzureNamedKeyCredential(credential.accountName, credential.accountKey);
    return (tableName) =>
      new TableClient(endpoint, tableName, key, { allowInsecureConnection: insecure(endpoint) });
  }
  const token = credential.credential ?? new DefaultAzureCredential();
  return (tableName) => new TableClient(endpoint, tableName, token);
}
