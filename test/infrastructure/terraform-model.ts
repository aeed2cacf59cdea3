// Loads infrastructure/terraform into one plain object (HCL parsed by @cdktf/hcl2json, the
// parser Terraform's own HCL library compiles to), so rules can be checked offline in vitest.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';

// Loaded through require so its typings, which pull the DOM lib into the whole program (and
// break Node's stream and fetch types elsewhere), stay out of the type check.
const hcl2json = createRequire(import.meta.url)('@cdktf/hcl2json') as {
  parse: (file: string, source: string) => Promise<unknown>;
};

/** Parses one HCL file to JSON; rejects on a syntax error, naming the file, line and column. */
export const parseHcl = (file: string, source: string): Promise<unknown> => hcl2json.parse(file, source);

export const repoRoot = join(import.meta.dirname, '..', '..');
export const terraformDir = join(repoRoot, 'infrastructure', 'terraform');
export const environments = ['dev', 'staging', 'prod'] as const;
export type EnvironmentName = (typeof environments)[number];

/** A parsed HCL body: attributes are JSON values, nested blocks are arrays of bodies. */
export type Body = Record<string, unknown>;
type Named = Record<string, Body>;

export interface TerraformModel {
  /** Source text by path relative to infrastructure/terraform. */
  sources: Record<string, string>;
  /** Parsed documents by the same path. */
  documents: Record<string, Body>;
  resources: Record<string, Named>;
  data: Record<string, Named>;
  ephemeral: Record<string, Named>;
  variables: Named;
  outputs: Named;
  locals: Body;
  terraform: Body[];
  providers: Named;
  tfvars: Record<EnvironmentName, Body>;
}

/** Every file Terraform reads (.tf), the environment files and the backend example. */
export function terraformFiles(): string[] {
  const top = readdirSync(terraformDir).filter((f) => f.endsWith('.tf') || f.endsWith('.hcl.example'));
  const envs = readdirSync(join(terraformDir, 'environments')).map((f) => join('environments', f));
  return [...top, ...envs].sort();
}

export function readSource(file: string): string {
  return readFileSync(join(terraformDir, file), 'utf8');
}

/** Parsed documents by source text: the mutation tests re-parse only the file they change. */
const parsed = new Map<string, Body>();

async function parseCached(file: string, source: string): Promise<Body> {
  const key = `${file}\0${source}`;
  let document = parsed.get(key);
  if (!document) {
    document = (await parseHcl(file, source)) as Body;
    parsed.set(key, document);
  }
  // Callers may not mutate the cache: each model gets its own copy.
  return structuredClone(document);
}

/** Parses the configuration; `overrides` replaces file contents (how the mutation tests break rules). */
export async function loadTerraform(overrides: Record<string, string> = {}): Promise<TerraformModel> {
  const sources: Record<string, string> = {};
  const documents: Record<string, Body> = {};
  for (const file of terraformFiles()) {
    const source = overrides[file] ?? readSource(file);
    sources[file] = source;
    documents[file] = await parseCached(file, source);
  }
  const model: TerraformModel = {
    sources,
    documents,
    resources: {},
    data: {},
    ephemeral: {},
    variables: {},
    outputs: {},
    locals: {},
    terraform: [],
    providers: {},
    tfvars: { dev: {}, staging: {}, prod: {} },
  };
  for (const [file, doc] of Object.entries(documents)) {
    if (file.endsWith('.tfvars')) {
      model.tfvars[file.replace('environments/', '').replace('.tfvars', '') as EnvironmentName] = doc;
      continue;
    }
    if (!file.endsWith('.tf')) continue;
    mergeTyped(model.resources, doc.resource);
    mergeTyped(model.data, doc.data);
    mergeTyped(model.ephemeral, doc.ephemeral);
    mergeNamed(model.variables, doc.variable);
    mergeNamed(model.outputs, doc.output);
    mergeNamed(model.providers, doc.provider);
    for (const locals of asBodies(doc.locals)) Object.assign(model.locals, locals);
    model.terraform.push(...asBodies(doc.terraform));
  }
  return model;
}

function mergeTyped(target: Record<string, Named>, section: unknown): void {
  for (const [type, byName] of Object.entries((section ?? {}) as Record<string, unknown>)) {
    target[type] ??= {};
    mergeNamed(target[type], byName);
  }
}

function mergeNamed(target: Named, section: unknown): void {
  for (const [name, bodies] of Object.entries((section ?? {}) as Record<string, unknown>)) {
    const [body] = asBodies(bodies);
    if (name in target) throw new Error(`${name} is declared twice`);
    if (body) target[name] = body;
  }
}

export function asBodies(value: unknown): Body[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]) as Body[];
}

/** The resource `type.name`; throws when it is missing. */
export function resource(model: TerraformModel, type: string, name: string): Body {
  const body = model.resources[type]?.[name];
  if (!body) throw new Error(`resource ${type}.${name} is missing`);
  return body;
}

/** All resources of a type, by name. */
export function resourcesOf(model: TerraformModel, type: string): Named {
  return model.resources[type] ?? {};
}

/** The first nested block `key` of a body; throws when it is missing. */
export function block(body: Body, key: string): Body {
  const [first] = asBodies(body[key]);
  if (!first) throw new Error(`block ${key} is missing`);
  return first;
}

/** The `content` of `dynamic "key"` and its for_each expression. */
export function dynamicBlock(body: Body, key: string): { forEach: unknown; content: Body } {
  const dynamic = block(body, 'dynamic');
  const [spec] = asBodies(dynamic[key]);
  if (!spec) throw new Error(`dynamic block ${key} is missing`);
  return { forEach: spec.for_each, content: block(spec, 'content') };
}

export function local(model: TerraformModel, name: string): unknown {
  if (!(name in model.locals)) throw new Error(`local.${name} is missing`);
  return model.locals[name];
}

/** An azapi resource's `type`, read through a `local.` reference when it holds one. */
export function azapiType(model: TerraformModel, body: Body): string {
  const reference = /^\$\{local\.(\w+)\}$/.exec(String(body.type))?.[1];
  return String(reference === undefined ? body.type : local(model, reference));
}

/** A variable's value in an environment: its tfvars entry, else its default. */
export function variableValue(model: TerraformModel, env: EnvironmentName, name: string): unknown {
  const declared = model.variables[name];
  if (!declared) throw new Error(`variable ${name} is not declared`);
  return name in model.tfvars[env] ? model.tfvars[env][name] : declared.default;
}

const wholeExpression = /^\$\{([\s\S]*)\}$/;

/**
 * Evaluates the small expression forms the rules are written in: literals, `var.x`, `local.x`
 * (literal locals), attribute access `var.x.y`, `!var.x`, `var.x ? a : b` and `var.x == "v" ? a : b`. Anything else throws,
 * so a rule is never silently skipped.
 */
export function evaluate(model: TerraformModel, env: EnvironmentName, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const match = wholeExpression.exec(value);
  if (!match?.[1]) return value;
  return evaluateExpression(model, env, match[1].trim());
}

function evaluateExpression(model: TerraformModel, env: EnvironmentName, text: string): unknown {
  const conditional = /^(.+?)\s\?\s(.+)\s:\s(.+)$/.exec(text);
  if (conditional?.[1] && conditional[2] && conditional[3]) {
    const test = evaluateExpression(model, env, conditional[1].trim());
    return evaluateExpression(model, env, (test ? conditional[2] : conditional[3]).trim());
  }
  const comparison = /^(.+?)\s(==|!=)\s(.+)$/.exec(text);
  if (comparison?.[1] && comparison[2] && comparison[3]) {
    const left = evaluateExpression(model, env, comparison[1].trim());
    const right = evaluateExpression(model, env, comparison[3].trim());
    return comparison[2] === '==' ? left === right : left !== right;
  }
  if (text.startsWith('!')) return !evaluateExpression(model, env, text.slice(1).trim());
  if (/^".*"$/.test(text)) return JSON.parse(text) as unknown;
  if (/^-?\d+(\.\d+)?$/.test(text)) return Number(text);
  if (text === 'true' || text === 'false') return text === 'true';
  const reference = /^(var|local)\.([a-z0-9_]+)((?:\.[a-z0-9_]+)*)$/.exec(text);
  if (reference?.[1] && reference[2]) {
    const value =
      reference[1] === 'var'
        ? variableValue(model, env, reference[2])
        : evaluate(model, env, local(model, reference[2]));
    // Attribute access into an object value: var.model.name.
    return (reference[3] ?? '')
      .split('.')
      .filter(Boolean)
      .reduce<unknown>((object, key) => evaluate(model, env, (object as Body | undefined)?.[key]), value);
  }
  throw new Error(`cannot evaluate \`${text}\` offline; write the rule with a simpler expression`);
}

/** Every `${…}` interpolation in a string (nested braces balanced). */
export function interpolations(text: string): string[] {
  const found: string[] = [];
  for (let start = text.indexOf('${'); start !== -1; start = text.indexOf('${', start + 2)) {
    let depth = 0;
    for (let i = start + 1; i < text.length; i++) {
      if (text[i] === '{') depth++;
      else if (text[i] === '}' && --depth === 0) {
        found.push(text.slice(start + 2, i));
        break;
      }
    }
  }
  return found;
}

/** Every string in a parsed document (values and object keys), with the path that led to it. */
export function* strings(node: unknown, path = ''): Generator<{ path: string; value: string }> {
  if (typeof node === 'string') {
    yield { path, value: node };
  } else if (Array.isArray(node)) {
    for (const [i, item] of node.entries()) yield* strings(item, `${path}[${i}]`);
  } else if (node !== null && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      yield { path: `${path}.${key}#key`, value: key };
      yield* strings(value, `${path}.${key}`);
    }
  }
}

export function relativeToRepo(path: string): string {
  return relative(repoRoot, path);
}
