// The one storage-account resolver: every credential it accepts, the endpoints it derives, and
// one problem line per contradictory or incomplete combination, each naming the settings.
import { describe, expect, it } from 'vitest';
import {
  blobStorageAccount,
  connectionStringEndpoints,
  resolveStorageAccount,
  storageSettingsProblems,
  tableStorageAccount,
  type StorageAccountSettings,
} from '../../../src/platform/storage/storage-account.js';

const none: StorageAccountSettings = { AZURE_STORAGE_USE_MANAGED_IDENTITY: false };
const resolve = (s: Partial<StorageAccountSettings>) => resolveStorageAccount({ ...none, ...s });
const azurite =
  'DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=a2V5;BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1;TableEndpoint=http://127.0.0.1:10002/devstoreaccount1;';

describe('resolveStorageAccount', () => {
  it('when nothing is set, then there is no account and no problem (the embedded drivers apply)', () => {
    expect(resolve({})).toEqual({ account: undefined, problems: [] });
  });

  it('a connection string gives both endpoints it names', () => {
    expect(resolve({ AZURE_STORAGE_CONNECTION_STRING: azurite })).toEqual({
      account: {
        blobUrl: 'http://127.0.0.1:10000/devstoreaccount1',
        tableUrl: 'http://127.0.0.1:10002/devstoreaccount1',
        credential: { kind: 'connection-string', connectionString: azurite },
      },
      problems: [],
    });
    expect(
      connectionStringEndpoints(
        'DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=k;EndpointSuffix=core.windows.net',
      ),
    ).toEqual({
      blobUrl: 'https://acct.blob.core.windows.net',
      tableUrl: 'https://acct.table.core.windows.net',
    });
    expect(connectionStringEndpoints('UseDevelopmentStorage=true')?.tableUrl).toBe(
      'http://127.0.0.1:10002/devstoreaccount1',
    );
  });

  it('an account name and key give the public endpoints, or the explicit ones', () => {
    expect(resolve({ AZURE_STORAGE_ACCOUNT_NAME: 'acct', AZURE_STORAGE_ACCOUNT_KEY: 'k' }).account).toEqual({
      blobUrl: 'https://acct.blob.core.windows.net',
      tableUrl: 'https://acct.table.core.windows.net',
      credential: { kind: 'account-key', accountName: 'acct', accountKey: 'k' },
    });
    expect(
      resolve({
        AZURE_STORAGE_ACCOUNT_NAME: 'devstoreaccount1',
        AZURE_STORAGE_ACCOUNT_KEY: 'k',
        AZURE_STORAGE_ACCOUNT_URL: 'http://127.0.0.1:10000/devstoreaccount1',
      }).account,
    ).toMatchObject({ blobUrl: 'http://127.0.0.1:10000/devstoreaccount1', tableUrl: undefined });
  });

  it('managed identity with only an account name derives both endpoints (blob and tables agree)', () => {
    expect(
      resolve({ AZURE_STORAGE_USE_MANAGED_IDENTITY: true, AZURE_STORAGE_ACCOUNT_NAME: 'acct' }).account,
    ).toEqual({
      blobUrl: 'https://acct.blob.core.windows.net',
      tableUrl: 'https://acct.table.core.windows.net',
      credential: { kind: 'managed-identity' },
    });
    expect(
      resolve({
        AZURE_STORAGE_USE_MANAGED_IDENTITY: true,
        AZURE_STORAGE_ACCOUNT_URL: 'https://acct.blob.core.windows.net',
      }).account?.tableUrl,
    ).toBe('https://acct.table.core.windows.net');
  });

  it.each<[string, Partial<StorageAccountSettings>, string[]]>([
    [
      'a connection string and an account key',
      { AZURE_STORAGE_CONNECTION_STRING: azurite, AZURE_STORAGE_ACCOUNT_KEY: 'k' },
      ['AZURE_STORAGE_ACCOUNT_KEY: contradicts AZURE_STORAGE_CONNECTION_STRING'],
    ],
    [
      'a connection string and managed identity',
      { AZURE_STORAGE_CONNECTION_STRING: azurite, AZURE_STORAGE_USE_MANAGED_IDENTITY: true },
      ['AZURE_STORAGE_USE_MANAGED_IDENTITY: contradicts AZURE_STORAGE_CONNECTION_STRING'],
    ],
    [
      'a connection string that is not one',
      { AZURE_STORAGE_CONNECTION_STRING: 'hello' },
      ['AZURE_STORAGE_CONNECTION_STRING: is not a storage connection string'],
    ],
    [
      'a key without its account',
      { AZURE_STORAGE_ACCOUNT_KEY: 'k' },
      ['AZURE_STORAGE_ACCOUNT_KEY: needs AZURE_STORAGE_ACCOUNT_NAME'],
    ],
    [
      'a key and managed identity',
      {
        AZURE_STORAGE_ACCOUNT_NAME: 'acct',
        AZURE_STORAGE_ACCOUNT_KEY: 'k',
        AZURE_STORAGE_USE_MANAGED_IDENTITY: true,
      },
      ['AZURE_STORAGE_USE_MANAGED_IDENTITY: true contradicts AZURE_STORAGE_ACCOUNT_KEY'],
    ],
    [
      'an account name without a credential',
      { AZURE_STORAGE_ACCOUNT_NAME: 'acct' },
      ['AZURE_STORAGE_ACCOUNT_NAME: is set without a credential'],
    ],
    [
      'an endpoint without a credential',
      { AZURE_STORAGE_ACCOUNT_URL: 'https://acct.blob.core.windows.net' },
      ['AZURE_STORAGE_ACCOUNT_URL: is set without a credential'],
    ],
    [
      'managed identity without an account',
      { AZURE_STORAGE_USE_MANAGED_IDENTITY: true },
      ['AZURE_STORAGE_USE_MANAGED_IDENTITY: true needs AZURE_STORAGE_ACCOUNT_NAME'],
    ],
    [
      'an endpoint that is not a URL',
      { AZURE_STORAGE_USE_MANAGED_IDENTITY: true, AZURE_STORAGE_TABLE_URL: 'acct.table' },
      ['AZURE_STORAGE_TABLE_URL: must be an http(s) URL'],
    ],
  ])('when %s, then one problem names the settings', (_case, settings, expected) => {
    const { account, problems } = resolve(settings);
    expect(account).toBeUndefined();
    expect(problems).toHaveLength(expected.length);
    problems.forEach((problem, i) => expect(problem.startsWith(expected[i] ?? '?'), problem).toBe(true));
  });
});

describe('what each driver asks of the account', () => {
  it('when AZURE_BLOB_ENABLED=false, then blobs stay on disk whatever credentials are set', () => {
    expect(
      blobStorageAccount({ ...none, AZURE_BLOB_ENABLED: false, AZURE_STORAGE_CONNECTION_STRING: azurite }),
    ).toBeUndefined();
    expect(blobStorageAccount({ ...none, AZURE_STORAGE_CONNECTION_STRING: azurite })?.credential.kind).toBe(
      'connection-string',
    );
    expect(blobStorageAccount(none)).toBeUndefined();
  });

  it('when AZURE_BLOB_ENABLED=true without a credential, then that is a problem naming it', () => {
    expect(storageSettingsProblems({ ...none, AZURE_BLOB_ENABLED: true }, {})).toEqual([
      expect.stringMatching(
        /^AZURE_BLOB_ENABLED: needs an Azure Storage account: AZURE_STORAGE_CONNECTION_STRING/,
      ),
    ]);
    expect(() => blobStorageAccount({ ...none, AZURE_BLOB_ENABLED: true })).toThrow(/AZURE_BLOB_ENABLED/);
  });

  it('when Table Storage is needed without an account or a table endpoint, then the problem says which settings', () => {
    expect(storageSettingsProblems(none, { tablesNeededBy: 'STARS_STORE=tables' })).toEqual([
      expect.stringMatching(/^STARS_STORE=tables: needs an Azure Storage account/),
    ]);
    const emulatorBlobOnly = {
      ...none,
      AZURE_STORAGE_ACCOUNT_NAME: 'devstoreaccount1',
      AZURE_STORAGE_ACCOUNT_KEY: 'k',
      AZURE_STORAGE_ACCOUNT_URL: 'http://127.0.0.1:10000/devstoreaccount1',
    };
    expect(storageSettingsProblems(emulatorBlobOnly, { tablesNeededBy: 'STARS_STORE=tables' })).toEqual([
      expect.stringMatching(/^AZURE_STORAGE_TABLE_URL: STARS_STORE=tables needs the table endpoint/),
    ]);
    expect(() => tableStorageAccount(emulatorBlobOnly, 'STARS_STORE=tables')).toThrow(
      /AZURE_STORAGE_TABLE_URL/,
    );
    expect(
      tableStorageAccount(
        { ...emulatorBlobOnly, AZURE_STORAGE_TABLE_URL: 'http://127.0.0.1:10002/devstoreaccount1' },
        'STARS_STORE=tables',
      ).tableUrl,
    ).toBe('http://127.0.0.1:10002/devstoreaccount1');
  });
});
