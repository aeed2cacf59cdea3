// One rule of the deployment standard: a name (the test's name and the README's "test" column)
// and a check that throws when the parsed configuration breaks the rule.
import { expect } from 'vitest';
import {
  environments,
  evaluate,
  type Body,
  type EnvironmentName,
  type TerraformModel,
} from '../terraform-model.js';

export interface Rule {
  name: string;
  check: (model: TerraformModel) => void;
}

export function rule(name: string, check: (model: TerraformModel) => void): Rule {
  return { name, check };
}

/** The value of `attribute` in every environment, evaluated offline. */
export function perEnvironment(
  model: TerraformModel,
  body: Body,
  attribute: string,
): Record<EnvironmentName, unknown> {
  const values = {} as Record<EnvironmentName, unknown>;
  for (const env of environments) values[env] = evaluate(model, env, body[attribute]);
  return values;
}

/** The attribute holds `expected` in every environment. */
export function expectEverywhere(
  model: TerraformModel,
  body: Body,
  attribute: string,
  expected: unknown,
): void {
  const values = perEnvironment(model, body, attribute);
  for (const env of environments) expect(values[env], `${attribute} in ${env}`).toEqual(expected);
}

/** Whether a resource with `count = var.flag ? 1 : 0` exists in an environment. */
export function exists(model: TerraformModel, env: EnvironmentName, body: Body): boolean {
  if (!('count' in body)) return true;
  return Number(evaluate(model, env, body.count)) > 0;
}
