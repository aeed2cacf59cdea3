// Seed 004 "Frontend": the console on Static Web Apps Standard in production (dev and staging
// serve it from the API), its origin admitted by the API's CORS. Each check is also broken in
// memory to show it can fail. CD's deploy job and its identity are in test/delivery.
import { describe, expect, it } from 'vitest';
import {
  environments,
  evaluate,
  loadTerraform,
  local,
  readSource,
  resource,
  type TerraformModel,
} from './terraform-model.js';

const checks: Record<string, (m: TerraformModel) => void> = {
  'the console is on Static Web Apps Standard in production, served by the API elsewhere': (m) => {
    const site = resource(m, 'azurerm_static_web_app', 'console');
    const count = Object.fromEntries(environments.map((env) => [env, evaluate(m, env, site.count)]));
    expect(count).toEqual({ dev: 0, staging: 0, prod: 1 });
    expect(evaluate(m, 'prod', site.sku_tier)).toBe('Standard');
    expect(evaluate(m, 'prod', site.sku_size)).toBe('Standard');
  },
  "the console's origin is one of the API's CORS origins": (m) => {
    expect(String(local(m, 'console_origins'))).toMatch(
      /azurerm_static_web_app\.console\[0\]\.default_host_name/,
    );
    expect(String(local(m, 'app_settings'))).toMatch(
      /API_CORS_ORIGINS = jsonencode\([^\n]*local\.console_origins/,
    );
  },
};

describe('console on Static Web Apps', () => {
  it.each(Object.keys(checks))('%s', async (name) => {
    checks[name]?.(await loadTerraform());
  });
});

const mutations = [
  {
    check: 'the console is on Static Web Apps Standard in production, served by the API elsewhere',
    file: 'environments/prod.tfvars',
    from: 'console_sku = "Standard"',
    to: 'console_sku = "Free"',
  },
  {
    check: 'the console is on Static Web Apps Standard in production, served by the API elsewhere',
    file: 'environments/prod.tfvars',
    from: 'console_sku = "Standard"',
    to: '',
  },
  {
    check: "the console's origin is one of the API's CORS origins",
    file: 'app_service.tf',
    from: 'jsonencode(distinct(concat(var.api_cors_origins, local.console_origins)))',
    to: 'jsonencode(var.api_cors_origins)',
  },
];

describe('the console checks can fail', () => {
  it.each(mutations)('$check ($file: $to)', async ({ check, file, from, to }) => {
    const source = readSource(file);
    const broken = source.replace(from, to);
    expect(broken, 'the mutation must change the file').not.toBe(source);
    const model = await loadTerraform({ [file]: broken });
    expect(() => checks[check]?.(model)).toThrow();
  });
});
