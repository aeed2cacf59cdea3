// The configuration hangs together: every file parses, every reference resolves, the
// environment files set only declared variables, and azd's files match the Terraform.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  environments,
  interpolations,
  loadTerraform,
  parseHcl,
  readSource,
  repoRoot,
  resourcesOf,
  strings,
  terraformDir,
  terraformFiles,
  type Body,
  type TerraformModel,
} from './terraform-model.js';
import { allRules } from './rules/index.js';

let model: TerraformModel;

beforeAll(async () => {
  model = await loadTerraform();
});

/** Every interpolated expression in the .tf files. */
function expressions(m: TerraformModel): string[] {
  return Object.entries(m.documents)
    .filter(([file]) => file.endsWith('.tf'))
    .flatMap(([, doc]) => [...strings(doc)].flatMap(({ value }) => interpolations(value)));
}

function referenced(m: TerraformModel, pattern: RegExp): Set<string> {
  return new Set(
    expressions(m).flatMap((e) => [...e.matchAll(pattern)].map((match) => match.slice(1).join('.'))),
  );
}

describe('syntax', () => {
  it.each(terraformFiles())('%s parses', async (file) => {
    await expect(parseHcl(file, readSource(file))).resolves.toBeTypeOf('object');
  });

  it('a syntax error is reported with its file and line', async () => {
    await expect(parseHcl('broken.tf', 'resource "a" "b" {\n  name = \n}\n')).rejects.toThrow(/broken\.tf:2/);
  });
});

describe('references', () => {
  it('every var.* is declared', () => {
    const missing = [...referenced(model, /\bvar\.([A-Za-z0-9_]+)/g)].filter(
      (name) => !(name in model.variables),
    );
    expect(missing).toEqual([]);
  });

  it('every declared variable is used', () => {
    const used = referenced(model, /\bvar\.([A-Za-z0-9_]+)/g);
    expect(Object.keys(model.variables).filter((name) => !used.has(name))).toEqual([]);
  });

  it('every local.* is defined', () => {
    const missing = [...referenced(model, /\blocal\.([A-Za-z0-9_]+)/g)].filter(
      (name) => !(name in model.locals),
    );
    expect(missing).toEqual([]);
  });

  it('every resource, data, ephemeral and module reference resolves', () => {
    const resources = referenced(
      model,
      /(?<![\w.])((?:azurerm|random|azapi|terraform)_[a-z0-9_]+)\.([A-Za-z0-9_]+)/g,
    );
    expect(resources.size).toBeGreaterThan(20);
    const unresolved = [...resources].filter((ref) => {
      const [type = '', name = ''] = ref.split('.');
      return !resourcesOf(model, type)[name];
    });
    for (const [kind, section] of [
      ['data', model.data],
      ['ephemeral', model.ephemeral],
    ] as const) {
      for (const ref of referenced(model, new RegExp(`\\b${kind}\\.([a-z0-9_]+)\\.([A-Za-z0-9_]+)`, 'g'))) {
        const [type = '', name = ''] = ref.split('.');
        if (!section[type]?.[name]) unresolved.push(`${kind}.${ref}`);
      }
    }
    unresolved.push(...[...referenced(model, /\bmodule\.([A-Za-z0-9_]+)/g)].map((name) => `module.${name}`));
    expect(unresolved).toEqual([]);
  });
});

describe('environment files', () => {
  it.each(environments)('every variable %s.tfvars sets is declared', (env) => {
    expect(Object.keys(model.tfvars[env]).filter((name) => !(name in model.variables))).toEqual([]);
  });

  it.each(environments)('%s.tfvars names its tier and sets every variable without a default', (env) => {
    expect(model.tfvars[env].environment).toBe(env);
    const required = Object.entries(model.variables).filter(([, v]) => !('default' in v));
    for (const [name] of required) expect(model.tfvars[env], name).toHaveProperty(name);
  });
});

describe('azd', () => {
  const azureYaml = () => parseYaml(readFileSync(join(repoRoot, 'azure.yaml'), 'utf8')) as Body;
  const azdBuiltins = new Set([
    'AZURE_ENV_NAME',
    'AZURE_LOCATION',
    'AZURE_SUBSCRIPTION_ID',
    'AZURE_PRINCIPAL_ID',
    'RS_RESOURCE_GROUP',
    'RS_STORAGE_ACCOUNT',
    'RS_CONTAINER_NAME',
  ]);

  it('azure.yaml provisions with Terraform from infrastructure/terraform', () => {
    expect(azureYaml().infra).toEqual({ provider: 'terraform', path: 'infrastructure/terraform' });
  });

  it('services api and worker deploy to the App Service apps tagged for them', () => {
    const services = azureYaml().services as Record<string, Body>;
    expect(Object.keys(services).sort()).toEqual(['api', 'worker']);
    for (const [name, service] of Object.entries(services)) {
      expect(service.host, name).toBe('appservice');
      const tagged = Object.values(resourcesOf(model, 'azurerm_linux_web_app')).filter((app) =>
        String(app.tags).includes(`"azd-service-name" = "${name}"`),
      );
      expect(tagged, name).toHaveLength(1);
    }
  });

  it('every output azure.yaml names exists', () => {
    const text = readFileSync(join(repoRoot, 'azure.yaml'), 'utf8');
    const names = new Set([...text.matchAll(/\$\{?([A-Z][A-Z0-9_]+)\}?/g)].map((match) => match[1] ?? ''));
    expect(names.size).toBeGreaterThan(3);
    const missing = [...names].filter((name) => !azdBuiltins.has(name) && !(name in model.outputs));
    expect(missing).toEqual([]);
  });

  it('main.tfvars.json passes azd environment values to declared variables', () => {
    const tfvars = JSON.parse(readFileSync(join(terraformDir, 'main.tfvars.json'), 'utf8')) as Record<
      string,
      string
    >;
    expect(tfvars).toEqual({
      environment_name: '${AZURE_ENV_NAME}',
      location: '${AZURE_LOCATION}',
      principal_id: '${AZURE_PRINCIPAL_ID}',
    });
    for (const name of Object.keys(tfvars)) expect(model.variables).toHaveProperty(name);
  });

  it('provider.conf.json points azd at the remote state backend', () => {
    const conf = JSON.parse(readFileSync(join(terraformDir, 'provider.conf.json'), 'utf8')) as Body;
    expect(conf).toMatchObject({ storage_account_name: '${RS_STORAGE_ACCOUNT}', use_azuread_auth: true });
    expect(String(conf.key)).toContain('${AZURE_ENV_NAME}');
  });
});

describe('README', () => {
  it('maps every rule to the file that implements it and the test that checks it', () => {
    const readme = readFileSync(join(repoRoot, 'infrastructure', 'README.md'), 'utf8');
    const rows = [...readme.matchAll(/^\|(.+)\|\s*`([^`]+\.tf(?:vars)?)`[^|]*\|\s*`([^`]+)`\s*\|$/gm)];
    const tests = rows.map((row) => row[3] ?? '');
    expect(allRules.map((r) => r.name).filter((name) => !tests.includes(name))).toEqual([]);
    const names = new Set(allRules.map((r) => r.name));
    expect(tests.filter((name) => !names.has(name))).toEqual([]);
    for (const row of rows) {
      const file = (row[2] ?? '').split(', ')[0] ?? '';
      expect(terraformFiles(), file).toContain(file);
    }
  });
});
