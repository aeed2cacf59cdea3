// Issue 20's secret and database rules, checked on the parsed Terraform: secrets go through ARM
// (Terraform runs outside the VNet), a write-only value is re-sent whenever what Azure holds may
// differ from it, and the staging slot has its own database.
import { expect } from 'vitest';
import { local, resource, resourcesOf, type Body, type TerraformModel } from './terraform-model.js';
import { vaultSecrets } from './rules/data-rules.js';
import { rule, type Rule } from './rules/rule.js';

/** A string attribute of a parsed body, or '' when absent or not a string. */
const text = (value: unknown): string => (typeof value === 'string' ? value : '');
const versionOf = (secret: Body): string =>
  text((secret.sensitive_body_version as Body | undefined)?.['properties.value']);
const valueOf = (secret: Body): string =>
  text(((secret.sensitive_body as Body | undefined)?.properties as Body | undefined)?.value);

/** Locals a version expression names, followed one level (local.x = "${...var.y...}"). */
function expanded(m: TerraformModel, expression: string): string {
  const names = [...expression.matchAll(/\blocal\.([a-z0-9_]+)/g)].map((match) => match[1] ?? '');
  return [expression, ...names.map((name) => JSON.stringify(local(m, name)))].join('\n');
}

export const secretRules: Rule[] = [
  rule('Key Vault secrets are written through ARM, never the data plane', (m) => {
    for (const type of ['azurerm_key_vault_secret', 'azurerm_key_vault_key', 'azurerm_key_vault_certificate'])
      expect(Object.keys(resourcesOf(m, type)), type).toEqual([]);
    expect(String(local(m, 'secret_api'))).toMatch(/^Microsoft\.KeyVault\/vaults\/secrets@/);
    const secrets = vaultSecrets(m);
    expect(Object.keys(secrets).sort()).toEqual(['database_url', 'jwt', 'redis_url', 'telemetry']);
    for (const [name, secret] of Object.entries(secrets)) {
      expect(secret.parent_id, name).toBe('${azurerm_key_vault.main.id}');
      // The value travels only in the write-only body, never in `body` (which lands in state).
      expect(JSON.stringify(secret.body), name).not.toMatch(/"value"/);
      expect(valueOf(secret), name).not.toBe('');
    }
  }),
  rule('every secret write carries its value (its version covers the body)', (m) => {
    for (const [name, secret] of Object.entries(vaultSecrets(m))) {
      // azapi omits the value from a PUT whose version did not change: a body-only change
      // (the expiry) must therefore change the version too.
      expect(expanded(m, versionOf(secret)), name).toContain('local.secrets_expire_on');
    }
  }),
  rule('the server and every database secret share one password version covering them all', (m) => {
    const server = resource(m, 'azurerm_postgresql_flexible_server', 'main');
    expect(server.administrator_password_wo).toBe('${ephemeral.random_password.database.result}');
    expect(server.administrator_password_wo_version).toBe('${local.database_password_version}');
    const version = String(local(m, 'database_password_version'));
    for (const input of ['var.database_password_version', 'local.database_urls', 'azurerm_key_vault.main.id'])
      expect(version, input).toContain(input);
    const secret = resource(m, 'azapi_resource', 'database_url');
    expect(secret.for_each).toBe('${local.database_urls}');
    expect(valueOf(secret)).toContain('ephemeral.random_password.database.result');
    expect(versionOf(secret)).toContain('local.database_password_version');
  }),
  rule('a replaced server or cache re-sends its secrets', (m) => {
    expect(resource(m, 'terraform_data', 'database_server_instance').triggers_replace).toBe(
      '${azurerm_postgresql_flexible_server.main.id}',
    );
    expect(versionOf(resource(m, 'azapi_resource', 'database_url'))).toContain(
      'terraform_data.database_server_instance.id',
    );
    // Values Terraform knows (the Redis key, the telemetry string): the version hashes the value.
    for (const name of ['redis_url', 'telemetry']) {
      const secret = resource(m, 'azapi_resource', name);
      const value = valueOf(secret).replace(/^\$\{|\}$/g, '');
      expect(versionOf(secret), name).toMatch(/^\$\{sha256\(/);
      expect(versionOf(secret), name).toContain(value);
    }
    expect(String(local(m, 'redis_url'))).toContain('primary_access_key');
  }),
  rule('Key Vault secrets wait for the near-expiry subscription', (m) => {
    for (const [name, secret] of Object.entries(vaultSecrets(m)))
      expect(secret.depends_on, name).toContain(
        '${azurerm_eventgrid_system_topic_event_subscription.secret_near_expiry}',
      );
  }),
  rule("the staging slot's database is not production's", (m) => {
    const database = resource(m, 'azurerm_postgresql_flexible_server_database', 'staging_slot');
    expect(database.count).toBe('${var.deployment_slot_enabled ? 1 : 0}');
    expect(database.name).toBe('${local.staging_slot_database}');
    expect(local(m, 'staging_slot_database')).not.toBe(local(m, 'postgres_database'));
    const urls = String(local(m, 'database_urls'));
    for (const key of ['database_slot', 'database_slot_direct']) {
      const entry = new RegExp(`secret_names\\.${key}\\)\\s*=\\s*\\{([^}]*)\\}`).exec(urls)?.[1] ?? '';
      expect(entry, key).toMatch(/database = local\.staging_slot_database/);
    }
    expect(String(local(m, 'staging_slot_app_settings'))).toMatch(
      /DATABASE_URL\s+=\s+local\.kv_ref\.database_slot\b/,
    );
  }),
];
