// The one place that turns AZURE_STORAGE_* settings into an Azure Storage account: its blob and
// table endpoints and one credential (connection string, account key, or DefaultAzureCredential).
// Settings validation, the blob driver and the Table Storage driver all ask this file.
import type { TokenCredential } from '@azure/core-auth';
import { SettingsError } from '../config/settings-error.js';
import type { Settings } from '../config/settings-schema.js';

export type StorageAccountSettings = Pick<
  Settings,
  | 'AZURE_STORAGE_CONNECTION_STRING'
  | 'AZURE_STORAGE_ACCOUNT_NAME'
  | 'AZURE_STORAGE_ACCOUNT_KEY'
  | 'AZURE_STORAGE_ACCOUNT_URL'
  | 'AZURE_STORAGE_TABLE_URL'
  | 'AZURE_STORAGE_USE_MANAGED_IDENTITY'
>;

export type StorageCredential =
  | { kind: 'connection-string'; connectionString: string }
  | { kind: 'account-key'; accountName: string; accountKey: string }
  /** `credential` defaults to DefaultAzureCredential (managed identity in Azure, az login locally). */
  | { kind: 'managed-identity'; credential?: TokenCredential };

export interface StorageAccount {
  /** `https://{account}.blob.core.windows.net`, or the emulator's; undefined when not derivable. */
  blobUrl: string | undefined;
  /** `https://{account}.table.core.windows.net`, or the emulator's; undefined when not derivable. */
  tableUrl: string | undefined;
  credential: StorageCredential;
}

export interface StorageAccountResolution {
  /** Undefined when no credential is configured (the embedded drivers apply) or on problems. */
  account: StorageAccount | undefined;
  /** One line per contradictory or incomplete setting, each naming the settings. */
  problems: string[];
}

const CS = 'AZURE_STORAGE_CONNECTION_STRING';
const NAME = 'AZURE_STORAGE_ACCOUNT_NAME';
const KEY = 'AZURE_STORAGE_ACCOUNT_KEY';
const BLOB_URL = 'AZURE_STORAGE_ACCOUNT_URL';
const TABLE_URL = 'AZURE_STORAGE_TABLE_URL';
const MI = 'AZURE_STORAGE_USE_MANAGED_IDENTITY';

const set = (value: string | undefined): value is string => value !== undefined && value !== '';

/** Azurite's well-known endpoints, for `UseDevelopmentStorage=true`. */
const developmentStorage = {
  blobUrl: 'http://127.0.0.1:10000/devstoreaccount1',
  tableUrl: 'http://127.0.0.1:10002/devstoreaccount1',
};

/** The endpoints a storage connection string names, or undefined when it is not one. */
export function connectionStringEndpoints(
  connectionString: string,
): { blobUrl: string | undefined; tableUrl: string | undefined } | undefined {
  const fields = new Map<string, string>();
  for (const pair of connectionString.split(';')) {
    const at = pair.indexOf('=');
    if (at > 0) fields.set(pair.slice(0, at).trim().toLowerCase(), pair.slice(at + 1).trim());
  }
  if (fields.get('usedevelopmentstorage')?.toLowerCase() === 'true') return developmentStorage;
  const account = fields.get('accountname');
  const protocol = fields.get('defaultendpointsprotocol') ?? 'https';
  const suffix = fields.get('endpointsuffix') ?? 'core.windows.net';
  const endpoint = (service: string) =>
    fields.get(`${service}endpoint`) ??
    (account === undefined ? undefined : `${protocol}://${account}.${service}.${suffix}`);
  const endpoints = { blobUrl: endpoint('blob'), tableUrl: endpoint('table') };
  return endpoints.blobUrl === undefined && endpoints.tableUrl === undefined ? undefined : endpoints;
}

/** The twin endpoint of an Azure one (`.blob.` ⇄ `.table.`); undefined for an emulator's URL. */
const twin = (url: string | undefined, from: string, to: string) =>
  url !== undefined && url.includes(`.${from}.`) ? url.replace(`.${from}.`, `.${to}.`) : undefined;

function endpointsOf(s: StorageAccountSettings) {
  // An explicit endpoint (an emulator's, a private one) wins over the account name's public one.
  const explicit = set(s.AZURE_STORAGE_ACCOUNT_URL) || set(s.AZURE_STORAGE_TABLE_URL);
  const byName = (service: string) =>
    set(s.AZURE_STORAGE_ACCOUNT_NAME) && !explicit
      ? `https://${s.AZURE_STORAGE_ACCOUNT_NAME}.${service}.core.windows.net`
      : undefined;
  return {
    blobUrl:
      s.AZURE_STORAGE_ACCOUNT_URL ?? twin(s.AZURE_STORAGE_TABLE_URL, 'table', 'blob') ?? byName('blob'),
    tableUrl:
      s.AZURE_STORAGE_TABLE_URL ?? twin(s.AZURE_STORAGE_ACCOUNT_URL, 'blob', 'table') ?? byName('table'),
  };
}

function urlProblems(s: StorageAccountSettings): string[] {
  const problems: string[] = [];
  for (const [name, value] of [
    [BLOB_URL, s.AZURE_STORAGE_ACCOUNT_URL],
    [TABLE_URL, s.AZURE_STORAGE_TABLE_URL],
  ] as const) {
    if (value !== undefined && !/^https?:\/\/[^/\s]+/i.test(value))
      problems.push(`${name}: must be an http(s) URL (got "${value}")`);
  }
  return problems;
}

function fromConnectionString(s: StorageAccountSettings, connectionString: string): StorageAccountResolution {
  const others = [
    set(s.AZURE_STORAGE_ACCOUNT_NAME) && NAME,
    set(s.AZURE_STORAGE_ACCOUNT_KEY) && KEY,
    set(s.AZURE_STORAGE_ACCOUNT_URL) && BLOB_URL,
    set(s.AZURE_STORAGE_TABLE_URL) && TABLE_URL,
    s.AZURE_STORAGE_USE_MANAGED_IDENTITY && `${MI}=true`,
  ].filter((name): name is string => typeof name === 'string');
  const problems = others.map(
    (other) =>
      `${other.split('=')[0] ?? other}: contradicts ${CS} (the connection string names the account, its endpoints and its credential); set one or the other`,
  );
  const endpoints = connectionStringEndpoints(connectionString);
  if (endpoints === undefined)
    problems.push(`${CS}: is not a storage connection string (it names no AccountName or BlobEndpoint)`);
  if (problems.length > 0 || endpoints === undefined) return { account: undefined, problems };
  return { account: { ...endpoints, credential: { kind: 'connection-string', connectionString } }, problems };
}

function fromAccountKey(s: StorageAccountSettings, accountKey: string): StorageAccountResolution {
  const problems: string[] = [];
  if (!set(s.AZURE_STORAGE_ACCOUNT_NAME)) problems.push(`${KEY}: needs ${NAME}, the account it belongs to`);
  if (s.AZURE_STORAGE_USE_MANAGED_IDENTITY)
    problems.push(`${MI}: true contradicts ${KEY}; authenticate with one of them`);
  if (problems.length > 0 || !set(s.AZURE_STORAGE_ACCOUNT_NAME)) return { account: undefined, problems };
  return {
    account: {
      ...endpointsOf(s),
      credential: { kind: 'account-key', accountName: s.AZURE_STORAGE_ACCOUNT_NAME, accountKey },
    },
    problems,
  };
}

function fromManagedIdentity(s: StorageAccountSettings): StorageAccountResolution {
  const endpoints = endpointsOf(s);
  if (endpoints.blobUrl === undefined && endpoints.tableUrl === undefined)
    return {
      account: undefined,
      problems: [`${MI}: true needs ${NAME} (or ${BLOB_URL} / ${TABLE_URL}) to know which account to reach`],
    };
  return { account: { ...endpoints, credential: { kind: 'managed-identity' } }, problems: [] };
}

/**
 * The storage account the settings describe. Precedence is not guessed: exactly one credential
 * (a connection string, a name with its key, or managed identity) may be configured.
 */
export function resolveStorageAccount(s: StorageAccountSettings): StorageAccountResolution {
  const problems = urlProblems(s);
  let resolution: StorageAccountResolution;
  if (set(s.AZURE_STORAGE_CONNECTION_STRING))
    resolution = fromConnectionString(s, s.AZURE_STORAGE_CONNECTION_STRING);
  else if (set(s.AZURE_STORAGE_ACCOUNT_KEY)) resolution = fromAccountKey(s, s.AZURE_STORAGE_ACCOUNT_KEY);
  else if (s.AZURE_STORAGE_USE_MANAGED_IDENTITY) resolution = fromManagedIdentity(s);
  else {
    const stray = ([NAME, BLOB_URL, TABLE_URL] as const).filter((name) => set(s[name]));
    resolution = {
      account: undefined,
      problems: stray.map(
        (name) =>
          `${name}: is set without a credential; add ${name === NAME ? KEY : `${NAME} with ${KEY}`}, or ${MI}=true`,
      ),
    };
  }
  problems.push(...resolution.problems);
  return { account: problems.length > 0 ? undefined : resolution.account, problems };
}

/** What a service needs from the account: its endpoint, or a line saying which settings give it. */
export function endpointProblem(
  account: StorageAccount | undefined,
  service: 'blob' | 'table',
  who: string,
): string | undefined {
  if (account === undefined)
    return `${who}: needs an Azure Storage account: ${CS}, or ${NAME} with ${KEY}, or ${MI}=true with ${NAME}`;
  if (service === 'blob' && account.blobUrl === undefined)
    return `${BLOB_URL}: ${who} needs the blob endpoint, which cannot be derived from ${TABLE_URL}`;
  if (service === 'table' && account.tableUrl === undefined)
    return `${TABLE_URL}: ${who} needs the table endpoint, which cannot be derived from ${BLOB_URL}`;
  return undefined;
}

/**
 * The account the blob driver uses, or undefined for the disk driver: AZURE_BLOB_ENABLED=false
 * keeps the disk whatever credentials are set; unset means Azure when a credential is.
 * Settings validation has already refused every problem this could meet.
 */
export function blobStorageAccount(
  s: StorageAccountSettings & Pick<Settings, 'AZURE_BLOB_ENABLED'>,
): StorageAccount | undefined {
  if (s.AZURE_BLOB_ENABLED === false) return undefined;
  const problems = storageSettingsProblems(s, {});
  if (problems.length > 0) throw new SettingsError(problems);
  return resolveStorageAccount(s).account;
}

/** The account Table Storage uses; throws SettingsError naming the settings when there is none. */
export function tableStorageAccount(
  s: StorageAccountSettings,
  who: string,
): StorageAccount & { tableUrl: string } {
  const { account, problems } = resolveStorageAccount(s);
  const missing = endpointProblem(account, 'table', who);
  if (problems.length > 0 || missing !== undefined || account?.tableUrl === undefined)
    throw new SettingsError(missing === undefined ? problems : [...problems, missing]);
  return { ...account, tableUrl: account.tableUrl };
}

/** Every storage problem settings validation reports, one line each. */
export function storageSettingsProblems(
  s: StorageAccountSettings & Pick<Settings, 'AZURE_BLOB_ENABLED'>,
  options: { tablesNeededBy?: string },
): string[] {
  const { account, problems } = resolveStorageAccount(s);
  if (problems.length > 0) return problems;
  const blobs = s.AZURE_BLOB_ENABLED ?? account !== undefined;
  const found = [
    blobs ? endpointProblem(account, 'blob', 'AZURE_BLOB_ENABLED') : undefined,
    options.tablesNeededBy === undefined
      ? undefined
      : endpointProblem(account, 'table', options.tablesNeededBy),
  ];
  return found.filter((problem): problem is string => problem !== undefined);
}
