// Checks every azurerm resource, data source and the provider block against azurerm's schema:
// each argument and nested block (also inside `dynamic` blocks and `lifecycle.ignore_changes`)
// must exist. The schema is azurerm 4.55.0's, extracted from @cdktf/provider-azurerm by
// scripts/extract-azurerm-schema.ts, with what 5.0 removed or 4.56-5.2 added applied from
// azurerm-5-differences.json (each change with its upgrade-guide or changelog line).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { asBodies, azapiType, type Body, type TerraformModel } from './terraform-model.js';

export interface BlockSchema {
  arguments: string[];
  blocks: Record<string, BlockSchema>;
}

export interface SchemaExtract {
  source: { package: string; version: string; azurerm: string; generatedBy: string };
  provider: BlockSchema;
  resources: Record<string, BlockSchema>;
  data: Record<string, BlockSchema>;
}

/** One argument or block 5.x changed: a path such as `azurerm_key_vault.contact`. */
export interface SchemaChange {
  path: string;
  change: 'removed' | 'added';
  kind?: 'argument' | 'block' | 'resource';
  /** An added resource's whole schema (a resource newer than the extract). */
  schema?: BlockSchema;
  /** An added block's own arguments. */
  arguments?: string[];
  replacement?: string;
  source: string;
  text: string;
}

export interface SchemaDifferences {
  from: string;
  to: string;
  note?: string;
  changes: SchemaChange[];
}

const schemaDir = join(import.meta.dirname, 'schema');

export function loadSchemaExtract(): SchemaExtract {
  return JSON.parse(readFileSync(join(schemaDir, 'azurerm-schema.json'), 'utf8')) as SchemaExtract;
}

export function loadSchemaDifferences(): SchemaDifferences {
  return JSON.parse(readFileSync(join(schemaDir, 'azurerm-5-differences.json'), 'utf8')) as SchemaDifferences;
}

/** Meta-arguments Terraform accepts on every resource and data source. */
const metaArguments = new Set(['count', 'for_each', 'depends_on', 'provider']);
const extractHint = 'add it with `node --import tsx scripts/extract-azurerm-schema.ts <type>`';

/** The 4.x schema with the 5.x changes applied; `kind: "provider"` paths start with `provider`. */
export function pinnedSchema(extract: SchemaExtract, differences: SchemaDifferences): SchemaExtract {
  const schema = structuredClone(extract);
  for (const change of differences.changes) {
    if (change.kind === 'resource') {
      if (!change.schema)
        throw new Error(`azurerm-5-differences.json: ${change.path} adds a resource without its schema`);
      schema.resources[change.path] = change.schema;
      continue;
    }
    const [head = '', ...rest] = change.path.split('.');
    const root = head === 'provider' ? schema.provider : (schema.resources[head] ?? schema.data[head]);
    if (!root) throw new Error(`azurerm-5-differences.json: ${head} is not in the schema extract`);
    const name = rest.pop();
    if (!name) throw new Error(`azurerm-5-differences.json: ${change.path} names no argument`);
    let block = root;
    for (const segment of rest) {
      const next = block.blocks[segment];
      if (!next) throw new Error(`azurerm-5-differences.json: ${change.path}: no block ${segment}`);
      block = next;
    }
    if (change.change === 'removed') {
      block.arguments = block.arguments.filter((a) => a !== name);
      block.blocks = Object.fromEntries(Object.entries(block.blocks).filter(([key]) => key !== name));
    } else if (change.kind === 'block') {
      block.blocks[name] ??= { arguments: change.arguments ?? [], blocks: {} };
    } else if (!block.arguments.includes(name)) {
      block.arguments.push(name);
    }
  }
  return schema;
}

/** Problems in one body against its schema, each as `path: what is wrong`. */
function checkBody(body: Body, schema: BlockSchema, path: string, top: boolean): string[] {
  const problems: string[] = [];
  for (const [key, value] of Object.entries(body)) {
    if (top && (metaArguments.has(key) || key === 'lifecycle')) continue;
    if (key === 'dynamic') {
      for (const [name, specs] of Object.entries(value as Record<string, unknown>)) {
        const nested = schema.blocks[name];
        if (!nested) {
          problems.push(`${path}: unknown nested block "${name}" (dynamic)`);
          continue;
        }
        for (const spec of asBodies(specs))
          for (const content of asBodies(spec.content))
            problems.push(...checkBody(content, nested, `${path}.${name}`, false));
      }
      continue;
    }
    const nested = schema.blocks[key];
    if (nested) {
      if (!Array.isArray(value)) problems.push(`${path}: "${key}" is a block, written as an argument`);
      else
        for (const item of asBodies(value))
          problems.push(...checkBody(item, nested, `${path}.${key}`, false));
      continue;
    }
    if (schema.arguments.includes(key)) continue;
    const written = isBlock(value) ? 'nested block' : 'argument';
    problems.push(`${path}: unknown ${written} "${key}"`);
  }
  if (top) problems.push(...checkIgnoreChanges(body, schema, path));
  return problems;
}

/** hcl2json writes a block as a list of bodies (an attribute's list holds values). */
const isBlock = (value: unknown): boolean =>
  Array.isArray(value) &&
  value.length > 0 &&
  value.every((item) => item !== null && typeof item === 'object' && !Array.isArray(item));

/** Whether `a.b.c` walks blocks to an argument or block of the schema. */
function pathExists(schema: BlockSchema, segments: string[]): boolean {
  let block = schema;
  for (const [i, segment] of segments.entries()) {
    const nested = block.blocks[segment];
    if (nested) block = nested;
    else return i === segments.length - 1 && block.arguments.includes(segment);
  }
  return true;
}

/** Every `lifecycle.ignore_changes` entry names a real argument or block path. */
function checkIgnoreChanges(body: Body, schema: BlockSchema, path: string): string[] {
  const problems: string[] = [];
  for (const lifecycle of asBodies(body.lifecycle)) {
    const entries = lifecycle.ignore_changes;
    if (!Array.isArray(entries)) continue;
    for (const entry of entries) {
      const reference = String(entry).replace(/^\$\{(.*)\}$/, '$1');
      if (reference === 'all') continue;
      const segments = reference.split('.').map((s) => s.replace(/\[[^\]]*\]$/, ''));
      if (!pathExists(schema, segments))
        problems.push(`${path}: lifecycle.ignore_changes names unknown "${reference}"`);
    }
  }
  return problems;
}

/** Every azurerm resource, data source and provider block, checked; azapi types need an api-version. */
export function schemaProblems(model: TerraformModel, schema: SchemaExtract): string[] {
  const problems: string[] = [];
  for (const [kind, section, known] of [
    ['resource', model.resources, schema.resources],
    ['data', model.data, schema.data],
  ] as const) {
    for (const [type, byName] of Object.entries(section)) {
      if (type.startsWith('azapi_')) {
        problems.push(...checkAzapi(model, type, byName));
        continue;
      }
      if (!type.startsWith('azurerm_')) continue;
      const typeSchema = known[type];
      if (!typeSchema) {
        problems.push(`${kind} ${type} is not in the azurerm schema extract; ${extractHint}`);
        continue;
      }
      for (const [name, body] of Object.entries(byName))
        problems.push(
          ...checkBody(body, typeSchema, `${kind === 'data' ? 'data.' : ''}${type}.${name}`, true),
        );
    }
  }
  const provider = model.providers.azurerm;
  if (provider) problems.push(...checkBody(provider, schema.provider, 'provider.azurerm', true));
  return problems;
}

/** azapi resources are out of the schema check, but their type (literal or a local) must pin an API version. */
function checkAzapi(model: TerraformModel, type: string, byName: Record<string, Body>): string[] {
  const typeOf = (body: Body) => azapiType(model, body);
  return Object.entries(byName)
    .filter(([, body]) => !/^[A-Za-z0-9.]+\/[A-Za-z0-9/]+@\d{4}-\d{2}-\d{2}(-preview)?$/.test(typeOf(body)))
    .map(([name, body]) => `${type}.${name}: type "${typeOf(body)}" has no @api-version`);
}
