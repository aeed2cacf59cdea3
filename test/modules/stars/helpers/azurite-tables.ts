// Azurite's Table service in this process on a free port, in memory, for tests that need
// Table Storage. The lead reconciles this with the shared test/helpers/azurite.ts.
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';

/** Azurite's well-known development account. */
export const AZURITE_ACCOUNT = 'devstoreaccount1';
export const AZURITE_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

interface AzuriteTableServer {
  start(): Promise<void>;
  close(): Promise<void>;
  clean(): Promise<void>;
  getHttpServerAddress(): string;
}

// Azurite ships no types and no ESM entry for its servers; these are the two classes its own
// tests construct.
type TableServerClass = new (configuration: unknown) => AzuriteTableServer;
type TableConfigurationClass = new (...args: unknown[]) => unknown;

const require = createRequire(import.meta.url);
const { default: TableServer } = require('azurite/dist/src/table/TableServer.js') as {
  default: TableServerClass;
};
const { default: TableConfiguration } = require('azurite/dist/src/table/TableConfiguration.js') as {
  default: TableConfigurationClass;
};

export interface AzuriteTables {
  /** `http://127.0.0.1:{port}/devstoreaccount1` */
  endpoint: string;
  connectionString: string;
  stop(): Promise<void>;
}

export async function startAzuriteTables(): Promise<AzuriteTables> {
  const configuration = new TableConfiguration(
    '127.0.0.1',
    0, // a free port, read back after listen
    undefined, // keep-alive timeout: default
    `azurite-tables-${randomBytes(6).toString('hex')}.json`, // a name only: persistence is in memory
    false, // debug log
    false, // access log
    undefined,
    undefined,
    true, // loose
    true, // skipApiVersionCheck: the SDK may be newer than this Azurite
    '',
    '',
    '',
    undefined, // oauth
    false, // disableProductStyleUrl
    true, // in-memory persistence
  );
  const server = new TableServer(configuration);
  await server.start();
  const endpoint = `${server.getHttpServerAddress()}/${AZURITE_ACCOUNT}`;
  return {
    endpoint,
    connectionString:
      `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};` +
      `TableEndpoint=${endpoint};`,
    async stop() {
      await server.close();
      await server.clean();
    },
  };
}
