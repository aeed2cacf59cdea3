// One named test per rule of the deployment standard (seed 004, with seed 000 and 001 additions),
// checked offline against the parsed Terraform. infrastructure/README.md maps each to its file.
import { beforeAll, describe, it } from 'vitest';
import { loadTerraform, type TerraformModel } from './terraform-model.js';
import { ruleGroups } from './rules/index.js';

let model: TerraformModel;

beforeAll(async () => {
  model = await loadTerraform();
});

for (const [group, rules] of Object.entries(ruleGroups)) {
  describe(group, () => {
    for (const rule of rules) it(rule.name, () => rule.check(model));
  });
}
