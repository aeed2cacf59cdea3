import { describe, expect, it } from 'vitest';
import { tablesAuthFrom } from '../../../src/modules/stars/tables-client-factory.js';

describe('tablesAuthFrom', () => {
  it('when a connection string is set, then it wins over everything else', () => {
    expect(
      tablesAuthFrom({
        connectionString: 'UseDevelopmentStorage=true',
        accountName: 'a',
        accountKey: 'k',
        useManagedIdentity: true,
      }),
    ).toEqual({ kind: 'connection-string', connectionString: 'UseDevelopmentStorage=true' });
  });

  it('when an account name and key are set, then the endpoint is derived from the name', () => {
    expect(tablesAuthFrom({ accountName: 'acct', accountKey: 'k', useManagedIdentity: false })).toEqual({
      kind: 'account-key',
      accountName: 'acct',
      accountKey: 'k',
      endpoint: 'https://acct.table.core.windows.net',
    });
  });

  it('when managed identity is on with only the blob URL, then its table twin is the endpoint', () => {
    expect(
      tablesAuthFrom({ blobAccountUrl: 'https://acct.blob.core.windows.net', useManagedIdentity: true }),
    ).toEqual({ kind: 'token', endpoint: 'https://acct.table.core.windows.net' });
    expect(
      tablesAuthFrom({
        tableUrl: 'https://t.example',
        blobAccountUrl: 'https://acct.blob.core.windows.net',
        useManagedIdentity: true,
      }),
    ).toEqual({ kind: 'token', endpoint: 'https://t.example' });
  });

  it('when nothing usable is set, then the error names the settings', () => {
    expect(() => tablesAuthFrom({ useManagedIdentity: false })).toThrow(/AZURE_STORAGE_CONNECTION_STRING/);
    expect(() => tablesAuthFrom({ useManagedIdentity: true })).toThrow(/AZURE_STORAGE_TABLE_URL/);
  });
});
