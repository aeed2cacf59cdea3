// Evaluates the HCL expressions @cdktf/hcl2json leaves as strings (`"${merge(local.a, …)}"`), so a
// test can compute what Terraform would: literals, templates, objects, tuples, for-expressions,
// conditionals, operators, traversals and the handful of functions the configuration uses.
// References (`var.x`, `local.x`, `azurerm_….name.attr`) are answered by the caller's scope;
// anything this does not know throws, so a setting is never silently guessed.

export type HclValue = string | number | boolean | null | HclValue[] | { [key: string]: HclValue };

export interface HclScope {
  /** The value of a traversal rooted outside the expression: `['var', 'x']`, `['azurerm_x', 'main', 'id']`. */
  reference(path: string[]): HclValue;
}

type Token =
  | { kind: 'ident'; text: string }
  | { kind: 'number'; value: number }
  | { kind: 'string'; raw: string }
  | { kind: 'punct'; text: string };

type Node =
  | { kind: 'literal'; value: HclValue }
  | { kind: 'template'; parts: (string | Node)[] }
  | { kind: 'traversal'; root: string; steps: (string | Node)[] }
  | { kind: 'call'; name: string; args: Node[] }
  | { kind: 'object'; items: [Node, Node][] }
  | { kind: 'tuple'; items: Node[] }
  | {
      kind: 'for';
      object: boolean;
      key?: string;
      value: string;
      collection: Node;
      keyExpr?: Node;
      valueExpr: Node;
      condition?: Node;
    }
  | { kind: 'unary'; op: string; operand: Node }
  | { kind: 'binary'; op: string; left: Node; right: Node }
  | { kind: 'conditional'; test: Node; then: Node; otherwise: Node };

const puncts = [
  '=>',
  '==',
  '!=',
  '>=',
  '<=',
  '&&',
  '||',
  '{',
  '}',
  '[',
  ']',
  '(',
  ')',
  ',',
  '.',
  ':',
  '?',
  '=',
  '!',
  '>',
  '<',
  '+',
  '-',
  '*',
  '/',
  '%',
];

/** The raw text of a quoted string starting at `start` (the opening quote); returns its end. */
function scanString(source: string, start: number): number {
  let depth = 0;
  for (let i = start + 1; i < source.length; i += 1) {
    const c = source[i];
    if (c === '\\') i += 1;
    else if (c === '$' && source[i + 1] === '{' && source[i - 1] !== '$') {
      depth += 1;
      i += 1;
    } else if (c === '{' && depth > 0) depth += 1;
    else if (c === '}' && depth > 0) depth -= 1;
    else if (c === '"' && depth === 0) return i;
    else if (c === '"' && depth > 0) i = scanString(source, i);
  }
  throw new Error(`unterminated string in ${source}`);
}

function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < source.length) {
    const rest = source.slice(i);
    const space = /^(\s+|#[^\n]*|\/\/[^\n]*)/.exec(rest);
    if (space) {
      i += space[0].length;
      continue;
    }
    const number = /^\d+(\.\d+)?/.exec(rest);
    const ident = /^[A-Za-z_][A-Za-z0-9_-]*/.exec(rest);
    if (number) {
      tokens.push({ kind: 'number', value: Number(number[0]) });
      i += number[0].length;
    } else if (ident) {
      tokens.push({ kind: 'ident', text: ident[0] });
      i += ident[0].length;
    } else if (rest.startsWith('"')) {
      const end = scanString(source, i);
      tokens.push({ kind: 'string', raw: source.slice(i + 1, end) });
      i = end + 1;
    } else {
      const punct = puncts.find((p) => rest.startsWith(p));
      if (!punct) throw new Error(`unexpected "${rest.slice(0, 20)}" in ${source}`);
      tokens.push({ kind: 'punct', text: punct });
      i += punct.length;
    }
  }
  return tokens;
}

const escapes: Record<string, string> = { n: '\n', t: '\t', r: '\r', '"': '"', '\\': '\\' };

/** Splits a template's raw text into literal text and `${…}` expressions. */
export function parseTemplate(raw: string): Node {
  const parts: (string | Node)[] = [];
  let text = '';
  for (let i = 0; i < raw.length; i += 1) {
    const c = raw[i] ?? '';
    if (c === '\\') {
      text += escapes[raw[i + 1] ?? ''] ?? raw[i + 1] ?? '';
      i += 1;
    } else if (raw.startsWith('$${', i)) {
      text += '${';
      i += 2;
    } else if (raw.startsWith('${', i)) {
      let depth = 1;
      let j = i + 2;
      for (; j < raw.length && depth > 0; j += 1) {
        if (raw[j] === '"') j = scanString(raw, j);
        else if (raw[j] === '{') depth += 1;
        else if (raw[j] === '}') depth -= 1;
      }
      if (text) parts.push(text);
      text = '';
      parts.push(parseExpression(raw.slice(i + 2, j - 1)));
      i = j - 1;
    } else text += c;
  }
  if (text) parts.push(text);
  return { kind: 'template', parts };
}

class Parser {
  #at = 0;
  constructor(private readonly tokens: Token[]) {}

  parse(): Node {
    const node = this.expression();
    if (this.#at < this.tokens.length) throw new Error(`unexpected token at ${this.#at}`);
    return node;
  }

  #peek(text?: string): boolean {
    const token = this.tokens[this.#at];
    if (!token) return false;
    if (text === undefined) return true;
    return (token.kind === 'punct' || token.kind === 'ident') && token.text === text;
  }

  #take(text?: string): Token {
    const token = this.tokens[this.#at];
    if (!token || (text !== undefined && !this.#peek(text)))
      throw new Error(`expected ${text ?? 'a token'} at token ${this.#at}`);
    this.#at += 1;
    return token;
  }

  #identifier(): string {
    const token = this.#take();
    if (token.kind !== 'ident') throw new Error(`expected a name at token ${this.#at - 1}`);
    return token.text;
  }

  expression(): Node {
    const test = this.#binary(0);
    if (!this.#peek('?')) return test;
    this.#take('?');
    const then = this.expression();
    this.#take(':');
    return { kind: 'conditional', test, then, otherwise: this.expression() };
  }

  static readonly levels = [
    ['||'],
    ['&&'],
    ['==', '!='],
    ['<', '>', '<=', '>='],
    ['+', '-'],
    ['*', '/', '%'],
  ];

  #binary(level: number): Node {
    const ops = Parser.levels[level];
    if (!ops) return this.#unary();
    let left = this.#binary(level + 1);
    for (;;) {
      const op = ops.find((candidate) => this.#peek(candidate));
      if (!op) return left;
      this.#take(op);
      left = { kind: 'binary', op, left, right: this.#binary(level + 1) };
    }
  }

  #unary(): Node {
    for (const op of ['!', '-']) {
      if (this.#peek(op)) {
        this.#take(op);
        return { kind: 'unary', op, operand: this.#unary() };
      }
    }
    return this.#postfix(this.#primary());
  }

  #postfix(node: Node): Node {
    for (;;) {
      if (this.#peek('.')) {
        this.#take('.');
        const step = this.#identifier();
        node =
          node.kind === 'traversal'
            ? { ...node, steps: [...node.steps, step] }
            : this.#index(node, { kind: 'literal', value: step });
      } else if (this.#peek('[')) {
        this.#take('[');
        const index = this.expression();
        this.#take(']');
        node =
          node.kind === 'traversal' ? { ...node, steps: [...node.steps, index] } : this.#index(node, index);
      } else return node;
    }
  }

  #index(node: Node, index: Node): Node {
    return { kind: 'call', name: '__index', args: [node, index] };
  }

  #primary(): Node {
    const token = this.#take();
    if (token.kind === 'number') return { kind: 'literal', value: token.value };
    if (token.kind === 'string') return parseTemplate(token.raw);
    if (token.kind === 'ident') {
      if (token.text === 'true' || token.text === 'false')
        return { kind: 'literal', value: token.text === 'true' };
      if (token.text === 'null') return { kind: 'literal', value: null };
      if (this.#peek('(')) return { kind: 'call', name: token.text, args: this.#list(')') };
      return { kind: 'traversal', root: token.text, steps: [] };
    }
    if (token.text === '(') {
      const inner = this.expression();
      this.#take(')');
      return inner;
    }
    if (token.text === '[')
      return this.#peek('for') ? this.#for(false) : { kind: 'tuple', items: this.#list(']', true) };
    if (token.text === '{') return this.#peek('for') ? this.#for(true) : this.#object();
    throw new Error(`unexpected ${token.text}`);
  }

  /** Comma-separated expressions up to `close`; `opened` when the opening bracket is consumed. */
  #list(close: string, opened = false): Node[] {
    if (!opened) this.#take('(');
    const items: Node[] = [];
    while (!this.#peek(close)) {
      items.push(this.expression());
      if (this.#peek(',')) this.#take(',');
    }
    this.#take(close);
    return items;
  }

  #object(): Node {
    const items: [Node, Node][] = [];
    while (!this.#peek('}')) {
      const token = this.tokens[this.#at];
      const key: Node =
        token?.kind === 'ident' ? (this.#take(), { kind: 'literal', value: token.text }) : this.expression();
      if (this.#peek('=')) this.#take('=');
      else this.#take(':');
      items.push([key, this.expression()]);
      if (this.#peek(',')) this.#take(',');
    }
    this.#take('}');
    return { kind: 'object', items };
  }

  #for(object: boolean): Node {
    this.#take('for');
    const first = this.#identifier();
    let key: string | undefined;
    let value = first;
    if (this.#peek(',')) {
      this.#take(',');
      key = first;
      value = this.#identifier();
    }
    this.#take('in');
    const collection = this.expression();
    this.#take(':');
    const keyExpr = object ? this.expression() : undefined;
    if (object) this.#take('=>');
    const valueExpr = this.expression();
    let condition: Node | undefined;
    if (this.#peek('if')) {
      this.#take('if');
      condition = this.expression();
    }
    this.#take(object ? '}' : ']');
    return {
      kind: 'for',
      object,
      value,
      collection,
      valueExpr,
      ...(key === undefined ? {} : { key }),
      ...(keyExpr === undefined ? {} : { keyExpr }),
      ...(condition === undefined ? {} : { condition }),
    };
  }
}

export function parseExpression(source: string): Node {
  return new Parser(tokenize(source)).parse();
}

const isObject = (value: HclValue): value is Record<string, HclValue> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

function asString(value: HclValue): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  throw new Error(`cannot use ${JSON.stringify(value)} as a string`);
}

function index(collection: HclValue, key: HclValue): HclValue {
  if (Array.isArray(collection) && typeof key === 'number') {
    const item = collection[key];
    if (item === undefined) throw new Error(`index ${JSON.stringify(key)} out of range`);
    return item;
  }
  if (isObject(collection)) {
    const item = collection[asString(key)];
    if (item === undefined)
      throw new Error(`no key ${JSON.stringify(key)} in ${Object.keys(collection).join(', ')}`);
    return item;
  }
  throw new Error(`cannot index ${JSON.stringify(collection)}`);
}

const functions: Record<string, (...args: HclValue[]) => HclValue> = {
  merge: (...maps) => Object.assign({}, ...maps.map((map) => (isObject(map) ? map : {}))) as HclValue,
  tostring: (value) => (value === null ? null : asString(value)),
  jsonencode: (value) => JSON.stringify(value),
  length: (value) =>
    typeof value === 'string'
      ? value.length
      : Array.isArray(value)
        ? value.length
        : Object.keys(isObject(value) ? value : {}).length,
  lower: (value) => asString(value).toLowerCase(),
  upper: (value) => asString(value).toUpperCase(),
  contains: (list, value) => Array.isArray(list) && list.includes(value),
  lookup: (map, key, fallback = null) =>
    isObject(map) && asString(key) in map ? (map[asString(key)] ?? null) : fallback,
  coalesce: (...values) => values.find((value) => value !== null && value !== '') ?? null,
  concat: (...lists) => lists.flatMap((list) => (Array.isArray(list) ? list : [])),
  distinct: (list) =>
    Array.isArray(list)
      ? [...new Set(list.map((v) => JSON.stringify(v)))].map((v) => JSON.parse(v) as HclValue)
      : [],
};

function binary(op: string, left: HclValue, right: HclValue): HclValue {
  switch (op) {
    case '==':
      return JSON.stringify(left) === JSON.stringify(right);
    case '!=':
      return JSON.stringify(left) !== JSON.stringify(right);
    case '&&':
      return left === true && right === true;
    case '||':
      return left === true || right === true;
  }
  const [a, b] = [Number(left), Number(right)];
  const arithmetic: Record<string, number | boolean> = {
    '<': a < b,
    '>': a > b,
    '<=': a <= b,
    '>=': a >= b,
    '+': a + b,
    '-': a - b,
    '*': a * b,
    '/': a / b,
    '%': a % b,
  };
  const result = arithmetic[op];
  if (result === undefined) throw new Error(`unknown operator ${op}`);
  return result;
}

export function evaluateNode(node: Node, scope: HclScope, locals: Record<string, HclValue> = {}): HclValue {
  const value = (inner: Node, extra = locals) => evaluateNode(inner, scope, extra);
  switch (node.kind) {
    case 'literal':
      return node.value;
    case 'template': {
      const [only] = node.parts;
      if (node.parts.length === 1 && only !== undefined && typeof only !== 'string') return value(only);
      return node.parts.map((part) => (typeof part === 'string' ? part : asString(value(part)))).join('');
    }
    case 'traversal': {
      const steps = node.steps.map((step) => (typeof step === 'string' ? step : value(step)));
      if (node.root in locals) return steps.reduce<HclValue>(index, locals[node.root] ?? null);
      // var.x and local.x are one name deep; a resource's attributes are the scope's to answer.
      const depth = node.root === 'var' || node.root === 'local' ? 1 : steps.length;
      const root = scope.reference([node.root, ...steps.slice(0, depth).map(asString)]);
      return steps.slice(depth).reduce<HclValue>(index, root);
    }
    case 'call': {
      const args = node.args.map((arg) => value(arg));
      if (node.name === '__index') return index(args[0] ?? null, args[1] ?? null);
      const fn = functions[node.name];
      if (!fn) throw new Error(`function ${node.name} is not modelled`);
      return fn(...args);
    }
    case 'object':
      return Object.fromEntries(node.items.map(([key, item]) => [asString(value(key)), value(item)]));
    case 'tuple':
      return node.items.map((item) => value(item));
    case 'for':
      return evaluateFor(node, value);
    case 'unary': {
      const operand = value(node.operand);
      return node.op === '!' ? operand !== true : -Number(operand);
    }
    case 'binary':
      return binary(node.op, value(node.left), value(node.right));
    case 'conditional':
      return value(node.test) === true ? value(node.then) : value(node.otherwise);
  }
}

function evaluateFor(
  node: Extract<Node, { kind: 'for' }>,
  value: (inner: Node, extra?: Record<string, HclValue>) => HclValue,
): HclValue {
  const collection = value(node.collection);
  const pairs: [HclValue, HclValue][] = Array.isArray(collection)
    ? collection.map((item, i) => [i, item])
    : Object.entries(isObject(collection) ? collection : {});
  const results: [HclValue, HclValue][] = [];
  for (const [k, v] of pairs) {
    const bound = { [node.value]: v, ...(node.key === undefined ? {} : { [node.key]: k }) };
    if (node.condition && value(node.condition, bound) !== true) continue;
    results.push([node.keyExpr ? value(node.keyExpr, bound) : k, value(node.valueExpr, bound)]);
  }
  return node.object
    ? Object.fromEntries(results.map(([k, v]) => [asString(k), v]))
    : results.map(([, v]) => v);
}

/** A value as hcl2json gives it: strings are templates, objects and arrays hold more of them. */
export function evaluateHcl(value: unknown, scope: HclScope): HclValue {
  if (typeof value === 'string') return evaluateNode(parseTemplate(value), scope);
  if (Array.isArray(value)) return value.map((item) => evaluateHcl(item, scope));
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, evaluateHcl(item, scope)]));
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return value;
  throw new Error(`not an HCL value: ${typeof value}`);
}
