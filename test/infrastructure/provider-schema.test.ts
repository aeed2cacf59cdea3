// Every azurerm resource, data source, argument and nested block the Terraform writes exists in
// the pinned provider: azurerm 4.55.0's generated schema (schema/azurerm-schema.json, extracted
// from @cdktf/provider-azurerm by scripts/extract-azurerm-schema.ts) with what 5.0 removed and
// renamed applied (schema/azurerm-5-differences.json). Mutations show a misspelling fails.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  loadSchemaDifferences,
  loadSchemaExtract,
  pinnedSchema,
  schemaProblems,
  type SchemaExtract,
} from './provider-schema.js';
import { loadTerraform, readSource, type TerraformModel } from './terraform-model.js';

const extract = loadSchemaExtract();
const differences = loadSchemaDifferences();
let schema: SchemaExtract;
let model: TerraformModel;

beforeAll(async () => {
  schema = pinnedSchema(extract, differences);
  model = await loadTerraform();
});

describe('azurerm provider schema', () => {
  it('every resource, data source, argument and nested block exists in azurerm ~> 5.2', () => {
    expect(schemaProblems(model, schema)).toEqual([]);
  });

  it('the extract names the package and the azurerm version it was generated from', () => {
    expect(extract.source).toMatchObject({
      package: '@cdktf/provider-azurerm@14.23.1',
      azurerm: '4.55.0',
      generatedBy: 'scripts/extract-azurerm-schema.ts',
    });
  });

  it('every 5.x difference cites its upgrade-guide line (a resource newer than the extract, its page)', () => {
    expect(differences.changes.length).toBeGreaterThan(10);
    for (const change of differences.changes) {
      const cited =
        change.kind === 'resource'
          ? new RegExp(`website/docs/r/${change.path.replace(/^azurerm_/, '')}\\.html\\.markdown`)
          : /5\.0-upgrade-guide\.html\.markdown:\d+$/;
      expect(change.source, change.path).toMatch(cited);
      expect(change.text, change.path).not.toBe('');
    }
  });

  it('against 4.x alone, only arguments 5.x added fail', () => {
    const added = differences.changes.filter((c) => c.change === 'added');
    const newer = new Set(differences.changes.filter((c) => c.kind === 'resource').map((c) => c.path));
    const unexplained = schemaProblems(model, extract).filter((problem) => {
      const missing = /^resource (\S+) is not in the azurerm schema extract/.exec(problem);
      if (missing) return !newer.has(missing[1] ?? '');
      const [, path = '', key = ''] =
        /^([^:]+): unknown (?:argument|nested block) "([^"]+)"$/.exec(problem) ?? [];
      const type = path.replace(/^data\./, '').split('.')[0] ?? '';
      return !added.some((c) => c.path.startsWith(`${type}.`) && c.path.endsWith(`.${key}`));
    });
    expect(unexplained).toEqual([]);
    // The two renames this configuration relies on are among them: the 5.x table is not idle.
    const problems = schemaProblems(model, extract).join('\n');
    expect(problems).toContain('unknown argument "private_dns_zone_id"');
    expect(problems).toContain('unknown argument "user_assigned_identity_id"');
  });
});

interface Mutation {
  name: string;
  file: string;
  from: string | RegExp;
  to: string;
  /** What the failure must say. */
  message: RegExp;
}

const mutations: Mutation[] = [
  {
    name: 'a misspelled argument',
    file: 'keyvault.tf',
    from: 'purge_protection_enabled      = true',
    to: 'purge_protection_enable       = true',
    message: /azurerm_key_vault\.main: unknown argument "purge_protection_enable"/,
  },
  {
    name: 'an unknown nested block',
    file: 'postgresql.tf',
    from: '  authentication {',
    to: '  maintenance_windw {\n    day_of_week = 0\n  }\n\n  authentication {',
    message: /azurerm_postgresql_flexible_server\.main: unknown nested block "maintenance_windw"/,
  },
  {
    name: 'an argument inside a nested block',
    file: 'redis.tf',
    from: 'clustering_policy = "NoCluster"',
    to: 'cluster_policy = "NoCluster"',
    message: /azurerm_managed_redis\.main\.default_database: unknown argument "cluster_policy"/,
  },
  {
    name: 'an unknown dynamic block',
    file: 'postgresql.tf',
    from: 'dynamic "high_availability"',
    to: 'dynamic "high_availabilty"',
    message: /unknown nested block "high_availabilty" \(dynamic\)/,
  },
  {
    name: 'an argument 5.0 removed',
    file: 'keyvault.tf',
    from: 'rbac_authorization_enabled    = true',
    to: 'enable_rbac_authorization     = true',
    message: /unknown argument "enable_rbac_authorization"/,
  },
  {
    name: 'a block written as an argument',
    file: 'redis.tf',
    from: '  default_database {',
    to: '  default_database = {',
    message: /"default_database" is a block, written as an argument/,
  },
  {
    name: 'an ignore_changes path that does not exist',
    file: 'postgresql.tf',
    from: 'ignore_changes = [zone, high_availability[0].standby_availability_zone]',
    to: 'ignore_changes = [zone, high_availability[0].standby_zone]',
    message: /lifecycle\.ignore_changes names unknown "high_availability\[0\]\.standby_zone"/,
  },
  {
    name: 'a resource type missing from the extract',
    file: 'redis.tf',
    from: 'resource "azurerm_managed_redis" "main" {',
    to: 'resource "azurerm_redis_cache" "legacy" {\n  name = "x"\n}\n\nresource "azurerm_managed_redis" "main" {',
    message: /resource azurerm_redis_cache is not in the azurerm schema extract; add it with/,
  },
  {
    name: 'a provider argument 5.0 removed',
    file: 'main.tf',
    from: 'resource_provider_registrations = "none"',
    to: 'skip_provider_registration = true',
    message: /provider\.azurerm: unknown argument "skip_provider_registration"/,
  },
  {
    name: 'an azapi resource type without an API version',
    file: 'redis.tf',
    from: 'resource "azurerm_managed_redis" "main" {',
    to: 'resource "azapi_resource" "settings" {\n  type = "GitHub.Network/networkSettings"\n}\n\nresource "azurerm_managed_redis" "main" {',
    message: /azapi_resource\.settings: type "GitHub\.Network\/networkSettings" has no @api-version/,
  },
];

describe('breaking the schema fails the check', () => {
  it.each(mutations)('$name ($file)', async ({ file, from, to, message }) => {
    const source = readSource(file);
    const broken = source.replace(from, to);
    expect(broken, 'the mutation must change the file').not.toBe(source);
    const problems = schemaProblems(await loadTerraform({ [file]: broken }), schema);
    expect(problems.join('\n')).toMatch(message);
  });
});
