// What a pipeline job touches and what a role assignment covers, in one vocabulary: Terraform
// resource addresses. Pipeline variables are the Terraform outputs that name those resources.
import {
  environments,
  evaluate,
  local,
  resource,
  type Body,
  type EnvironmentName,
  type TerraformModel,
} from '../infrastructure/terraform-model.js';

export type Target =
  /** A web app (`resource`), or one slot of it. A grant on the app covers its slots. */
  | { kind: 'site'; resource: string; slot?: string }
  | { kind: 'vault'; resource: string }
  /** One secret of a vault. A grant on the vault covers its secrets. */
  | { kind: 'secret'; resource: string; secret: string }
  | { kind: 'static-site'; resource: string };

export const describeTarget = (t: Target): string =>
  t.kind === 'secret'
    ? `${t.resource}/secrets/${t.secret}`
    : t.kind === 'site' && t.slot
      ? `${t.resource}/slots/${t.slot}`
      : t.resource;

export function covers(grant: Target, need: Target): boolean {
  if (grant.resource !== need.resource) return false;
  if (grant.kind === 'vault') return need.kind === 'vault' || need.kind === 'secret';
  if (grant.kind === 'site')
    return need.kind === 'site' && (grant.slot === undefined || grant.slot === need.slot);
  if (grant.kind === 'secret') return need.kind === 'secret' && need.secret === grant.secret;
  return need.kind === grant.kind;
}

/**
 * The pipelines' variable names that differ from the Terraform output they are set from (the
 * rest are the outputs' own names). This is the README's "set these variables" table.
 */
export const variableOutputs: Record<string, string> = {
  APP_NAME: 'SERVICE_API_NAME',
  WORKER_APP_NAME: 'SERVICE_WORKER_NAME',
  KEY_VAULT_NAME: 'AZURE_KEY_VAULT_NAME',
  RESOURCE_GROUP: 'AZURE_RESOURCE_GROUP',
};

const resourceReference = /\b(azurerm_[a-z_]+\.[a-z0-9_]+)\b/;

/** The resource a pipeline variable names, read from the output that sets it. */
export function variableResource(model: TerraformModel, variable: string): string {
  const output = model.outputs[variableOutputs[variable] ?? variable];
  if (!output) throw new Error(`pipeline variable ${variable} is no Terraform output`);
  const reference = resourceReference.exec(String(output.value))?.[1];
  if (!reference) throw new Error(`output for ${variable} names no resource: ${String(output.value)}`);
  return reference;
}

/** The secret name a pipeline variable holds (an output of `local.secret_names.x`). */
export function variableSecret(model: TerraformModel, variable: string): string {
  const output = model.outputs[variableOutputs[variable] ?? variable];
  const key = /local\.secret_names\.(\w+)/.exec(String(output?.value))?.[1];
  const names = local(model, 'secret_names') as Record<string, string>;
  if (!key || !(key in names)) throw new Error(`pipeline variable ${variable} names no secret`);
  return names[key] ?? '';
}

/** A role assignment's scope expression as a target (throws on a form it cannot read). */
export function scopeTarget(model: TerraformModel, scope: string): Target {
  const secret = /^\$\{(azurerm_key_vault\.\w+)\.id\}\/secrets\/\$\{local\.secret_names\.(\w+)\}$/.exec(
    scope,
  );
  if (secret?.[1] && secret[2]) {
    const names = local(model, 'secret_names') as Record<string, string>;
    return { kind: 'secret', resource: secret[1], secret: names[secret[2]] ?? `?${secret[2]}` };
  }
  const reference = resourceReference.exec(scope)?.[1];
  if (!reference) throw new Error(`cannot read the scope ${scope}`);
  const [type = '', name = ''] = reference.split('.');
  if (type === 'azurerm_key_vault') return { kind: 'vault', resource: reference };
  if (type === 'azurerm_linux_web_app') return { kind: 'site', resource: reference };
  if (type === 'azurerm_static_web_app') return { kind: 'static-site', resource: reference };
  if (type === 'azurerm_linux_web_app_slot') {
    const slot = resource(model, type, name);
    const app = resourceReference.exec(String(slot.app_service_id))?.[1] ?? '?';
    return { kind: 'site', resource: app, slot: String(slot.name) };
  }
  throw new Error(`no target kind for ${reference}`);
}

/** Whether a resource (and so a target) exists in an environment: its `count`, evaluated. */
export function exists(model: TerraformModel, env: EnvironmentName, target: Target): boolean {
  const present = (address: string) => {
    const [type = '', name = ''] = address.split('.');
    const body: Body = resource(model, type, name);
    return body.count === undefined || Number(evaluate(model, env, body.count)) > 0;
  };
  if (!present(target.resource)) return false;
  if (target.kind !== 'site' || !target.slot) return true;
  const slot = Object.entries(model.resources.azurerm_linux_web_app_slot ?? {}).find(
    ([, body]) => String(body.name) === target.slot && String(body.app_service_id).includes(target.resource),
  );
  return slot !== undefined && present(`azurerm_linux_web_app_slot.${slot[0]}`);
}

export { environments };
