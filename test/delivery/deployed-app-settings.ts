// What App Service gives a deployed process, computed from the Terraform files themselves: a
// site's `app_settings` and `app_command_line` for an environment, with every reference to a
// resource answered by a local stand-in and every Key Vault reference replaced by a local secret.
// A reference or secret without a stand-in throws, so a new one is noticed, not guessed.
import {
  parseKeyVaultReference,
  isKeyVaultReference,
} from '../../src/platform/config/key-vault-reference.js';
import {
  block,
  resource,
  variableValue,
  type EnvironmentName,
  type TerraformModel,
} from '../infrastructure/terraform-model.js';
import { evaluateHcl, type HclScope, type HclValue } from './hcl-expression.js';

/** A site: the API (`azurerm_linux_web_app.api`), its `staging` slot, or the worker. */
export interface Site {
  type: 'azurerm_linux_web_app' | 'azurerm_linux_web_app_slot';
  name: string;
}

export const sites = {
  api: { type: 'azurerm_linux_web_app', name: 'api' },
  apiStagingSlot: { type: 'azurerm_linux_web_app_slot', name: 'staging' },
  worker: { type: 'azurerm_linux_web_app', name: 'worker' },
} as const satisfies Record<string, Site>;

export interface LocalStandIns {
  /** Attribute values by traversal, e.g. `azurerm_storage_account.main.name`. */
  attributes: Record<string, string>;
  /** Secret values by their key in `local.secret_names` (`database`, `redis`, `jwt`, …). */
  secrets: Record<string, string>;
}

function scopeFor(model: TerraformModel, env: EnvironmentName, standIns: LocalStandIns): HclScope {
  const scope: HclScope = {
    reference(path) {
      const [root, name] = path;
      if (root === 'var' && name !== undefined) return variableValue(model, env, name) as HclValue;
      if (root === 'local' && name !== undefined) {
        if (!(name in model.locals)) throw new Error(`local.${name} is not declared`);
        return evaluateHcl(model.locals[name], scope);
      }
      const attribute = standIns.attributes[path.join('.')];
      if (attribute === undefined) throw new Error(`no local stand-in for ${path.join('.')}`);
      return attribute;
    },
  };
  return scope;
}

/** Settings as the process sees them: strings (App Service passes every value as text). */
function asEnvironment(settings: HclValue): Record<string, string> {
  if (typeof settings !== 'object' || settings === null || Array.isArray(settings))
    throw new Error('app_settings is not a map');
  return Object.fromEntries(
    Object.entries(settings).map(([name, value]) => [
      name,
      typeof value === 'string' ? value : JSON.stringify(value),
    ]),
  );
}

/**
 * The site's app settings in `env`, each Key Vault reference replaced by the stand-in for the
 * secret it names (matched through `local.secret_names`).
 */
export function deployedAppSettings(
  model: TerraformModel,
  env: EnvironmentName,
  site: Site,
  standIns: LocalStandIns,
): Record<string, string> {
  const scope = scopeFor(model, env, standIns);
  const settings = asEnvironment(evaluateHcl(resource(model, site.type, site.name).app_settings, scope));
  const secretKeys = new Map(
    Object.entries(evaluateHcl(model.locals.secret_names, scope) as Record<string, string>).map(
      ([key, name]) => [name, key],
    ),
  );
  for (const [name, value] of Object.entries(settings)) {
    if (!isKeyVaultReference(value)) continue;
    const secretName = parseKeyVaultReference(value).secretName;
    const key = secretKeys.get(secretName);
    const secret = key === undefined ? undefined : standIns.secrets[key];
    if (secret === undefined) throw new Error(`${name}: no local value for Key Vault secret ${secretName}`);
    settings[name] = secret;
  }
  return settings;
}

/** The site's start command (`site_config.app_command_line`) in `env`. */
export function startCommand(
  model: TerraformModel,
  env: EnvironmentName,
  site: Site,
  standIns: LocalStandIns,
): string[] {
  const siteConfig = block(resource(model, site.type, site.name), 'site_config');
  const command = evaluateHcl(siteConfig.app_command_line, scopeFor(model, env, standIns));
  if (typeof command !== 'string' || command.trim() === '')
    throw new Error(`${site.type}.${site.name} has no app_command_line`);
  return command.trim().split(/\s+/);
}

/** The site's health-check path (`site_config.health_check_path`), what App Service probes. */
export function healthCheckPath(model: TerraformModel, site: Site): string {
  const path = block(resource(model, site.type, site.name), 'site_config').health_check_path;
  if (typeof path !== 'string') throw new Error(`${site.type}.${site.name} has no health_check_path`);
  return path;
}
