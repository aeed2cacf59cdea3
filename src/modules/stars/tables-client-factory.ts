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
