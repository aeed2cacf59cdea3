// The time-and-drift model of the Terraform: what a date means next month and what Azure
// changes on its own. Each check throws with the finding; drift-model.test.ts runs them and
// breaks each in memory. The facts they rely on (where each resource type's logs land, the
// Azure OpenAI retirement table, Key Vault's operation names) are in drift/drift-facts.json,
// each with its source and the date it was read.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  asBodies,
  azapiType,
  environments,
  local,
  resource,
  resourcesOf,
  strings,
  variableValue,
  type Body,
  type TerraformModel,
} from './terraform-model.js';

type LogTables = 'resource-specific' | 'AzureDiagnostics' | 'none';

interface ModelFact {
  name: string;
  version: string;
  lifecycle: string;
  retires: string;
}

export interface DriftFacts {
  logTables: { types: Record<string, { tables: LogTables; source: string }> };
  openaiModels: { read: string; source: string; models: ModelFact[] };
  fixedDates: { entries: { variable: string; value: string; why: string }[] };
  keyVaultNotificationOperations: { names: string[] };
}

export function loadDriftFacts(): DriftFacts {
  return JSON.parse(
    readFileSync(join(import.meta.dirname, 'drift', 'drift-facts.json'), 'utf8'),
  ) as DriftFacts;
}

/** A calendar date, alone or starting an RFC 3339 timestamp. */
const isoDate = /\b\d{4}-\d{2}-\d{2}(?!\d)/;
/** API versions (`Microsoft.Web/sites@2024-04-01`) are fixed identifiers, not deadlines. */
const apiVersion = /@\d{4}-\d{2}-\d{2}(-preview)?\b/g;

/** Strips `${…}` around a whole-expression string. */
const expression = (value: unknown): string => String(value).replace(/^\$\{([\s\S]*)\}$/, '$1');

/** The `lifecycle.ignore_changes` entries of a resource, as written (`zone`, `model[0].version`). */
export function ignoredChanges(body: Body): string[] {
  return asBodies(body.lifecycle).flatMap((lifecycle) =>
    Array.isArray(lifecycle.ignore_changes) ? lifecycle.ignore_changes.map(expression) : [],
  );
}

function fail(findings: string[]): void {
  if (findings.length > 0) throw new Error(findings.join('\n'));
}

/**
 * No date literal in .tf/.tfvars that turns invalid: every ISO date is an Azure OpenAI model
 * version in the retirement table, an API version, or a documented fixed fact.
 */
export function checkDateLiterals(model: TerraformModel, facts: DriftFacts): void {
  const versions = new Set(facts.openaiModels.models.map((m) => m.version));
  const findings: string[] = [];
  for (const [file, doc] of Object.entries(model.documents)) {
    if (!file.endsWith('.tf') && !file.endsWith('.tfvars')) continue;
    for (const { path, value } of strings(doc)) {
      if (!isoDate.test(value.replace(apiVersion, ''))) continue;
      const modelVersion =
        /openai_[a-z_]+_model(\[0\]\.default)?\.version$/.test(path) && versions.has(value);
      const fixed = facts.fixedDates.entries.some(
        (entry) =>
          value === entry.value &&
          (path === `.variable.${entry.variable}[0].default` || path === `.${entry.variable}`),
      );
      if (!modelVersion && !fixed) findings.push(`${file} ${path}: date literal "${value}" turns invalid`);
    }
  }
  fail(findings);
}

/** What `log_analytics_destination_type` evaluates to for one diagnostic target. */
function destinationType(value: unknown, target: Body): unknown {
  if (value === undefined || value === null) return null;
  if (value === 'Dedicated' || value === 'AzureDiagnostics') return value;
  if (
    expression(value) === 'each.value.logs && each.value.tables == "resource-specific" ? "Dedicated" : null'
  )
    return target.logs === true && target.tables === 'resource-specific' ? 'Dedicated' : null;
  throw new Error(`cannot evaluate log_analytics_destination_type ${JSON.stringify(value)} offline`);
}

/**
 * No attribute that diffs on every plan: the Dedicated destination type only where a target's
 * logs land in resource-specific tables (anywhere else Azure stores nothing and the next plan
 * sets it again), and no apply-time timestamp() in an argument.
 */
export function checkPerPlanDiffs(model: TerraformModel, facts: DriftFacts): void {
  const findings: string[] = [];
  for (const [name, setting] of Object.entries(resourcesOf(model, 'azurerm_monitor_diagnostic_setting'))) {
    if (setting.for_each !== '${local.diagnostic_targets}') {
      if (setting.log_analytics_destination_type !== undefined)
        findings.push(`diagnostic setting ${name}: destination type on a target the model cannot see`);
      continue;
    }
    for (const [key, target] of Object.entries(local(model, 'diagnostic_targets') as Record<string, Body>)) {
      const known = facts.logTables.types[String(target.type)];
      if (!known) {
        findings.push(
          `diagnostic target ${key}: type ${String(target.type)} is not in drift-facts.json logTables`,
        );
        continue;
      }
      if (target.tables !== known.tables)
        findings.push(
          `diagnostic target ${key}: tables "${String(target.tables)}", but ${known.source} says ${known.tables}`,
        );
      const expected = target.logs === true && known.tables === 'resource-specific' ? 'Dedicated' : null;
      const actual = destinationType(setting.log_analytics_destination_type, {
        ...target,
        tables: known.tables,
      });
      if (actual !== expected)
        findings.push(
          `diagnostic target ${key} (${String(target.type)}): destination type ${String(actual)}, expected ${String(expected)}`,
        );
    }
  }
  findings.push(...planTimeValues(model));
  fail(findings);
}

/** Locals whose value matches `clock`, directly or through another local. */
function localsReading(model: TerraformModel, clock: RegExp): Set<string> {
  const found = new Set<string>();
  let grew = true;
  while (grew) {
    grew = false;
    for (const [name, value] of Object.entries(model.locals)) {
      const text = JSON.stringify(value);
      if (!found.has(name) && (clock.test(text) || [...found].some((l) => text.includes(`local.${l}`)))) {
        found.add(name);
        grew = true;
      }
    }
  }
  return found;
}

const applyTime = /(?<!plan)timestamp\(/;
const planTime = /plantimestamp\(/;

/** Whether an argument's text reads the clock, directly or through a local. */
const reads = (text: string, clock: RegExp, locals: Set<string>): boolean =>
  clock.test(text) || [...locals].some((l) => new RegExp(`local\\.${l}\\b`).test(text));

/** timestamp() (unknown until apply) never; plantimestamp() only under ignore_changes. */
function planTimeValues(model: TerraformModel): string[] {
  const findings: string[] = [];
  const applyLocals = localsReading(model, applyTime);
  const planLocals = localsReading(model, planTime);
  for (const [type, byName] of Object.entries(model.resources)) {
    for (const [name, body] of Object.entries(byName)) {
      const ignored = ignoredChanges(body);
      for (const [argument, value] of Object.entries(body)) {
        if (argument === 'lifecycle') continue;
        const text = JSON.stringify(value);
        if (reads(text, applyTime, applyLocals))
          findings.push(
            `${type}.${name}.${argument}: timestamp() is unknown until apply, a diff on every plan`,
          );
        else if (reads(text, planTime, planLocals) && !ignored.includes(argument))
          findings.push(
            `${type}.${name}.${argument}: reads the plan time but is not in lifecycle.ignore_changes`,
          );
      }
    }
  }
  return findings;
}

/**
 * Lifecycle rules where Azure changes things on its own: HA failover swaps PostgreSQL's zones,
 * autoscale owns the plan's instance count, auto-upgrade moves a model version.
 */
export function checkAzureOwnedChanges(model: TerraformModel): void {
  const findings: string[] = [];
  for (const [name, server] of Object.entries(resourcesOf(model, 'azurerm_postgresql_flexible_server'))) {
    const ha =
      server.high_availability !== undefined ||
      JSON.stringify(server.dynamic ?? {}).includes('"high_availability"');
    const ignored = ignoredChanges(server);
    for (const path of ['zone', 'high_availability[0].standby_availability_zone'])
      if (ha && !ignored.includes(path))
        findings.push(`azurerm_postgresql_flexible_server.${name}: a failover changes ${path}; ignore it`);
  }
  for (const [name, setting] of Object.entries(resourcesOf(model, 'azurerm_monitor_autoscale_setting'))) {
    const plan = /^\$\{azurerm_service_plan\.([a-z0-9_]+)\.id\}$/.exec(
      String(setting.target_resource_id),
    )?.[1];
    if (!plan) {
      findings.push(`autoscale ${name}: target ${String(setting.target_resource_id)} is not a service plan`);
      continue;
    }
    if (!ignoredChanges(resource(model, 'azurerm_service_plan', plan)).includes('worker_count'))
      findings.push(`azurerm_service_plan.${plan}: autoscale ${name} owns worker_count; ignore it`);
  }
  for (const [name, deployment] of Object.entries(resourcesOf(model, 'azurerm_cognitive_deployment'))) {
    if (
      deployment.version_upgrade_option !== 'NoAutoUpgrade' &&
      !ignoredChanges(deployment).includes('model[0].version')
    )
      findings.push(
        `azurerm_cognitive_deployment.${name}: Azure upgrades the model version; ignore model[0].version`,
      );
  }
  fail(findings);
}

/** Every environment deploys Azure OpenAI model versions that were GA in the table when read. */
export function checkModelVersions(model: TerraformModel, facts: DriftFacts): void {
  const findings: string[] = [];
  const variables = Object.keys(model.variables).filter((name) => /^openai_[a-z_]+_model$/.test(name));
  if (variables.length === 0)
    findings.push('no openai_*_model variables: the models are not per environment');
  for (const env of environments) {
    for (const name of variables) {
      const value = variableValue(model, env, name) as { name?: string; version?: string };
      const fact = facts.openaiModels.models.find(
        (m) => m.name === value.name && m.version === value.version,
      );
      if (!fact)
        findings.push(`${env} ${name}: ${value.name} ${value.version} is not in the retirement table`);
      else if (fact.lifecycle !== 'GA' || fact.retires <= facts.openaiModels.read)
        findings.push(
          `${env} ${name}: ${fact.name} ${fact.version} was ${fact.lifecycle}, retiring ${fact.retires}`,
        );
    }
  }
  fail(findings);
}

/** OperationName filters on AZKVAuditLogs use exact names Key Vault logs (== or in). */
export function checkKeyVaultAlertQueries(model: TerraformModel, facts: DriftFacts): void {
  const names = new Set(facts.keyVaultNotificationOperations.names);
  const findings: string[] = [];
  for (const [key, alert] of Object.entries(local(model, 'log_alerts') as Record<string, Body>)) {
    const query = String(alert.query);
    if (!query.includes('AZKVAuditLogs')) continue;
    const filters = [...query.matchAll(/OperationName\s+(\S+)\s*(\([^)]*\)|"[^"]*")/g)];
    if (filters.length === 0) findings.push(`${key}: AZKVAuditLogs query without an OperationName filter`);
    for (const [, operator = '', operand = ''] of filters) {
      if (operator !== '==' && operator !== 'in')
        findings.push(`${key}: OperationName ${operator} matches terms, not Key Vault's operation names`);
      for (const [, quoted = ''] of operand.matchAll(/"([^"]*)"/g))
        if (!names.has(quoted)) findings.push(`${key}: Key Vault logs no operation "${quoted}"`);
    }
  }
  const secretAlert = (local(model, 'log_alerts') as Record<string, Body>).secret_near_expiry;
  if (!String(secretAlert?.query).includes('"SecretNearExpiryEventGridNotification"'))
    findings.push('secret_near_expiry: does not match SecretNearExpiryEventGridNotification');
  fail(findings);
}

/** Every Key Vault secret (written through ARM by azapi, or by the data plane) is created after the near-expiry subscription that reports on it. */
export function checkSecretsWaitForNotifications(model: TerraformModel): void {
  const subscription = '${azurerm_eventgrid_system_topic_event_subscription.secret_near_expiry}';
  const typeOf = (body: Body) => azapiType(model, body);
  const secrets = [
    ...Object.entries(resourcesOf(model, 'azurerm_key_vault_secret')).map(
      ([name, body]) => [`azurerm_key_vault_secret.${name}`, body] as const,
    ),
    ...Object.entries(resourcesOf(model, 'azapi_resource'))
      .filter(([, body]) => typeOf(body).startsWith('Microsoft.KeyVault/vaults/secrets@'))
      .map(([name, body]) => [`azapi_resource.${name}`, body] as const),
  ];
  const findings = secrets
    .filter(([, secret]) => !(Array.isArray(secret.depends_on) && secret.depends_on.includes(subscription)))
    .map(([name]) => `${name}: does not depend on the near-expiry subscription`);
  fail(findings);
}
