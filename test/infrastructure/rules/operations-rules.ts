// Seed 004 identity, monitoring, alerting, autoscale, cost and state management, with seed
// 000's memory autoscale and cost alerts and seed 001's storage alerts.
import { expect } from 'vitest';
import {
  asBodies,
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
import { exists, perEnvironment, rule, type Rule } from './rule.js';

/** The five roles seed 004 and Azimuth's storage use need, on their targets. */
const appRoles = {
  'Key Vault Secrets User': '${azurerm_key_vault.main.id}',
  'Storage Blob Data Contributor': '${azurerm_storage_account.main.id}',
  'Storage Table Data Contributor': '${azurerm_storage_account.main.id}',
  'Cognitive Services OpenAI User': '${azurerm_cognitive_account.openai.id}',
  'Monitoring Metrics Publisher': '${azurerm_application_insights.component["app"].id}',
};

/** Resource types with Azure Monitor diagnostic settings that this configuration creates. */
const diagnosable = [
  'azurerm_linux_web_app',
  'azurerm_service_plan',
  'azurerm_postgresql_flexible_server',
  'azurerm_managed_redis',
  'azurerm_key_vault',
  'azurerm_cognitive_account',
  'azurerm_storage_account',
  'azurerm_virtual_network',
  'azurerm_network_security_group',
  'azurerm_public_ip',
  'azurerm_eventgrid_system_topic',
  'azurerm_log_analytics_workspace',
];

/** The break-glass Key Vault Administrator assignment (break_glass.tf). */
const breakGlass = 'break_glass_key_vault_administrator';

const metricAlert = (m: TerraformModel, key: string): Body => {
  const alert = (local(m, 'metric_alerts') as Record<string, Body>)[key];
  if (!alert) throw new Error(`metric alert ${key} is missing`);
  return alert;
};
const logAlert = (m: TerraformModel, key: string): Body => {
  const alert = (local(m, 'log_alerts') as Record<string, Body>)[key];
  if (!alert) throw new Error(`log alert ${key} is missing`);
  return alert;
};

function expectMetricAlert(m: TerraformModel, key: string, expected: Partial<Body>): void {
  expect(metricAlert(m, key)).toMatchObject(expected);
}

const autoscale = (m: TerraformModel) =>
  block(resource(m, 'azurerm_monitor_autoscale_setting', 'api'), 'profile');

/** The autoscale rules as written in local.autoscale_rules, with the trigger and action they expand to. */
function scaleRules(m: TerraformModel): { spec: Body; trigger: Body; action: Body }[] {
  const rules = dynamicBlock(autoscale(m), 'rule');
  expect(rules.forEach).toBe('${local.autoscale_rules}');
  return (local(m, 'autoscale_rules') as Body[]).map((spec) => ({
    spec,
    trigger: block(rules.content, 'metric_trigger'),
    action: block(rules.content, 'scale_action'),
  }));
}

type ScaleRule = ReturnType<typeof scaleRules>[number];

/** A trigger argument as one rule expands it: the spec's field when it reads `rule.value.<field>`. */
function triggerValue(r: ScaleRule, key: string, specKey: string): unknown {
  return r.trigger[key] === `\${rule.value.${specKey}}` ? r.spec[specKey] : r.trigger[key];
}

/** Minutes in an ISO 8601 duration such as PT10M or PT1H. */
function minutes(duration: unknown): number {
  const match = /^PT(?:(\d+)H)?(?:(\d+)M)?$/.exec(String(duration));
  if (!match) throw new Error(`unsupported duration ${String(duration)}`);
  return Number(match[1] ?? 0) * 60 + Number(match[2] ?? 0);
}

/**
 * What a Requests rule's threshold means in requests per minute per instance. Autoscale takes the
 * metric per time grain (combined over instances by `statistic`), aggregates the grains over the
 * window (`time_aggregation`) and divides by the instance count when asked; a Total over a
 * 10-minute window of 1-minute grains is ten minutes of requests.
 */
function requestsPerMinutePerInstance(r: ScaleRule): number {
  const statistic = triggerValue(r, 'statistic', 'statistic');
  const aggregation = triggerValue(r, 'time_aggregation', 'aggregation');
  const perInstance = triggerValue(r, 'divide_by_instance_count', 'per_instance');
  if (statistic !== 'Sum')
    throw new Error(`requests must be summed over instances, not ${String(statistic)}`);
  if (perInstance !== true) throw new Error('requests must be divided by the instance count');
  const grain = minutes(r.trigger.time_grain);
  const perGrain = aggregation === 'Total' ? minutes(r.trigger.time_window) / grain : 1;
  if (aggregation !== 'Total' && aggregation !== 'Average')
    throw new Error(`unsupported aggregation ${String(aggregation)}`);
  return Number(r.spec.threshold) / perGrain / grain;
}

/** Resource ids a diagnostic target must name: one per for_each key, else the resource's own. */
function expectedDiagnosticIds(m: TerraformModel, type: string, name: string, body: Body): string[] {
  const forEach =
    typeof body.for_each === 'string' ? /^\$\{local\.([a-z_]+)\}$/.exec(body.for_each)?.[1] : undefined;
  if (!forEach) return [`\${${type}.${name}.id}`];
  return Object.keys(local(m, forEach) as Body).map((key) => `\${${type}.${name}["${key}"].id}`);
}

export const identityRules: Rule[] = [
  rule('app identities hold exactly the roles they need', (m) => {
    const roles = local(m, 'app_roles') as Record<string, Body>;
    const granted = Object.fromEntries(Object.values(roles).map((r) => [String(r.role), r.scope]));
    expect(granted).toEqual(appRoles);
    expect(String(local(m, 'app_principals'))).toMatch(/api\s+=.*\n\s+worker\s+=/);
    expect(String(local(m, 'app_principals'))).toContain('api_staging_slot');
    const assignment = resource(m, 'azurerm_role_assignment', 'app');
    expect(assignment.for_each).toBe('${local.app_role_assignments}');
  }),
  rule('no application identity is a Key Vault Secrets Officer or Administrator', (m) => {
    for (const [name, assignment] of Object.entries(resourcesOf(m, 'azurerm_role_assignment'))) {
      const role = String(assignment.role_definition_name);
      if (name === breakGlass && role === 'Key Vault Administrator') continue;
      if (/Secrets Officer|Key Vault Administrator|Owner/.test(role)) {
        expect(assignment.principal_id, name).toBe('${data.azurerm_client_config.current.object_id}');
      }
    }
  }),
  rule('a break-glass principal holds Key Vault Administrator on the vault', (m) => {
    const assignment = resource(m, 'azurerm_role_assignment', breakGlass);
    expect(assignment).toMatchObject({
      for_each: '${toset(var.key_vault_break_glass_object_ids)}',
      principal_id: '${each.value}',
      scope: '${azurerm_key_vault.main.id}',
      role_definition_name: 'Key Vault Administrator',
    });
    // Every plan for production without one says so (a check block, not a blocked apply).
    const check = Object.values(m.documents).flatMap((doc) => asBodies(doc.check));
    expect(JSON.stringify(check)).toContain('length(var.key_vault_break_glass_object_ids) > 0');
  }),
  rule('the CI principal uses federated credentials, no secret', (m) => {
    for (const name of ['ci', 'ci_azure_devops']) {
      const credential = resource(m, 'azurerm_federated_identity_credential', name);
      expect(credential.user_assigned_identity_id).toBe('${azurerm_user_assigned_identity.ci[each.key].id}');
      expect(credential.audience).toEqual(['api://AzureADTokenExchange']);
    }
    expect(resourcesOf(m, 'azuread_application_password')).toEqual({});
    expect(resourcesOf(m, 'azuread_service_principal_password')).toEqual({});
    expect(Object.keys(variableValue(m, 'prod', 'ci_oidc_subjects') as object).length).toBeGreaterThan(0);
  }),
];

export const monitoringRules: Rule[] = [
  rule('Log Analytics keeps 90 days and Application Insights is workspace-based', (m) => {
    const workspace = resource(m, 'azurerm_log_analytics_workspace', 'main');
    expect(evaluate(m, 'prod', workspace.retention_in_days)).toBe(90);
    const insights = resource(m, 'azurerm_application_insights', 'component');
    expect(insights.workspace_id).toBe('${azurerm_log_analytics_workspace.main.id}');
    expect(evaluate(m, 'prod', insights.retention_in_days)).toBe(90);
  }),
  rule('every resource with diagnostic settings sends them to Log Analytics', (m) => {
    const targets = Object.values(local(m, 'diagnostic_targets') as Record<string, Body>).map((t) =>
      String(t.id),
    );
    for (const type of diagnosable) {
      const resources = Object.entries(resourcesOf(m, type));
      expect(resources.length, type).toBeGreaterThan(0);
      for (const [name, body] of resources) {
        for (const id of expectedDiagnosticIds(m, type, name, body)) {
          expect(
            targets.some((target) => target.startsWith(id)),
            id,
          ).toBe(true);
        }
      }
    }
    const setting = resource(m, 'azurerm_monitor_diagnostic_setting', 'all');
    expect(setting.log_analytics_workspace_id).toBe('${azurerm_log_analytics_workspace.main.id}');
  }),
  rule('alerts notify the action group in staging and production', (m) => {
    for (const type of ['azurerm_monitor_metric_alert', 'azurerm_monitor_scheduled_query_rules_alert_v2']) {
      for (const alert of Object.values(resourcesOf(m, type)))
        expect(alert.for_each).toMatch(/^\$\{var\.alerts_enabled \?/);
    }
    expect(environments.map((env) => variableValue(m, env, 'alerts_enabled'))).toEqual([false, true, true]);
    const metric = resource(m, 'azurerm_monitor_metric_alert', 'metric');
    expect(block(metric, 'action').action_group_id).toBe('${azurerm_monitor_action_group.main.id}');
  }),
  rule('alert: response time P95 above 5 s', (m) => {
    expect(logAlert(m, 'api_latency_p95')).toMatchObject({ threshold: 5000, severity: 2, measure: 'p95_ms' });
    expect(String(logAlert(m, 'api_latency_p95').query)).toContain('percentile(duration, 95)');
  }),
  rule('alert: 5xx rate above 1 %', (m) => {
    expect(logAlert(m, 'api_5xx_rate')).toMatchObject({ threshold: 1, severity: 1, measure: 'rate_percent' });
    expect(String(logAlert(m, 'api_5xx_rate').query)).toContain('>= 500');
  }),
  rule('alert: CPU above 80 %', (m) => {
    for (const key of ['api_cpu', 'worker_cpu']) {
      expectMetricAlert(m, key, {
        metric: 'CpuPercentage',
        operator: 'GreaterThan',
        threshold: 80,
        severity: 2,
      });
    }
  }),
  rule('alert: memory above 85 %', (m) => {
    for (const key of ['api_memory', 'worker_memory']) {
      expectMetricAlert(m, key, {
        metric: 'MemoryPercentage',
        operator: 'GreaterThan',
        threshold: 85,
        severity: 2,
      });
    }
  }),
  rule('alert: App Service down (health check, Sev 0)', (m) => {
    expectMetricAlert(m, 'api_down', { metric: 'HealthCheckStatus', operator: 'LessThan', severity: 0 });
  }),
  rule('alert: PostgreSQL active connections above 90 % of max is Sev 1', (m) => {
    expectMetricAlert(m, 'postgres_connections', {
      namespace: 'Microsoft.DBforPostgreSQL/flexibleServers',
      metric: 'active_connections',
      operator: 'GreaterThan',
      severity: 1,
      threshold: '${floor(local.postgres_max_connections * 0.9)}',
    });
    const bySku = local(m, 'postgres_max_connections_by_sku') as Record<string, number>;
    for (const env of environments)
      expect(bySku[String(variableValue(m, env, 'postgres_sku'))], env).toBeGreaterThan(0);
    expect(local(m, 'postgres_max_connections')).toBe(
      '${local.postgres_max_connections_by_sku[var.postgres_sku]}',
    );
  }),
  rule('alert: PgBouncer server connections above 80 % of the pool', (m) => {
    expectMetricAlert(m, 'postgres_pool', {
      metric: 'server_connections_active',
      operator: 'GreaterThan',
      threshold: '${tonumber(local.pgbouncer_parameters["pgbouncer.default_pool_size"]) * 0.8}',
    });
    // The pool metrics exist only with PgBouncer diagnostics on.
    expect(local(m, 'pgbouncer_metrics_parameters')).toEqual({ 'metrics.pgbouncer_diagnostics': 'on' });
    expect(String(local(m, 'postgres_parameters'))).toContain(
      'local.pgbouncer_enabled ? local.pgbouncer_metrics_parameters',
    );
  }),
  rule('alert: Redis memory above 80 %', (m) => {
    expectMetricAlert(m, 'redis_memory', {
      namespace: 'Microsoft.Cache/redisEnterprise',
      metric: 'usedmemorypercentage',
      threshold: 80,
    });
  }),
  rule('alert: storage above 80 % of the budgeted quota', (m) => {
    expectMetricAlert(m, 'storage_capacity', { metric: 'UsedCapacity', operator: 'GreaterThan' });
    expect(metricAlert(m, 'storage_capacity').threshold).toBe(
      '${var.storage_quota_gb * 0.8 * 1024 * 1024 * 1024}',
    );
  }),
  rule('alert: upload failure rate above 5 % is critical', (m) => {
    expect(logAlert(m, 'storage_upload_failure_rate')).toMatchObject({ threshold: 5, severity: 1 });
    expect(String(logAlert(m, 'storage_upload_failure_rate').query)).toContain('local.upload_operations');
  }),
  rule('alert: average upload above 5 s is a warning', (m) => {
    expect(logAlert(m, 'storage_upload_duration')).toMatchObject({
      threshold: 5000,
      severity: 2,
      measure: 'avg_ms',
    });
  }),
  rule('alert: an open circuit breaker is critical', (m) => {
    expect(logAlert(m, 'circuit_breaker_open')).toMatchObject({ threshold: 0, severity: 1 });
    expect(String(logAlert(m, 'circuit_breaker_open').query)).toContain('circuit open');
  }),
  rule('alert: LLM daily cost above its threshold', (m) => {
    expect(logAlert(m, 'llm_daily_cost')).toMatchObject({
      window: 'P1D',
      measure: 'cost_usd',
      threshold: '${var.llm_daily_cost_threshold_usd}',
    });
    expect(String(local(m, 'llm_cost_query'))).toContain('ProcessedPromptTokens');
  }),
];

export const autoscaleRules: Rule[] = [
  rule('production autoscales the API plan between 2 and 6 instances', (m) => {
    const setting = resource(m, 'azurerm_monitor_autoscale_setting', 'api');
    expect(environments.map((env) => exists(m, env, setting))).toEqual([false, false, true]);
    expect(setting.target_resource_id).toBe('${azurerm_service_plan.api.id}');
    const capacity = block(autoscale(m), 'capacity');
    expect(perEnvironment(m, capacity, 'minimum').prod).toBe(2);
    expect(perEnvironment(m, capacity, 'maximum').prod).toBe(6);
  }),
  rule('autoscale on CPU: out above 70 %, in below 30 %, over 10 minutes', (m) => {
    const cpu = scaleRules(m).filter((r) => r.spec.metric === 'CpuPercentage');
    expect(cpu.map((r) => [r.spec.operator, r.spec.threshold, r.spec.direction])).toEqual([
      ['GreaterThan', 70, 'Increase'],
      ['LessThan', 30, 'Decrease'],
    ]);
    for (const r of cpu) {
      expect(r.trigger.time_window).toBe('PT10M');
      expect(r.spec.resource).toBe('plan');
      expect(triggerValue(r, 'statistic', 'statistic')).toBe('Average');
      expect(triggerValue(r, 'time_aggregation', 'aggregation')).toBe('Average');
    }
  }),
  rule('autoscale on requests: out above 500, in below 100 per instance per minute', (m) => {
    const requests = scaleRules(m).filter((r) => r.spec.metric === 'Requests');
    expect(requests.map((r) => [r.spec.operator, r.spec.direction])).toEqual([
      ['GreaterThan', 'Increase'],
      ['LessThan', 'Decrease'],
    ]);
    // What each rule fires at, in the seed's unit (requests per minute per instance).
    expect(requests.map((r) => requestsPerMinutePerInstance(r))).toEqual([500, 100]);
    // Requests is an app (Microsoft.Web/sites) metric: the plan has none.
    for (const r of requests) expect(r.spec.resource).toBe('app');
    expect(requests[0]?.trigger.metric_resource_id).toBe(
      '${rule.value.resource == "app" ? azurerm_linux_web_app.api.id : azurerm_service_plan.api.id}',
    );
  }),
  rule('autoscale on memory (seed 000)', (m) => {
    const memory = scaleRules(m).filter((r) => r.spec.metric === 'MemoryPercentage');
    expect(memory.map((r) => r.spec.direction)).toEqual(['Increase', 'Decrease']);
  }),
  rule('autoscale on request queue length (seed 000)', (m) => {
    const queue = scaleRules(m).filter((r) => r.spec.metric === 'HttpQueueLength');
    expect(queue.map((r) => [r.spec.resource, r.spec.operator, r.spec.direction])).toEqual([
      ['plan', 'GreaterThan', 'Increase'],
      ['plan', 'LessThan', 'Decrease'],
    ]);
    const [out, back] = queue.map((r) => Number(r.spec.threshold));
    expect(out).toBeGreaterThan(back ?? Infinity);
  }),
  rule('autoscale cooldowns are 5 minutes', (m) => {
    const rules = scaleRules(m);
    expect(rules.length).toBe(8);
    for (const r of rules) expect(r.action.cooldown).toBe('PT5M');
  }),
];

export const costRules: Rule[] = [
  rule('monthly budget notifies at 80 % and 100 % actual and 100 % forecast', (m) => {
    const budget = resource(m, 'azurerm_consumption_budget_resource_group', 'main');
    expect(budget.time_grain).toBe('Monthly');
    expect(local(m, 'budget_notifications')).toEqual([
      { threshold: 80, type: 'Actual' },
      { threshold: 100, type: 'Actual' },
      { threshold: 100, type: 'Forecasted' },
    ]);
    const notification = dynamicBlock(budget, 'notification');
    expect(notification.forEach).toBe('${local.budget_notifications}');
    expect(notification.content).toMatchObject({
      threshold: '${notification.value.threshold}',
      threshold_type: '${notification.value.type}',
      contact_groups: ['${azurerm_monitor_action_group.main.id}'],
    });
    for (const env of environments) expect(variableValue(m, env, 'monthly_budget_amount')).toBeGreaterThan(0);
  }),
  rule('budget starts on the first of the creating month and ignores later plans', (m) => {
    const budget = resource(m, 'azurerm_consumption_budget_resource_group', 'main');
    expect(block(budget, 'time_period').start_date).toBe('${local.budget_start_date}');
    expect(local(m, 'budget_start_date')).toBe(
      `\${var.budget_start_date != "" ? var.budget_start_date : formatdate("YYYY-MM-01'T'00:00:00Z", plantimestamp())}`,
    );
    expect(block(budget, 'lifecycle').ignore_changes).toEqual(['${time_period}']);
    // timestamp() is unknown until apply (a diff on every plan); plantimestamp() is the plan's.
    for (const [file, source] of Object.entries(m.sources)) {
      const code = source.replace(/#.*$/gm, '');
      expect(code, file).not.toMatch(/(?<!plan)timestamp\(/);
    }
  }),
];

export const stateRules: Rule[] = [
  rule('Terraform and azurerm are pinned to a major version', (m) => {
    const [settings] = m.terraform;
    expect(settings?.required_version).toBe('~> 1.11');
    const providers = block(settings ?? {}, 'required_providers') as Record<string, Body>;
    expect(providers.azurerm).toEqual({ source: 'hashicorp/azurerm', version: '~> 5.2' });
    expect(providers.random).toEqual({ source: 'hashicorp/random', version: '~> 3.7' });
    // sensitive_body_version (keyvault.tf) exists from azapi 2.5; rfc3339_parse from time 0.11.
    expect(providers.azapi).toEqual({ source: 'Azure/azapi', version: '~> 2.5' });
    expect(providers.time).toEqual({ source: 'hashicorp/time', version: '~> 0.13' });
  }),
  rule('state lives in an Azure Storage backend with Entra ID auth', (m) => {
    const [settings] = m.terraform;
    expect(Object.keys(block(settings ?? {}, 'backend'))).toEqual(['azurerm']);
    const example = m.documents['backend.hcl.example'] ?? {};
    expect(example.use_azuread_auth).toBe(true);
    for (const forbidden of ['access_key', 'sas_token', 'client_secret'])
      expect(example[forbidden]).toBeUndefined();
  }),
];
