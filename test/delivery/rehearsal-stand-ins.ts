// The local world a rehearsed deployment runs in: for each resource Terraform wires into the app
// settings a local stand-in (Azurite for the storage account, the ingestion stand-in for
// Application Insights, the LLM stand-in for Azure OpenAI), for each Key Vault secret a local value
// (a fresh PostgreSQL database, the local Redis, a new JWT secret), and the process environment
// App Service would give a site with those settings, its managed-identity endpoint included.
import { randomBytes } from 'node:crypto';
import { BlobServiceClient } from '@azure/storage-blob';
import { Redis } from 'ioredis';
import { redisKeyPrefixes } from '../../src/platform/redis/redis-key-prefixes.js';
import { devAccount, startAzurite, type Azurite } from '../helpers/azurite.js';
import { startIngestionStandIn, type IngestionStandIn } from '../helpers/ingestion-stand-in.js';
import { startLlmStandIn, standInCredentials, type LlmStandIn } from '../helpers/llm-stand-in.js';
import {
  startManagedIdentityStandIn,
  type ManagedIdentityStandIn,
} from '../helpers/managed-identity-stand-in.js';
import { smokeAnswerFor } from '../helpers/smoke-llm-answers.js';
import { createTestPostgres, type TestPostgres } from '../helpers/postgres.js';
import { services } from '../helpers/services.js';
import type { EnvironmentName, TerraformModel } from '../infrastructure/terraform-model.js';
import { deployedAppSettings, type LocalStandIns, type Site } from './deployed-app-settings.js';

export interface RehearsalWorld {
  /** A fresh database and the containers Terraform creates, for one deployment. */
  deployment(label: string): Promise<LocalStandIns>;
  /**
   * The process environment of `site` in `env`: its app settings plus the platform's variables.
   * The one swap: managed identity has no local token source, so Azurite's account key stands in
   * for AZURE_STORAGE_USE_MANAGED_IDENTITY (which must be what Terraform sets).
   */
  processEnvironment(env: EnvironmentName, site: Site, standIns: LocalStandIns): Record<string, string>;
  close(): Promise<void>;
}

export async function startRehearsalWorld(model: TerraformModel, home: string): Promise<RehearsalWorld> {
  const azurite: Azurite = await startAzurite({ blob: true, table: true });
  const ingestion: IngestionStandIn = await startIngestionStandIn();
  // Azure OpenAI is reached as in Azure: the site's managed identity gets a token from the
  // platform's endpoint, and the model answers as the smoke test's checks expect.
  const llm: LlmStandIn = await startLlmStandIn();
  llm.answerFor = smokeAnswerFor;
  const identity: ManagedIdentityStandIn = await startManagedIdentityStandIn(
    standInCredentials.azureBearerToken,
  );
  const databases: TestPostgres[] = [];
  return {
    async deployment(label) {
      await dropEventStreams();
      const database = await createTestPostgres(label);
      databases.push(database);
      const blobs = BlobServiceClient.fromConnectionString(azurite.connectionString);
      for (const name of Object.values(model.locals.containers as Record<string, string>))
        await blobs.getContainerClient(name).createIfNotExists();
      return {
        attributes: {
          'azurerm_storage_account.main.name': devAccount.name,
          'azurerm_storage_account.main.primary_blob_endpoint': `${azurite.blobEndpoint}/`,
          'azurerm_storage_account.main.primary_table_endpoint': `${azurite.tableEndpoint}/`,
          'azurerm_cognitive_account.openai.endpoint': `${llm.url}/`,
          'azurerm_key_vault.main.vault_uri': 'https://kv-rehearsal.vault.azure.net/',
          'data.azurerm_client_config.current.tenant_id': '00000000-0000-4000-8000-000000000000',
          // The console's Static Web App (production): only its origin reaches the API, in API_CORS_ORIGINS.
          'azurerm_static_web_app.console.0.default_host_name': 'console.rehearsal.example',
        },
        secrets: {
          database: database.url,
          database_direct: database.url,
          database_slot: database.url,
          redis: services.redis.url,
          telemetry: ingestion.connectionString,
          telemetry_slot: ingestion.connectionString,
          jwt: randomBytes(32).toString('hex'),
        },
      };
    },
    processEnvironment(env, site, standIns) {
      const { AZURE_STORAGE_USE_MANAGED_IDENTITY: managedIdentity, ...settings } = deployedAppSettings(
        model,
        env,
        site,
        standIns,
      );
      if (managedIdentity !== 'true')
        throw new Error(`storage should authenticate with the managed identity, not ${managedIdentity}`);
      return {
        ...settings,
        AZURE_STORAGE_ACCOUNT_KEY: devAccount.key,
        ...identity.environment,
        PATH: '/usr/local/bin:/usr/bin:/bin',
        // Away from the developer's own Azure CLI login, which DefaultAzureCredential would find.
        HOME: home,
        NODE_EXTRA_CA_CERTS: ingestion.caFile,
      };
    },
    async close() {
      await azurite.close();
      await ingestion.close();
      await llm.close();
      await identity.close();
      for (const database of databases) await database.drop();
    },
  };
}

/**
 * A new deployment starts with its own Redis: the event streams an earlier rehearsal left on the
 * shared local server (in whichever database its purpose table chose) would hold sequences from
 * another database's outbox, and the bus drops events numbered below what a stream has seen.
 */
async function dropEventStreams(): Promise<void> {
  for (let db = 0; db < 16; db++) {
    const redis = new Redis(services.redis.url, { db, lazyConnect: true, maxRetriesPerRequest: 1 });
    try {
      await redis.connect();
      const keys = await redis.keys(`${redisKeyPrefixes.events}*`);
      if (keys.length > 0) await redis.del(...keys);
    } catch {
      break; // a one-database server refuses SELECT past 0: nothing more to clear
    } finally {
      redis.disconnect();
    }
  }
}
