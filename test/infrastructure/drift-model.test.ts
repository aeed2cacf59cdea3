// Time and drift (issue 20): no date that turns invalid, no attribute that diffs on every
// plan, lifecycle rules where Azure changes things on its own, model versions that a new
// subscription may still deploy, alert queries that match what Key Vault logs. Each check runs
// on the configuration, then each finding issue 20 fixed is reintroduced in memory and must fail.
import { beforeAll, describe, expect, it } from 'vitest';
import {
  checkAzureOwnedChanges,
  checkDateLiterals,
  checkKeyVaultAlertQueries,
  checkModelVersions,
  checkPerPlanDiffs,
  checkSecretsWaitForNotifications,
  loadDriftFacts,
  type DriftFacts,
} from './drift-model.js';
import { loadTerraform, readSource, type TerraformModel } from './terraform-model.js';
import { ruleNamed } from './rules/index.js';

const facts: DriftFacts = loadDriftFacts();

const checks: Record<string, (model: TerraformModel) => void> = {
  'no date literal turns invalid': (m) => checkDateLiterals(m, facts),
  'no attribute diffs on every plan': (m) => checkPerPlanDiffs(m, facts),
  'what Azure changes on its own is ignored': (m) => checkAzureOwnedChanges(m),
  'Azure OpenAI model versions are GA in the retirement table': (m) => checkModelVersions(m, facts),
  'Key Vault alert queries name exact operations': (m) => checkKeyVaultAlertQueries(m, facts),
  'secrets wait for the near-expiry subscription': (m) => checkSecretsWaitForNotifications(m),
};

let model: TerraformModel;

beforeAll(async () => {
  model = await loadTerraform();
});

describe('time and drift', () => {
  for (const [name, check] of Object.entries(checks)) it(name, () => check(model));

  it('the facts name their sources and the retirement table its reading date', () => {
    for (const [type, entry] of Object.entries(facts.logTables.types))
      expect(entry.source, type).not.toBe('');
    expect(facts.openaiModels.read).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(facts.openaiModels.source).toContain('model-retirement-schedule');
  });
});

interface Finding {
  /** Issue 20's point, or the standard item, that the mutation reintroduces. */
  finding: string;
  /** A drift check above, or a rule of test/infrastructure/rules. */
  check: string;
  file: string;
  from: string | RegExp;
  to: string;
}

const findings: Finding[] = [
  {
    finding: '2: a literal budget start date',
    check: 'no date literal turns invalid',
    file: 'variables.tf',
    from: /(variable "budget_start_date" \{[\s\S]*?default\s+= )""/,
    to: '$1"2026-12-01T00:00:00Z"',
  },
  {
    finding: 'secrets expiring on a literal date (stale for a vault created after it)',
    check: 'no date literal turns invalid',
    file: 'variables.tf',
    from: /(variable "secrets_expire_on" \{[\s\S]*?default\s+= )""/,
    to: '$1"2027-12-01T00:00:00Z"',
  },
  {
    finding: '2: the budget start date follows every plan',
    check: 'no attribute diffs on every plan',
    file: 'budget.tf',
    from: /\n\s*ignore_changes = \[time_period\]/,
    to: '',
  },
  {
    finding: '2: the budget start date from apply time',
    check: 'no attribute diffs on every plan',
    file: 'budget.tf',
    from: '00:00:00Z", plantimestamp())',
    to: '00:00:00Z", timestamp())',
  },
  {
    finding: '3: gpt-4o 2024-11-20, past its 12 months for new customers',
    check: 'Azure OpenAI model versions are GA in the retirement table',
    file: 'environments/prod.tfvars',
    from: '{ name = "gpt-5.5", version = "2026-04-24", sku = "GlobalStandard" }',
    to: '{ name = "gpt-4o", version = "2024-11-20", sku = "GlobalStandard" }',
  },
  {
    finding: '3: Whisper 001, retiring 2026-12-15',
    check: 'Azure OpenAI model versions are GA in the retirement table',
    file: 'environments/dev.tfvars',
    from: '{ name = "gpt-4o-mini-transcribe", version = "2025-12-15", sku = "GlobalStandard" }',
    to: '{ name = "whisper", version = "001", sku = "GlobalStandard" }',
  },
  {
    finding: '3: a model version outside the table is a date that turns invalid',
    check: 'no date literal turns invalid',
    file: 'environments/staging.tfvars',
    from: 'version = "2026-03-17"',
    to: 'version = "2024-07-18"',
  },
  {
    finding: '9: requests totalled over ten minutes (fires at 50 per minute)',
    check: 'autoscale on requests: out above 500, in below 100 per instance per minute',
    file: 'autoscale.tf',
    from: 'statistic = "Sum", aggregation = "Average", per_instance = true, operator = "GreaterThan"',
    to: 'statistic = "Sum", aggregation = "Total", per_instance = true, operator = "GreaterThan"',
  },
  {
    finding: '9: requests averaged over instances, then divided by them again',
    check: 'autoscale on requests: out above 500, in below 100 per instance per minute',
    file: 'autoscale.tf',
    from: 'statistic = "Sum", aggregation = "Average", per_instance = true, operator = "LessThan"',
    to: 'statistic = "Average", aggregation = "Average", per_instance = true, operator = "LessThan"',
  },
  {
    finding: "10: `has` on an operation name (whole terms: never matches Key Vault's names)",
    check: 'Key Vault alert queries name exact operations',
    file: 'alerts.tf',
    from: 'OperationName in (\\"SecretNearExpiryEventGridNotification\\", \\"SecretExpiredEventGridNotification\\")',
    to: 'OperationName has \\"NearExpiry\\" or OperationName has \\"Expired\\"',
  },
  {
    finding: '10: an operation name Key Vault never logs',
    check: 'Key Vault alert queries name exact operations',
    file: 'alerts.tf',
    from: '\\"SecretExpiredEventGridNotification\\"',
    to: '\\"SecretExpired\\"',
  },
  {
    finding: '10: a secret created before the near-expiry subscription',
    check: 'secrets wait for the near-expiry subscription',
    file: 'keyvault.tf',
    from: /depends_on(\s*)= \[azurerm_eventgrid_system_topic_event_subscription\.secret_near_expiry\]/,
    to: 'depends_on$1= []',
  },
  {
    finding: '12: the next apply after a failover moves the primary back',
    check: 'what Azure changes on its own is ignored',
    file: 'postgresql.tf',
    from: 'ignore_changes = [zone, high_availability[0].standby_availability_zone]',
    to: 'ignore_changes = [zone]',
  },
  {
    finding: 'autoscale-managed instance count fought by Terraform',
    check: 'what Azure changes on its own is ignored',
    file: 'app_service.tf',
    from: 'ignore_changes = [worker_count]',
    to: 'ignore_changes = []',
  },
  {
    finding: '13: Dedicated on every target (plans, VNet, NSG, public IP diff on every plan)',
    check: 'no attribute diffs on every plan',
    file: 'monitoring.tf',
    from: 'log_analytics_destination_type = each.value.logs && each.value.tables == "resource-specific" ? "Dedicated" : null',
    to: 'log_analytics_destination_type = "Dedicated"',
  },
  {
    finding: '13: an NSG said to have resource-specific tables',
    check: 'no attribute diffs on every plan',
    file: 'monitoring.tf',
    from: 'nsg_app       = { id = azurerm_network_security_group.nsg["app"].id, type = "Microsoft.Network/networkSecurityGroups", tables = "AzureDiagnostics"',
    to: 'nsg_app       = { id = azurerm_network_security_group.nsg["app"].id, type = "Microsoft.Network/networkSecurityGroups", tables = "resource-specific"',
  },
  {
    finding: '13: a target type the facts table does not know',
    check: 'no attribute diffs on every plan',
    file: 'monitoring.tf',
    from: 'type = "Microsoft.Network/publicIPAddresses"',
    to: 'type = "Microsoft.Network/natGateways"',
  },
  {
    finding: 'standard: break-glass principal with Key Vault Administrator',
    check: 'a break-glass principal holds Key Vault Administrator on the vault',
    file: 'break_glass.tf',
    from: 'role_definition_name = "Key Vault Administrator"',
    to: 'role_definition_name = "Key Vault Secrets User"',
  },
  {
    finding: 'standard: active connections > 90 % of max, Sev 1',
    check: 'alert: PostgreSQL active connections above 90 % of max is Sev 1',
    file: 'alerts.tf',
    from: 'floor(local.postgres_max_connections * 0.9)',
    to: 'floor(local.postgres_max_connections * 0.99)',
  },
  {
    finding: 'standard: > 80 % of the pool (its metrics need PgBouncer diagnostics)',
    check: 'alert: PgBouncer server connections above 80 % of the pool',
    file: 'postgresql.tf',
    from: /\n\s*local\.pgbouncer_enabled \? local\.pgbouncer_metrics_parameters : \{\},/,
    to: '',
  },
  {
    finding: "standard: seed 000's request-queue-length signal",
    check: 'autoscale on request queue length (seed 000)',
    file: 'autoscale.tf',
    from: 'metric = "HttpQueueLength", resource = "plan", statistic = "Average", aggregation = "Average", per_instance = false, operator = "GreaterThan"',
    to: 'metric = "CpuPercentage", resource = "plan", statistic = "Average", aggregation = "Average", per_instance = false, operator = "GreaterThan"',
  },
];

describe('reintroducing a finding fails its named check', () => {
  it.each(findings)('$finding ($file)', async ({ check, file, from, to }) => {
    const source = readSource(file);
    const broken = source.replace(from, to);
    expect(broken, 'the mutation must change the file').not.toBe(source);
    const mutated = await loadTerraform({ [file]: broken });
    const run = checks[check] ?? ruleNamed(check).check;
    expect(() => run(mutated)).toThrow();
  });
});
