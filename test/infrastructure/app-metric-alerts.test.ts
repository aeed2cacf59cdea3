// Seed 004's alerts on Azimuth's own metrics (app_metric_alerts.tf): each alert queries a metric
// the app really exports, under the name the OpenTelemetry bridge gives it, against capacities
// that match the app's settings; each check is then broken in memory to show it can fail.
import { readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { SettingsSchema } from '../../src/platform/config/settings-schema.js';
import {
  environments,
  local,
  resource,
  variableValue,
  type Body,
  type TerraformModel,
  loadTerraform,
} from './terraform-model.js';

const sources = {
  llm: 'src/platform/llm/llm-cost-tracker.ts',
  ws: 'src/http/progress-socket.ts',
  pool: 'src/platform/db/postgres-database.ts',
};
const source = (file: string) => readFileSync(file, 'utf8');

const alerts = (m: TerraformModel) => local(m, 'app_metric_alerts') as Record<string, Body>;
const queryOf = (m: TerraformModel, key: string): string => {
  const alert = alerts(m)[key];
  if (!alert) throw new Error(`app metric alert ${key} is missing`);
  const query = String(alert.query);
  return query === '${local.db_pool_query}' ? String(local(m, 'db_pool_query')) : query;
};
/** The customMetrics name a query reads. */
const metricOf = (query: string) => /name == "(\w+)"/.exec(query)?.[1] ?? '';

const checks: Record<string, (m: TerraformModel) => void> = {
  'LLM latency: the bridged P95 of azimuth_llm_call_duration_seconds above 10 s, Sev 2': (m) => {
    expect(alerts(m).llm_latency_p95).toMatchObject({ threshold: 10, severity: 2, measure: 'p95_seconds' });
    const metric = metricOf(queryOf(m, 'llm_latency_p95'));
    // The bridge exports a histogram as `<name>_p95`; the app must register that histogram.
    expect(metric).toMatch(/_p95$/);
    expect(source(sources.llm)).toMatch(
      new RegExp(`new Histogram\\(\\{\\s*name: '${metric.replace(/_p95$/, '')}'`),
    );
    expect(queryOf(m, 'llm_latency_p95')).toContain('p95_seconds = max(value)');
  },
  'WebSocket connections above 80 % of a worker capacity, from the variable': (m) => {
    expect(alerts(m).ws_connections).toMatchObject({ threshold: 80, measure: 'percent_of_capacity' });
    const query = queryOf(m, 'ws_connections');
    expect(source(sources.ws)).toContain(`name: '${metricOf(query)}'`);
    expect(query).toContain('100.0 * connections / ${var.ws_connections_per_worker}');
    for (const env of environments)
      expect(Number(variableValue(m, env, 'ws_connections_per_worker'))).toBeGreaterThan(0);
  },
  'database pool above 80 % (Sev 2) and above 90 % (Sev 1) of DATABASE_POOL_SIZE': (m) => {
    expect(alerts(m).db_pool_80).toMatchObject({ threshold: 80, severity: 2, measure: 'percent_of_pool' });
    expect(alerts(m).db_pool_90).toMatchObject({ threshold: 90, severity: 1, measure: 'percent_of_pool' });
    for (const key of ['db_pool_80', 'db_pool_90']) {
      const query = queryOf(m, key);
      expect(source(sources.pool)).toContain(`name: '${metricOf(query)}'`);
      // The gauge's `total` state is the open connections (idle ones included).
      expect(query).toContain('tostring(customDimensions.state) == "total"');
      expect(source(sources.pool)).toContain(`this.set({ state: 'total' }, pool.totalCount)`);
      expect(query).toContain('100.0 * connections / ${var.database_pool_size}');
    }
  },
  "the pool size the alerts divide by is the app's DATABASE_POOL_SIZE": (m) => {
    const appDefault = (SettingsSchema.properties.DATABASE_POOL_SIZE as { default?: unknown }).default;
    const settings = JSON.stringify(local(m, 'app_settings_base'));
    const set = /"DATABASE_POOL_SIZE":"([^"]+)"/.exec(settings)?.[1];
    for (const env of environments) {
      const size = variableValue(m, env, 'database_pool_size');
      // Either the app runs its default and the variable says so, or the app is given the variable.
      if (set === undefined) expect(size, env).toBe(appDefault);
      else expect(set).toBe('${var.database_pool_size}');
    }
  },
  'the alerts query Application Insights, only where alerts are on, and notify the action group': (m) => {
    const rule = resource(m, 'azurerm_monitor_scheduled_query_rules_alert_v2', 'app_metric');
    expect(rule.for_each).toBe('${var.alerts_enabled ? local.app_metric_alerts : {}}');
    expect(rule.scopes).toEqual(['${azurerm_application_insights.component["app"].id}']);
    expect(JSON.stringify(rule.action)).toContain('azurerm_monitor_action_group.main.id');
    expect(environments.map((env) => variableValue(m, env, 'alerts_enabled'))).toEqual([false, true, true]);
  },
};

let model: TerraformModel;
beforeAll(async () => {
  model = await loadTerraform();
});

describe('alerts on the app metrics (seed 004)', () => {
  it.each(Object.keys(checks))('%s', (name) => {
    checks[name]?.(model);
  });
});

const mutations: { check: string; from: string | RegExp; to: string; file?: string }[] = [
  { check: Object.keys(checks)[0] ?? '', from: 'threshold   = 10', to: 'threshold   = 30' },
  {
    check: Object.keys(checks)[0] ?? '',
    from: 'azimuth_llm_call_duration_seconds_p95',
    to: 'azimuth_llm_call_duration_seconds',
  },
  { check: Object.keys(checks)[1] ?? '', from: '\\"azimuth_ws_connections', to: '\\"azimuth_ws_sockets' },
  { check: Object.keys(checks)[1] ?? '', from: '${var.ws_connections_per_worker}', to: '1000' },
  { check: Object.keys(checks)[2] ?? '', from: /severity {4}= 1/, to: 'severity    = 2' },
  { check: Object.keys(checks)[2] ?? '', from: '== \\"total\\"', to: '== \\"idle\\"' },
  {
    check: Object.keys(checks)[3] ?? '',
    file: 'variables.tf',
    from: /(variable "database_pool_size" \{[\s\S]*?default\s+=) 10/,
    to: '$1 50',
  },
  {
    check: Object.keys(checks)[4] ?? '',
    from: 'var.alerts_enabled ? local.app_metric_alerts : {}',
    to: 'local.app_metric_alerts',
  },
];

describe('the app metric alert checks can fail', () => {
  it.each(mutations)('$check ← $to', async ({ check, from, to, file = 'app_metric_alerts.tf' }) => {
    const original = (await loadTerraform()).sources[file] ?? '';
    const changed = original.replace(from, to);
    expect(changed, 'the mutation changes the file').not.toBe(original);
    const mutated = await loadTerraform({ [file]: changed });
    expect(() => checks[check]?.(mutated)).toThrow();
  });
});
