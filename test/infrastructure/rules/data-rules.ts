// Seed 004's data services as Azimuth provisions them: PostgreSQL Flexible Server, Azure
// Managed Redis, Blob/Table Storage (seeds 001, 002), Key Vault and Azure OpenAI.
import { expect } from 'vitest';
import {
  block,
  dynamicBlock,
  environments,
  evaluate,
  local,
  resource,
  resourcesOf,
  variableValue,
  type Body,
  type TerraformModel,
} from '../terraform-model.js';
import { expectEverywhere, perEnvironment, rule, type Rule } from './rule.js';

const postgres = (m: TerraformModel) => resource(m, 'azurerm_postgresql_flexible_server', 'main');
const redis = (m: TerraformModel) => resource(m, 'azurerm_managed_redis', 'main');
const storage = (m: TerraformModel) => resource(m, 'azurerm_storage_account', 'main');
const vault = (m: TerraformModel) => resource(m, 'azurerm_key_vault', 'main');
const openai = (m: TerraformModel) => resource(m, 'azurerm_cognitive_account', 'openai');

/** The private endpoint entry (networking.tf) that connects `resourceRef` with `subresource`. */
function expectPrivateEndpoint(m: TerraformModel, resourceRef: string, subresource: string): void {
  const endpoints = Object.values(local(m, 'private_endpoints') as Record<string, Body>);
  const match = endpoints.find(
    (e) => e.resource_id === `\${${resourceRef}.id}` && e.subresource === subresource,
  );
  expect(match, `private endpoint ${subresource} for ${resourceRef}`).toBeDefined();
}

export const postgresRules: Rule[] = [
  rule('PostgreSQL Flexible Server runs version 16', (m) => expect(postgres(m).version).toBe('16')),
  rule('PostgreSQL SKUs are B2ms / D2ds_v5 / D4ds_v5', (m) => {
    expect(perEnvironment(m, postgres(m), 'sku_name')).toEqual({
      dev: 'B_Standard_B2ms',
      staging: 'GP_Standard_D2ds_v5',
      prod: 'GP_Standard_D4ds_v5',
    });
  }),
  rule('PostgreSQL has 128 GB storage with auto-grow', (m) => {
    expectEverywhere(m, postgres(m), 'storage_mb', 131072);
    expect(postgres(m).auto_grow_enabled).toBe(true);
  }),
  rule('PostgreSQL is reached privately through a delegated subnet and private DNS zone', (m) => {
    const server = postgres(m);
    expect(server.delegated_subnet_id).toBe('${azurerm_subnet.subnet["db"].id}');
    expect(server.private_dns_zone_id).toBe('${azurerm_private_dns_zone.zone["postgres"].id}');
    expect(server.public_network_access_enabled).toBe(false);
    expect(String((local(m, 'private_dns_zones') as Body).postgres)).toMatch(
      /\.postgres\.database\.azure\.com$/,
    );
  }),
  rule('PostgreSQL keeps 35-day backups, geo-redundant in production', (m) => {
    expectEverywhere(m, postgres(m), 'backup_retention_days', 35);
    expect(perEnvironment(m, postgres(m), 'geo_redundant_backup_enabled')).toEqual({
      dev: false,
      staging: false,
      prod: true,
    });
  }),
  rule('PostgreSQL is zone-redundant HA in production only', (m) => {
    const ha = dynamicBlock(postgres(m), 'high_availability');
    expect(ha.content.mode).toBe('${high_availability.value}');
    expect(ha.forEach).toBe('${var.postgres_high_availability_enabled ? ["ZoneRedundant"] : []}');
    expect(environments.map((env) => variableValue(m, env, 'postgres_high_availability_enabled'))).toEqual([
      false,
      false,
      true,
    ]);
  }),
  rule('PgBouncer runs in transaction mode with the seed pool figures', (m) => {
    expect(local(m, 'pgbouncer_parameters')).toEqual({
      'pgbouncer.enabled': 'true',
      'pgbouncer.pool_mode': 'TRANSACTION',
      'pgbouncer.default_pool_size': '50',
      'pgbouncer.min_pool_size': '10',
      'pgbouncer.server_idle_timeout': '600',
    });
    expect(String(local(m, 'postgres_parameters'))).toContain(
      'local.pgbouncer_enabled ? local.pgbouncer_parameters',
    );
    // Azure offers PgBouncer on General Purpose SKUs: staging and production have it.
    for (const env of ['staging', 'prod'] as const) {
      expect(String(variableValue(m, env, 'postgres_sku')), env).toMatch(/^GP_/);
    }
    expect(local(m, 'app_database_port')).toBe('${local.pgbouncer_enabled ? 6432 : 5432}');
  }),
  rule('PostgreSQL requires TLS (require_secure_transport on)', (m) => {
    expect(String(local(m, 'postgres_parameters'))).toMatch(/"require_secure_transport"\s*=\s*"on"/);
    expect(resource(m, 'azurerm_postgresql_flexible_server_configuration', 'parameter').for_each).toBe(
      '${local.postgres_parameters}',
    );
  }),
  rule('the database password is ephemeral and write-only', (m) => {
    expect(postgres(m).administrator_password).toBeUndefined();
    expect(postgres(m).administrator_password_wo).toBe('${ephemeral.random_password.database.result}');
    expect(m.ephemeral.random_password?.database).toBeDefined();
  }),
];

export const redisRules: Rule[] = [
  rule('Redis is Azure Managed Redis (Azure Cache for Redis is retired)', (m) => {
    expect(redis(m)).toBeDefined();
    expect(resourcesOf(m, 'azurerm_redis_cache')).toEqual({});
  }),
  rule('Redis accepts TLS connections only', (m) => {
    expect(block(redis(m), 'default_database').client_protocol).toBe('Encrypted');
  }),
  rule('Redis clustering lets a non-cluster-aware client connect', (m) => {
    expect(['NoCluster', 'EnterpriseCluster']).toContain(
      block(redis(m), 'default_database').clustering_policy,
    );
  }),
  rule('Redis never evicts job keys (noeviction)', (m) => {
    expect(block(redis(m), 'default_database').eviction_policy).toBe('NoEviction');
  }),
  rule('Redis tiers map Basic C1 and Premium P1 to Managed Redis SKUs', (m) => {
    expect(perEnvironment(m, redis(m), 'sku_name')).toEqual({
      dev: 'Balanced_B1',
      staging: 'Balanced_B5',
      prod: 'Balanced_B5',
    });
    expect(perEnvironment(m, redis(m), 'high_availability_enabled')).toEqual({
      dev: false,
      staging: true,
      prod: true,
    });
  }),
  rule('Redis has a private endpoint', (m) =>
    expectPrivateEndpoint(m, 'azurerm_managed_redis.main', 'redisEnterprise'),
  ),
];

export const storageRules: Rule[] = [
  rule('storage requires TLS 1.2 and HTTPS', (m) => {
    expect(storage(m).min_tls_version).toBe('TLS1_2');
    expect(storage(m).https_traffic_only_enabled).toBe(true);
  }),
  rule('storage allows no public blob access', (m) => {
    expect(storage(m).allow_nested_items_to_be_public).toBe(false);
    expect(resource(m, 'azurerm_storage_container', 'container').container_access_type).toBe('private');
  }),
  rule('storage shared-key access is off in production', (m) => {
    expect(perEnvironment(m, storage(m), 'shared_access_key_enabled').prod).toBe(false);
    expect(storage(m).default_to_oauth_authentication).toBe(true);
  }),
  rule('storage has containers for files, recordings and scans', (m) => {
    expect(local(m, 'containers')).toEqual({
      files: 'azimuth',
      recordings: 'audio-files',
      scans: 'crownsafe-images',
    });
    expect(resource(m, 'azurerm_storage_container', 'container').for_each).toBe('${local.containers}');
  }),
  rule('recordings move to cool after 30 days and are deleted after retention', (m) => {
    const policy = block(resource(m, 'azurerm_storage_management_policy', 'main'), 'rule');
    expect(block(policy, 'filters').prefix_match).toEqual(['${local.containers.recordings}/']);
    const baseBlob = block(block(policy, 'actions'), 'base_blob');
    expectEverywhere(m, baseBlob, 'tier_to_cool_after_days_since_modification_greater_than', 30);
    const retention = perEnvironment(m, baseBlob, 'delete_after_days_since_modification_greater_than');
    for (const env of environments) expect(retention[env]).toBeGreaterThan(30);
    const base = local(m, 'app_settings_base') as Body;
    expect(base.RECORDINGS_RETENTION_DAYS).toBe('${tostring(var.recordings_retention_days)}');
  }),
  rule('storage CORS admits the console origins', (m) => {
    const cors = dynamicBlock(block(storage(m), 'blob_properties'), 'cors_rule');
    expect(cors.content.allowed_origins).toBe('${cors_rule.value}');
    expect(cors.forEach).toContain('var.api_cors_origins');
    expect((variableValue(m, 'prod', 'api_cors_origins') as string[]).length).toBeGreaterThan(0);
  }),
  rule('storage keeps soft-deleted blobs and versions', (m) => {
    const props = block(storage(m), 'blob_properties');
    expect(props.versioning_enabled).toBe(true);
    expect(block(props, 'delete_retention_policy').days).toBeGreaterThanOrEqual(7);
    expect(block(props, 'container_delete_retention_policy').days).toBeGreaterThanOrEqual(7);
  }),
  rule('storage has private endpoints for blob and table', (m) => {
    expectPrivateEndpoint(m, 'azurerm_storage_account.main', 'blob');
    expectPrivateEndpoint(m, 'azurerm_storage_account.main', 'table');
  }),
];

/** The vault's secrets: written through ARM (keyvault.tf), as azapi resources of the secrets type. */
export function vaultSecrets(m: TerraformModel): Record<string, Body> {
  return Object.fromEntries(
    Object.entries(resourcesOf(m, 'azapi_resource')).filter(([, r]) => r.type === '${local.secret_api}'),
  );
}

export const keyVaultRules: Rule[] = [
  rule('Key Vault is Standard with RBAC authorization', (m) => {
    expect(vault(m).sku_name).toBe('standard');
    expect(vault(m).rbac_authorization_enabled).toBe(true);
    expect(vault(m).access_policy).toBeUndefined();
  }),
  rule('Key Vault has purge protection', (m) => expect(vault(m).purge_protection_enabled).toBe(true)),
  rule('Key Vault soft delete keeps 90 days', (m) => expect(vault(m).soft_delete_retention_days).toBe(90)),
  rule('Key Vault has a private endpoint', (m) =>
    expectPrivateEndpoint(m, 'azurerm_key_vault.main', 'vault'),
  ),
  rule('Key Vault public access is off in staging and production', (m) => {
    const access = perEnvironment(m, vault(m), 'public_network_access_enabled');
    expect([access.staging, access.prod]).toEqual([false, false]);
    const acls = perEnvironment(m, block(vault(m), 'network_acls'), 'default_action');
    expect([acls.staging, acls.prod]).toEqual(['Deny', 'Deny']);
  }),
  rule('secret names follow {app}-{component}-{purpose}', (m) => {
    const names = Object.values(local(m, 'secret_names') as Record<string, string>);
    for (const name of names) expect(name).toMatch(/^azimuth-[a-z0-9]+(-[a-z0-9]+)+$/);
  }),
  rule('every Key Vault secret expires', (m) => {
    const secrets = vaultSecrets(m);
    expect(Object.keys(secrets).length).toBeGreaterThanOrEqual(4);
    for (const [name, secret] of Object.entries(secrets)) {
      const attributes = (block(secret, 'body').properties as Body | undefined)?.attributes as
        Body | undefined;
      expect(attributes?.exp, name).toBe('${local.secret_expires_unix}');
    }
    expect(local(m, 'secret_expires_unix')).toBe(
      '${provider::time::rfc3339_parse(local.secrets_expire_on).unix}',
    );
    // A rolling expiry unless an environment pins a date: a literal would go stale.
    expect(local(m, 'secrets_expire_on')).toContain('time_rotating.secrets.rotation_rfc3339');
    for (const env of environments) expect(variableValue(m, env, 'secrets_expire_on'), env).toBe('');
  }),
  rule('secret near-expiry events reach the alert action group', (m) => {
    const subscription = resource(
      m,
      'azurerm_eventgrid_system_topic_event_subscription',
      'secret_near_expiry',
    );
    expect(subscription.included_event_types).toContain('Microsoft.KeyVault.SecretNearExpiry');
    const topic = resource(m, 'azurerm_eventgrid_system_topic', 'keyvault');
    expect(topic.source_resource_id).toBe('${azurerm_key_vault.main.id}');
    const alert = (local(m, 'log_alerts') as Record<string, Body>).secret_near_expiry;
    expect(String(alert?.query)).toContain('"SecretNearExpiryEventGridNotification"');
    const logAlerts = resource(m, 'azurerm_monitor_scheduled_query_rules_alert_v2', 'log');
    expect(block(logAlerts, 'action').action_groups).toEqual(['${azurerm_monitor_action_group.main.id}']);
  }),
];

export const openAiRules: Rule[] = [
  rule('Azure OpenAI deploys chat 120K, small chat 200K TPM and transcription', (m) => {
    const deployments = local(m, 'openai_deployments') as Record<string, Body>;
    expect(Object.keys(deployments).sort()).toEqual(['chat', 'chat_mini', 'transcribe']);
    expect(evaluate(m, 'prod', deployments.chat?.capacity)).toBe(120);
    expect(evaluate(m, 'prod', deployments.chat_mini?.capacity)).toBe(200);
    expect(evaluate(m, 'prod', deployments.transcribe?.capacity)).toBeGreaterThan(0);
    const deployment = resource(m, 'azurerm_cognitive_deployment', 'model');
    expect(deployment.name).toBe('${each.value.name}');
    expect(block(deployment, 'model').name).toBe('${each.value.name}');
    // The app settings name the deployments the roles they serve hold, in every environment.
    const base = local(m, 'app_settings_base') as Body;
    for (const env of environments) {
      expect(evaluate(m, env, base.AZURE_OPENAI_DEPLOYMENT_NAME), env).toBe(
        evaluate(m, env, deployments.transcribe?.name),
      );
      expect(evaluate(m, env, base.AZURE_OPENAI_CHAT_DEPLOYMENT), env).toBe(
        evaluate(m, env, deployments.chat_mini?.name),
      );
      expect(evaluate(m, env, base.AZURE_OPENAI_LABEL_DEPLOYMENT), env).toBe(
        evaluate(m, env, deployments.chat?.name),
      );
    }
  }),
  rule('Azure OpenAI local (key) auth is off', (m) => {
    expect(openai(m).local_auth_enabled).toBe(false);
    expect(openai(m).custom_subdomain_name).toBeDefined();
  }),
  rule('Azure OpenAI has a private endpoint', (m) =>
    expectPrivateEndpoint(m, 'azurerm_cognitive_account.openai', 'account'),
  ),
];
