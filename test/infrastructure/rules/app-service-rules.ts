// Seed 004 "Compute: Azure App Service" (plus the brief's Azimuth specifics): plans, the API,
// its staging slot, the worker, app settings and the custom domain.
import { expect } from 'vitest';
import { isSecret } from '../../../src/platform/config/settings-schema.js';
import { primaryGraceMs } from '../../../src/roles/cluster.js';
import { AzimuthSettingsSchema } from '../../../src/roles/settings.js';
import {
  block,
  environments,
  evaluate,
  local,
  resource,
  variableValue,
  type Body,
  type TerraformModel,
} from '../terraform-model.js';
import { exists, expectEverywhere, perEnvironment, rule, type Rule } from './rule.js';

const api = (m: TerraformModel) => resource(m, 'azurerm_linux_web_app', 'api');
const worker = (m: TerraformModel) => resource(m, 'azurerm_linux_web_app', 'worker');
const slot = (m: TerraformModel) => resource(m, 'azurerm_linux_web_app_slot', 'staging');
const webApps = (m: TerraformModel): [string, Body][] => [
  ['api', api(m)],
  ['staging slot', slot(m)],
  ['worker', worker(m)],
];
const apiSites = (m: TerraformModel): [string, Body][] => [
  ['api', block(api(m), 'site_config')],
  ['staging slot', block(slot(m), 'site_config')],
];
const allSites = (m: TerraformModel): [string, Body][] => [
  ...apiSites(m),
  ['worker', block(worker(m), 'site_config')],
];

function expectOn(sites: [string, Body][], attribute: string, expected: unknown): void {
  for (const [name, body] of sites) expect(body[attribute], `${name}: ${attribute}`).toEqual(expected);
}

/** Every `NAME = value` in app_service.tf's settings maps (the base map and the conditional ones). */
function appSettingAssignments(m: TerraformModel): [string, string][] {
  const code = (m.sources['app_service.tf'] ?? '')
    .split('\n')
    .filter((line) => !line.trimStart().startsWith('#'))
    .join('\n');
  return [...code.matchAll(/\b([A-Z][A-Z0-9_]{2,})\s*=\s*([^,}\n]+?)\s*(?=[,}]|$)/gm)].map(
    (match) => [match[1] ?? '', match[2] ?? ''] as [string, string],
  );
}

const platformSetting = /^(WEBSITE_|WEBSITES_|SCM_)/;
const settingNames = new Set(Object.keys(AzimuthSettingsSchema.properties));

export const appServiceRules: Rule[] = [
  rule('app service plans are Linux with the seed SKUs B1 / P1v3 / P2v3', (m) => {
    const plan = resource(m, 'azurerm_service_plan', 'api');
    expect(plan.os_type).toBe('Linux');
    expect(perEnvironment(m, plan, 'sku_name')).toEqual({ dev: 'B1', staging: 'P1v3', prod: 'P2v3' });
    expect(resource(m, 'azurerm_service_plan', 'worker').os_type).toBe('Linux');
    expect(variableValue(m, 'prod', 'worker_service_sku')).toBe('P1v3');
  }),
  rule('web apps run the Node 22 LTS runtime stack, no container', (m) => {
    for (const [name, site] of allSites(m)) {
      const stack = block(site, 'application_stack');
      expect(Object.keys(stack), name).toEqual(['node_version']);
      expectEverywhere(m, stack, 'node_version', '22-lts');
    }
  }),
  rule('web apps are HTTPS only', (m) => {
    for (const [name, app] of webApps(m)) expect(app.https_only, name).toBe(true);
  }),
  rule('web apps require TLS 1.2 or later', (m) => {
    expectOn(allSites(m), 'minimum_tls_version', '1.2');
    expectOn(allSites(m), 'scm_minimum_tls_version', '1.2');
  }),
  rule('FTP and basic-auth publishing are disabled', (m) => {
    expectOn(allSites(m), 'ftps_state', 'Disabled');
    for (const [name, app] of webApps(m)) {
      expect(app.ftp_publish_basic_authentication_enabled, name).toBe(false);
      expect(app.webdeploy_publish_basic_authentication_enabled, name).toBe(false);
    }
  }),
  rule('remote debugging is off', (m) => expectOn(allSites(m), 'remote_debugging_enabled', false)),
  rule('Always On is enabled', (m) => expectOn(allSites(m), 'always_on', true)),
  rule('ARR affinity is disabled', (m) => {
    for (const [name, app] of webApps(m)) expect(app.client_affinity_enabled, name).toBe(false);
  }),
  rule('API WebSockets and HTTP/2 are enabled', (m) => {
    expectOn(apiSites(m), 'websockets_enabled', true);
    expectOn(allSites(m), 'http2_enabled', true);
    expectOn(allSites(m), 'use_32_bit_worker', false);
  }),
  rule('health check probes /health/readiness with an eviction time', (m) => {
    expectOn(allSites(m), 'health_check_path', '/health/readiness');
    for (const [name, site] of allSites(m)) {
      expect(site.health_check_eviction_time_in_min, name).toBeGreaterThanOrEqual(2);
      expect(site.health_check_eviction_time_in_min, name).toBeLessThanOrEqual(10);
    }
  }),
  rule('VNet integration routes all outbound traffic', (m) => {
    expectOn(allSites(m), 'vnet_route_all_enabled', true);
    expect(api(m).virtual_network_subnet_id).toBe('${azurerm_subnet.subnet["app"].id}');
    expect(slot(m).virtual_network_subnet_id).toBe('${azurerm_subnet.subnet["app"].id}');
    expect(worker(m).virtual_network_subnet_id).toBe('${azurerm_subnet.subnet["worker"].id}');
  }),
  rule('web apps have a system-assigned identity', (m) => {
    for (const [name, app] of webApps(m)) expect(block(app, 'identity').type, name).toBe('SystemAssigned');
  }),
  // Seed 004's worker table (P1v3 → 2, P2v3 → 3–4): `auto` forks one API process per vCPU, at
  // most 6 (src/roles/cluster.ts), so every core of the plan serves requests.
  rule('start commands run the api on every core and the worker role', (m) => {
    expectOn(apiSites(m), 'app_command_line', 'node dist/roles/cli.js api --workers auto');
    expect(block(worker(m), 'site_config').app_command_line).toBe('node dist/roles/cli.js worker');
  }),
  rule('app settings use Azimuth setting names or App Service switches', (m) => {
    const assignments = appSettingAssignments(m);
    expect(assignments.length).toBeGreaterThan(20);
    for (const [name] of assignments) {
      expect(settingNames.has(name) || platformSetting.test(name), `${name} is not an Azimuth setting`).toBe(
        true,
      );
    }
  }),
  rule('secret settings are Key Vault references', (m) => {
    const secrets = appSettingAssignments(m).filter(([name]) => isSecret(name));
    expect(secrets.map(([name]) => name)).toEqual(
      expect.arrayContaining([
        'DATABASE_URL',
        'REDIS_URL',
        'APPLICATIONINSIGHTS_CONNECTION_STRING',
        'AUTH_JWT_SECRET',
      ]),
    );
    for (const [name, value] of secrets) expect(value, name).toMatch(/^local\.kv_ref\.[a-z_]+$/);
    expect(String(local(m, 'kv_ref'))).toContain('@Microsoft.KeyVault(SecretUri=');
  }),
  // With several API processes the primary outlives the workers' drain by primaryGraceMs.
  rule('the container stop limit exceeds the shutdown drain', (m) => {
    const base = local(m, 'app_settings_base') as Body;
    expect(base.WEBSITES_CONTAINER_STOP_TIME_LIMIT).toBe(
      '${tostring(var.container_stop_time_limit_seconds)}',
    );
    expect(base.SHUTDOWN_TIMEOUT_MS).toBe('${tostring(var.shutdown_timeout_ms)}');
    for (const env of environments) {
      const stopSeconds = Number(variableValue(m, env, 'container_stop_time_limit_seconds'));
      const drainMs = Number(variableValue(m, env, 'shutdown_timeout_ms'));
      expect(stopSeconds, env).toBeGreaterThan(5);
      expect(drainMs + primaryGraceMs, env).toBeLessThan(stopSeconds * 1000);
    }
  }),
  // Seed 004 "Sampling: Adaptive (target 5 events/sec in production)".
  rule('telemetry is sampled at seed 004’s target rate', (m) => {
    const base = local(m, 'app_settings_base') as Body;
    expect(base.APPLICATIONINSIGHTS_TRACES_PER_SECOND).toBe('5');
  }),
  rule('slot swap warms up on /health/readiness expecting 200', (m) => {
    const base = local(m, 'app_settings_base') as Body;
    expect(base.WEBSITE_SWAP_WARMUP_PING_PATH).toBe('/health/readiness');
    expect(base.WEBSITE_SWAP_WARMUP_PING_STATUSES).toBe('200');
  }),
  rule('apps run from the deployed zip without a server build', (m) => {
    const base = local(m, 'app_settings_base') as Body;
    expect(base.WEBSITE_RUN_FROM_PACKAGE).toBe('1');
    expect(base.SCM_DO_BUILD_DURING_DEPLOYMENT).toBe('false');
  }),
  rule('the API never migrates at start-up', (m) => {
    const base = local(m, 'app_settings_base') as Body;
    expect(base.DATABASE_AUTO_MIGRATE).toBe('false');
    expect(api(m).app_settings).toBe('${local.app_settings}');
    expect(String(local(m, 'app_settings'))).toMatch(/^\$\{merge\(\s*local\.app_settings_base,/);
  }),
  rule('production has a staging slot with the same site config', (m) => {
    const staging = slot(m);
    expect(staging.name).toBe('staging');
    expect(environments.map((env) => exists(m, env, staging))).toEqual([false, false, true]);
    expect(block(staging, 'site_config')).toEqual(block(api(m), 'site_config'));
  }),
  rule('database URL, environment and telemetry are slot-sticky', (m) => {
    const sticky = evaluate(m, 'prod', block(api(m), 'sticky_settings').app_setting_names);
    expect(sticky).toEqual(
      expect.arrayContaining(['DATABASE_URL', 'ENVIRONMENT', 'APPLICATIONINSIGHTS_CONNECTION_STRING']),
    );
    expect(String(local(m, 'staging_slot_app_settings'))).toMatch(
      /DATABASE_URL\s+=\s+local\.kv_ref\.database_slot/,
    );
  }),
  rule('custom domain is bound with a managed certificate over SNI, once its DNS records exist', (m) => {
    const binding = resource(m, 'azurerm_app_service_certificate_binding', 'api');
    expect(binding.ssl_state).toBe('SniEnabled');
    expect(binding.certificate_id).toBe('${azurerm_app_service_managed_certificate.api[0].id}');
    for (const type of [
      'azurerm_app_service_custom_hostname_binding',
      'azurerm_app_service_managed_certificate',
      'azurerm_app_service_certificate_binding',
    ]) {
      const body = resource(m, type, 'api');
      expect(body.count, type).toBe('${local.custom_domain_bound ? 1 : 0}');
    }
    // Two-phase: bound when Terraform writes the records (Azure DNS) or the operator says they exist.
    expect(local(m, 'custom_domain_bound')).toBe(
      '${var.custom_domain != "" && (var.custom_domain_dns_zone_id != "" || var.custom_domain_dns_ready)}',
    );
    expect(resource(m, 'azurerm_app_service_custom_hostname_binding', 'api').depends_on).toEqual([
      '${azurerm_dns_cname_record.custom_domain}',
      '${azurerm_dns_txt_record.custom_domain_verification}',
    ]);
    expect(variableValue(m, 'dev', 'custom_domain')).toBe('');
    expect(variableValue(m, 'prod', 'custom_domain')).not.toBe('');
  }),
  rule('the worker has its own plan, no public ingress and at least one instance', (m) => {
    const app = worker(m);
    expect(app.service_plan_id).toBe('${azurerm_service_plan.worker.id}');
    const site = block(app, 'site_config');
    expect(site.ip_restriction_default_action).toBe('Deny');
    expect(site.ip_restriction).toBeUndefined();
    expect(resource(m, 'azurerm_service_plan', 'worker').worker_count).toBe('${var.worker_instance_count}');
    for (const env of environments)
      expect(variableValue(m, env, 'worker_instance_count')).toBeGreaterThanOrEqual(1);
  }),
  rule('api and worker carry azd-service-name tags', (m) => {
    expect(String(api(m).tags)).toContain('"azd-service-name" = "api"');
    expect(String(worker(m).tags)).toContain('"azd-service-name" = "worker"');
  }),
];
