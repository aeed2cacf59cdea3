// Opens TableClients for the stars Table Storage driver on the storage account the platform
// resolved (storage-account.ts): a connection string, an account key, or an Entra ID credential.
import { AzureNamedKeyCredential, TableClient } from '@azure/data-tables';
import { DefaultAzureCredential } from '@azure/identity';
import type { ResiliencePolicy } from '../../platform/resilience/resilience-policy.js';
import type { StorageCredential } from '../../platform/storage/storage-account.js';
import { withTableResilience } from './tables-resilient-client.js';

/** What Table Storage needs of the account: its table endpoint (unused with a connection string). */
export interface TablesAccount {
  tableUrl?: string | undefined;
  credential: StorageCredential;
}

export type TableClientFactory = (tableName: string) => TableClient;

/** Plain http only happens against local emulators such as Azurite. */
const insecure = (url: string) => /^http:\/\//i.test(url) || /DefaultEndpointsProtocol=http;/i.test(url);

/**
 * With a policy (production), every client runs its calls through it and the SDK's own retries
 * are off, so the policy is the one retry layer and its breaker sees every failure.
 */
export function createTableClientFactory(
  account: TablesAccount,
  options: { policy?: ResiliencePolicy } = {},
): TableClientFactory {
  const open = openClients(account, options.policy === undefined ? {} : { retryOptions: { maxRetries: 0 } });
  const { policy } = options;
  return policy === undefined ? open : (tableName) => withTableResilience(open(tableName), policy);
}

function openClients(
  account: TablesAccount,
  sdk: { retryOptions?: { maxRetries: number } },
): TableClientFactory {
  const { credential } = account;
  if (credential.kind === 'connection-string')
    return (tableName) =>
      TableClient.fromConnectionString(credential.connectionString, tableName, {
        ...sdk,
        allowInsecureConnection: insecure(credential.connectionString),
      });
  const endpoint = account.tableUrl;
  // Settings validation refuses this; the check keeps a hand-built account honest.
  if (endpoint === undefined) throw new Error('Table Storage needs the account’s table endpoint.');
  if (credential.kind === 'account-key') {
    const key = new AzureNamedKeyCredential(credential.accountName, credential.accountKey);
    return (tableName) =>
      new TableClient(endpoint, tableName, key, { ...sdk, allowInsecureConnection: insecure(endpoint) });
  }
  const token = credential.credential ?? new DefaultAzureCredential();
  return (tableName) => new TableClient(endpoint, tableName, token, sdk);
}
