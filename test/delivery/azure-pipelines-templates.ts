// Expands Azure Pipelines `template:` references the way the service does before it runs a
// pipeline: the template's own `stages` or `steps` replace the reference, with `${{ parameters.x }}`
// substituted (a whole-value expression keeps the parameter's type, e.g. a dependsOn list).
import { parse } from 'yaml';

type Node = unknown;
type Parameters = Record<string, unknown>;

const wholeParameter = /^\$\{\{\s*parameters\.(\w+)\s*\}\}$/;
const anyParameter = /\$\{\{\s*parameters\.(\w+)\s*\}\}/g;

function substitute(node: Node, parameters: Parameters): Node {
  if (typeof node === 'string') {
    const whole = wholeParameter.exec(node);
    if (whole?.[1] !== undefined) return parameter(parameters, whole[1]);
    return node.replace(anyParameter, (_, name: string) => String(parameter(parameters, name)));
  }
  if (Array.isArray(node)) return node.map((item) => substitute(item, parameters));
  if (node !== null && typeof node === 'object') {
    return Object.fromEntries(
      Object.entries(node).map(([key, value]) => [key, substitute(value, parameters)]),
    );
  }
  return node;
}

function parameter(parameters: Parameters, name: string): unknown {
  if (!(name in parameters)) throw new Error(`template parameter ${name} is not declared`);
  return parameters[name];
}

/** A template's declared parameters: the caller's values over the declared defaults. */
function bind(template: Record<string, unknown>, given: Parameters): Parameters {
  const declared = (template.parameters ?? []) as { name: string; default?: unknown }[];
  const bound: Parameters = {};
  for (const { name, default: fallback } of declared) {
    if (name in given) bound[name] = given[name];
    else if (fallback !== undefined) bound[name] = fallback;
    else throw new Error(`template parameter ${name} has no value`);
  }
  return bound;
}

/**
 * The document with every `- template: file` item of a `stages`, `jobs` or `steps` list replaced
 * by the template's items of the same list. `read` returns a file of the pipelines' directory.
 */
export function expandTemplates(document: Node, read: (file: string) => string): Node {
  if (Array.isArray(document)) {
    return document.flatMap((item): Node[] => {
      const reference = item as { template?: string; parameters?: Parameters } | null;
      if (reference && typeof reference === 'object' && typeof reference.template === 'string') {
        const template = parse(read(reference.template)) as Record<string, unknown>;
        const body = substitute(template, bind(template, reference.parameters ?? {})) as Record<
          string,
          unknown
        >;
        const list = body.stages ?? body.jobs ?? body.steps;
        if (!Array.isArray(list)) throw new Error(`${reference.template} has no stages, jobs or steps`);
        return expandTemplates(list, read) as Node[];
      }
      return [expandTemplates(item, read)];
    });
  }
  if (document !== null && typeof document === 'object') {
    return Object.fromEntries(
      Object.entries(document).map(([key, value]) => [key, expandTemplates(value, read)]),
    );
  }
  return document;
}
