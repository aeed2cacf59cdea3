// Each finding of issue 20, reintroduced in a copy of the configuration (in memory), fails the
// named rehearsal test that guards it: a check nobody could break would prove nothing.
import { describe, expect, it } from 'vitest';
import { loadTerraform, readSource, type EnvironmentName } from './terraform-model.js';
import { buildNetwork } from './network-model.js';
import { needs, nevers } from './network-needs.js';
import { secretRules } from './secret-rules.js';
import { ruleNamed } from './rules/index.js';

interface Mutation {
  test: string;
  env?: EnvironmentName;
  file: string;
  from: string | RegExp;
  to: string;
}

const dataPlaneSecret = `
resource "azurerm_key_vault_secret" "reintroduced" {
  name         = "azimuth-reintroduced"
  key_vault_id = azurerm_key_vault.main.id
  value_wo     = ephemeral.random_password.jwt.result
}
`;

const mutations: Mutation[] = [
  // Item 1: Terraform on a hosted agent writing to the private vault's data plane.
  {
    test: 'the Terraform runner (a hosted agent) reaches the data plane of every resource it manages',
    env: 'prod',
    file: 'keyvault.tf',
    from: /$/,
    to: dataPlaneSecret,
  },
  {
    test: 'Key Vault secrets are written through ARM, never the data plane',
    file: 'keyvault.tf',
    from: /$/,
    to: dataPlaneSecret,
  },
  // Item 6: the migration runners inside the network.
  {
    test: 'the GitHub migration runner reaches PostgreSQL directly (5432)',
    env: 'prod',
    file: 'networking.tf',
    from: 'sources = local.runner_source_prefixes, destinations = [local.subnet_prefixes.db], ports = ["5432", "6432"]\n      },\n      # Zone',
    to: 'sources = local.app_source_prefixes, destinations = [local.subnet_prefixes.db], ports = ["5432", "6432"]\n      },\n      # Zone',
  },
  {
    test: 'the Azure DevOps migration runner reaches Key Vault (443) for the migration URL',
    env: 'staging',
    file: 'networking.tf',
    from: 'sources = local.runner_source_prefixes, destinations = [local.subnet_prefixes.pe], ports = ["443"]\n      },\n      {\n        name    = "DenyAll"',
    to: 'sources = local.app_source_prefixes, destinations = [local.subnet_prefixes.pe], ports = ["443"]\n      },\n      {\n        name    = "DenyAll"',
  },
  {
    test: 'the GitHub migration runner reaches GitHub, Azure DevOps and npm over HTTPS',
    env: 'prod',
    file: 'networking.tf',
    from: 'nsg = "runners", nat = true, enabled = var.github_runners_enabled',
    to: 'nsg = "runners", nat = false, enabled = var.github_runners_enabled',
  },
  {
    test: 'the Azure DevOps migration runner reaches GitHub, Azure DevOps and npm over HTTPS',
    env: 'prod',
    file: 'networking.tf',
    from: 'sources = local.runner_source_prefixes, destinations = ["Internet"], ports = ["443"]',
    to: 'sources = local.runner_source_prefixes, destinations = ["Internet"], ports = ["80"]',
  },
  {
    test: 'the GitHub migration runner sits in its own subnet in staging and production',
    env: 'prod',
    file: 'environments/prod.tfvars',
    from: /github_runners_enabled(\s+)= true/,
    to: 'github_runners_enabled$1= false',
  },
  // The private endpoints and their DNS.
  {
    test: 'api reaches Key Vault (443)',
    env: 'prod',
    file: 'dns.tf',
    from: /\n\s*keyvault = "privatelink\.vaultcore\.azure\.net"/,
    to: '',
  },
  {
    test: 'worker reaches Redis (10000)',
    env: 'staging',
    file: 'networking.tf',
    from: 'ports   = ["443", tostring(local.redis_port)]\n      },\n      # The migration',
    to: 'ports   = ["443"]\n      },\n      # The migration',
  },
  // What must stay unreachable.
  {
    test: 'the internet never reaches Key Vault in staging and production',
    env: 'prod',
    file: 'environments/prod.tfvars',
    from: /public_network_access_enabled(\s+)= false/,
    to: 'public_network_access_enabled$1= true',
  },
  {
    test: 'the internet never reaches PostgreSQL',
    env: 'dev',
    file: 'postgresql.tf',
    from: /public_network_access_enabled(\s+)= false/,
    to: 'public_network_access_enabled$1= true',
  },
  // CI deploy and the console.
  {
    test: "CI deploy (a hosted agent) reaches the worker's deployment (SCM) endpoint",
    env: 'prod',
    file: 'app_service.tf',
    from: 'scm_ip_restriction_default_action = "Allow"',
    to: 'scm_ip_restriction_default_action = "Deny"',
  },
  {
    test: 'the console in a browser reaches Blob Storage for SAS links, its origin allowed by CORS',
    env: 'prod',
    file: 'storage.tf',
    from: 'public_network_access_enabled   = var.storage_public_network_access_enabled',
    to: 'public_network_access_enabled   = var.public_network_access_enabled',
  },
  {
    test: 'the console in a browser reaches Blob Storage for SAS links, its origin allowed by CORS',
    env: 'prod',
    file: 'storage.tf',
    from: 'allowed_origins    = cors_rule.value',
    to: 'allowed_origins    = ["https://elsewhere.example.com"]',
  },
  // Item 8: write-only secrets that go stale.
  {
    test: 'the server and every database secret share one password version covering them all',
    file: 'postgresql.tf',
    from: /administrator_password_wo_version = local\.database_password_version/,
    to: 'administrator_password_wo_version = var.database_password_version',
  },
  {
    test: 'the server and every database secret share one password version covering them all',
    file: 'keyvault.tf',
    from: /\n\s*secrets\s+= local\.database_urls/,
    to: '',
  },
  {
    test: 'a replaced server or cache re-sends its secrets',
    file: 'keyvault.tf',
    from: '"${local.database_password_version}-${terraform_data.database_server_instance.id}"',
    to: '"${local.database_password_version}"',
  },
  {
    test: 'a replaced server or cache re-sends its secrets',
    file: 'keyvault.tf',
    from: 'sensitive_body_version = { "properties.value" = sha256(jsonencode([local.redis_url, local.secrets_expire_on])) }',
    to: 'sensitive_body_version = { "properties.value" = sha256(jsonencode([1, local.secrets_expire_on])) }',
  },
  {
    test: 'every secret write carries its value (its version covers the body)',
    file: 'keyvault.tf',
    from: 'sha256(jsonencode([var.auth_jwt_secret_version, local.secrets_expire_on]))',
    to: 'tostring(var.auth_jwt_secret_version)',
  },
  // Item 10's ordering, kept on the new resources.
  {
    test: 'Key Vault secrets wait for the near-expiry subscription',
    file: 'keyvault.tf',
    from: /(sensitive_body_version = \{ "properties.value" = sha256\(jsonencode\(\[local\.redis_url[^\n]*\n)\s*depends_on[^\n]*\n/,
    to: '$1',
  },
  // Standard item: the staging slot's own database.
  {
    test: "the staging slot's database is not production's",
    file: 'keyvault.tf',
    from: '(local.secret_names.database_slot)        = { port = local.app_database_port, database = local.staging_slot_database }',
    to: '(local.secret_names.database_slot)        = { port = local.app_database_port, database = local.postgres_database }',
  },
  // Item 4: the first production apply must not bind a domain whose DNS records do not exist.
  {
    test: 'custom domain is bound with a managed certificate over SNI, once its DNS records exist',
    file: 'dns.tf',
    from: 'custom_domain_bound = var.custom_domain != "" && (var.custom_domain_dns_zone_id != "" || var.custom_domain_dns_ready)',
    to: 'custom_domain_bound = var.custom_domain != ""',
  },
];

/** The check behind a test name: a network row (in one environment) or a rule. */
function checkFor(
  test: string,
  env: EnvironmentName | undefined,
): (model: Awaited<ReturnType<typeof loadTerraform>>) => void {
  const row = [...needs, ...nevers].find((r) => r.name === test);
  if (row) {
    if (!env || !row.environments.includes(env)) throw new Error(`${test}: name an environment it covers`);
    return (model) => row.check(buildNetwork(model, env));
  }
  const secret = secretRules.find((r) => r.name === test);
  return (secret ?? ruleNamed(test)).check;
}

describe('reintroducing a finding fails its named test', () => {
  it.each(mutations)('$test ($file)', async ({ test, env, file, from, to }) => {
    const check = checkFor(test, env);
    await expect(loadTerraform().then(check)).resolves.toBeUndefined();
    const source = readSource(file);
    const broken = source.replace(from, to);
    expect(broken, 'the mutation must change the file').not.toBe(source);
    const model = await loadTerraform({ [file]: broken });
    expect(() => check(model)).toThrow();
  });
});
