// Extracts the argument and nested-block names of the azurerm resources and data sources this
// repository's Terraform uses from the provider schema that cdktf generated into
// @cdktf/provider-azurerm's jsii assembly, into test/infrastructure/schema/azurerm-schema.json.
//
// Why an extract: the assembly is ~88 MB unpacked (the package tarball ~30 MB), far too much to
// add to every `npm ci`; the test needs a few hundred names. The package is the npm registry's
// copy of azurerm's generated schema; its latest release, 14.23.1, was generated from azurerm
// 4.55.0 (package.json "cdktf.provider.version"), the last major before the pinned ~> 5.2. What
// 5.x changed in what this configuration uses is in test/infrastructure/schema/azurerm-5-differences.json.
//
// Usage: node --import tsx scripts/extract-azurerm-schema.ts [path/to/.jsii] [extra_type ...]
// Without a path it runs `npm pack` for the pinned version into a temporary directory. Types to
// extract: every `resource "azurerm_*"` and `data "azurerm_*"` in infrastructure/terraform/*.tf,
// plus the types already in the extract and any named on the command line.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const packageName = '@cdktf/provider-azurerm';
const packageVersion = '14.23.1';
const root = join(import.meta.dirname, '..');
const terraformDir = join(root, 'infrastructure', 'terraform');
const output = join(root, 'test', 'infrastructure', 'schema', 'azurerm-schema.json');

interface JsiiProperty {
  name: string;
  docs?: { summary?: string; remarks?: string };
  type: JsiiTypeRef;
}
type JsiiTypeRef =
  | { primitive: string }
  | { fqn: string }
  | { collection: { kind: string; elementtype: JsiiTypeRef } }
  | { union: { types: JsiiTypeRef[] } };
interface JsiiType {
  kind: string;
  docs?: { summary?: string };
  properties?: JsiiProperty[];
  interfaces?: string[];
}

/** A block's schema: its argument names and its nested blocks. */
export interface BlockSchema {
  arguments: string[];
  blocks: Record<string, BlockSchema>;
}
export interface SchemaExtract {
  source: { package: string; version: string; azurerm: string; generatedBy: string };
  /** The provider block: `provider "azurerm" { … }`. */
  provider: BlockSchema;
  resources: Record<string, BlockSchema>;
  data: Record<string, BlockSchema>;
}

function loadAssembly(path: string | undefined): { types: Record<string, JsiiType>; azurerm: string } {
  let file = path;
  let cleanup: string | undefined;
  if (!file) {
    cleanup = mkdtempSync(join(tmpdir(), 'azurerm-schema-'));
    execFileSync('npm', ['pack', `${packageName}@${packageVersion}`, '--silent'], { cwd: cleanup });
    const tarball = readdirSync(cleanup).find((f) => f.endsWith('.tgz'));
    if (!tarball) throw new Error('npm pack produced no tarball');
    execFileSync('tar', ['xzf', tarball, 'package/.jsii', 'package/package.json'], { cwd: cleanup });
    file = join(cleanup, 'package', '.jsii');
  }
  try {
    const assembly = JSON.parse(readFileSync(file, 'utf8')) as {
      version: string;
      types: Record<string, JsiiType>;
    };
    if (assembly.version !== packageVersion)
      throw new Error(`expected ${packageName}@${packageVersion}, found ${assembly.version}`);
    const pkg = JSON.parse(readFileSync(join(file, '..', 'package.json'), 'utf8')) as {
      cdktf: { provider: { version: string } };
    };
    return { types: assembly.types, azurerm: pkg.cdktf.provider.version };
  } finally {
    if (cleanup) rmSync(cleanup, { recursive: true, force: true });
  }
}

/** The Terraform name of a property: the anchor of its registry link (summary or remarks), else snake_case. */
function terraformName(property: JsiiProperty): string {
  const docs = `${property.docs?.summary ?? ''} ${property.docs?.remarks ?? ''}`;
  const anchor = /registry\.terraform\.io\/\S*#([a-z0-9_]+) /.exec(docs)?.[1];
  return anchor ?? property.name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

/** The struct a property refers to, when it is a nested block. */
function blockType(ref: JsiiTypeRef, types: Record<string, JsiiType>): string | undefined {
  if ('fqn' in ref) return types[ref.fqn]?.kind === 'interface' ? ref.fqn : undefined;
  if ('collection' in ref) return blockType(ref.collection.elementtype, types);
  if ('union' in ref) {
    for (const member of ref.union.types) {
      const found = blockType(member, types);
      if (found) return found;
    }
  }
  return undefined;
}

function blockSchema(fqn: string, types: Record<string, JsiiType>): BlockSchema {
  const schema: BlockSchema = { arguments: [], blocks: {} };
  const struct = types[fqn];
  if (!struct?.properties) throw new Error(`${fqn} has no properties`);
  for (const property of struct.properties) {
    const name = terraformName(property);
    const nested = blockType(property.type, types);
    if (nested) schema.blocks[name] = blockSchema(nested, types);
    else schema.arguments.push(name);
  }
  schema.arguments.sort();
  return schema;
}

/** Config structs by Terraform type: the class docs name it, its Config struct holds the arguments. */
function configsByType(types: Record<string, JsiiType>): Map<string, string> {
  const found = new Map<string, string>();
  for (const [fqn, type] of Object.entries(types)) {
    const name = /\}? ?\{@link https:\/\/registry\.terraform\.io\/[^ ]+ (azurerm_[a-z0-9_]+)\}/.exec(
      type.docs?.summary ?? '',
    )?.[1];
    if (type.kind !== 'class' || !name || !type.docs?.summary?.startsWith('Represents')) continue;
    const kind = fqn.includes('.dataAzurerm') ? 'data' : 'resource';
    const config = `${fqn}Config`;
    if (types[config]) found.set(`${kind}:${name}`, config);
  }
  return found;
}

function typesInConfiguration(): { resources: Set<string>; data: Set<string> } {
  const resources = new Set<string>();
  const data = new Set<string>();
  for (const file of readdirSync(terraformDir).filter((f) => f.endsWith('.tf'))) {
    const text = readFileSync(join(terraformDir, file), 'utf8');
    for (const match of text.matchAll(/^(resource|data) "(azurerm_[a-z0-9_]+)"/gm)) {
      (match[1] === 'data' ? data : resources).add(match[2] ?? '');
    }
  }
  if (existsSync(output)) {
    const previous = JSON.parse(readFileSync(output, 'utf8')) as SchemaExtract;
    for (const name of Object.keys(previous.resources)) resources.add(name);
    for (const name of Object.keys(previous.data)) data.add(name);
  }
  return { resources, data };
}

function main(): void {
  const args = process.argv.slice(2);
  const jsiiPath = args.find((arg) => arg.endsWith('.jsii'));
  const extra = args.filter((arg) => !arg.endsWith('.jsii'));
  const { types, azurerm } = loadAssembly(jsiiPath);
  const configs = configsByType(types);
  const wanted = typesInConfiguration();
  for (const name of extra)
    (name.startsWith('data.') ? wanted.data : wanted.resources).add(name.replace(/^data\./, ''));
  const extract: SchemaExtract = {
    source: {
      package: `${packageName}@${packageVersion}`,
      version: packageVersion,
      azurerm: azurerm,
      generatedBy: 'scripts/extract-azurerm-schema.ts',
    },
    provider: blockSchema(`${packageName}.provider.AzurermProviderConfig`, types),
    resources: {},
    data: {},
  };
  for (const [kind, names] of [
    ['resource', wanted.resources],
    ['data', wanted.data],
  ] as const) {
    for (const name of [...names].sort()) {
      const config = configs.get(`${kind}:${name}`);
      if (!config)
        throw new Error(`${kind} ${name} is not in ${packageName}@${packageVersion} (azurerm ${azurerm})`);
      (kind === 'data' ? extract.data : extract.resources)[name] = blockSchema(config, types);
    }
  }
  writeFileSync(output, `${JSON.stringify(extract, null, 2)}\n`);
  // The repository's formatter owns JSON layout; `npm run lint` checks this file too.
  execFileSync('npx', ['prettier', '--write', output], { cwd: root, stdio: 'inherit' });
  console.log(
    `wrote ${Object.keys(extract.resources).length} resources and ${Object.keys(extract.data).length} data sources to ${output}`,
  );
}

main();
