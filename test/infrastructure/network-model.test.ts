// Issue 20's network rehearsal: the network each environment's Terraform builds, against the
// table of who must reach what and what must stay unreachable (network-needs.ts), plus the
// secret and database rules a first deployment depends on (secret-rules.ts).
import { beforeAll, describe, expect, it } from 'vitest';
import { environments, loadTerraform, type EnvironmentName, type TerraformModel } from './terraform-model.js';
import { buildNetwork, type NetworkModel } from './network-model.js';
import { cases, needs, nevers } from './network-needs.js';
import { secretRules } from './secret-rules.js';

let model: TerraformModel;
const networks = {} as Record<EnvironmentName, NetworkModel>;

beforeAll(async () => {
  model = await loadTerraform();
  for (const env of environments) networks[env] = buildNetwork(model, env);
});

describe('who must reach what', () => {
  it.each(cases(needs))('$name ($env)', ({ env, row }) => row.check(networks[env]));
});

describe('what must stay unreachable', () => {
  it.each(cases(nevers))('$name ($env)', ({ env, row }) => row.check(networks[env]));
});

describe('secrets and databases', () => {
  it.each(secretRules)('$name', ({ check }) => check(model));
});

describe('the model reads the files', () => {
  it('builds every subnet, NSG and service production declares', () => {
    const prod = networks.prod;
    expect(Object.keys(prod.subnets).sort()).toEqual(
      ['app', 'db', 'devops_pool', 'github_runners', 'mgmt', 'pe', 'worker'].sort(),
    );
    expect(Object.keys(networks.dev.subnets)).not.toContain('github_runners');
    expect(Object.keys(prod.services).sort()).toEqual([
      'blob',
      'keyvault',
      'openai',
      'postgres',
      'redis',
      'table',
    ]);
    expect(prod.nsgs.runners?.map((r) => r.priority)).toEqual([100, 110, 120, 4096, 4096]);
  });
});
