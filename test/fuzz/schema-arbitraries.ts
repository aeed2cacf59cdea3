// Turns a JSON schema (as the OpenAPI document states it) into fast-check arbitraries: values the
// schema accepts, drawn from its edges (odd Unicode, huge numbers, ids that exist), and hostile
// values that it should refuse (wrong types, out of range, unknown and prototype keys, deep nesting).
import fc from 'fast-check';

export interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  const?: unknown;
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  minProperties?: number;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
}

/** Values worth reaching past the 404: ids and names of objects the fuzz run created. */
export interface KnownValues {
  uuids: string[];
  names: string[];
}

export interface SchemaContext {
  /** `#/components/schemas/X` → schema. */
  resolve(ref: string): JsonSchema;
  known: KnownValues;
}

/** Strings any text field may meet: NUL, lone surrogates, RTL overrides, CR/LF, emoji, long runs. */
export const oddString: fc.Arbitrary<string> = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc.constantFrom(
    '\u0000',
    'a\u0000b',
    '\ud800',
    'x\udfffy',
    '\u202eevil\u202c',
    'line\r\nInjected: yes',
    '\r\n\r\n',
    '../../etc/passwd',
    '..%2f..%2f',
    '%00',
    '<script>alert(1)</script>',
    "'; drop table stars; --",
    '👩‍👩‍👧‍👦🏳️‍🌈',
    'e\u0301\u0301\u0301',
    '\ufeff',
    ' ',
    '',
  ),
  fc.nat({ max: 70_000 }).map((n) => 'a'.repeat(n)),
);

const anyJson: fc.Arbitrary<unknown> = fc.jsonValue({ maxDepth: 3 }).map((v) => v as unknown);

/** A value nested `depth` deep in arrays or objects. */
export const deepValue: fc.Arbitrary<unknown> = fc
  .tuple(fc.integer({ min: 50, max: 3000 }), fc.boolean())
  .map(([depth, arrays]) => {
    let value: unknown = 1;
    for (let i = 0; i < depth; i++) value = arrays ? [value] : { a: value };
    return value;
  });

const hugeNumbers = fc.constantFrom(
  1e300,
  -1e300,
  Number.MAX_SAFE_INTEGER + 2,
  -Number.MAX_SAFE_INTEGER - 2,
  Number.MAX_VALUE,
  Number.MIN_VALUE,
  -0,
  2 ** 31,
  -(2 ** 31) - 1,
  0.5,
);

/** Length as JSON Schema counts it: code points, not UTF-16 units. */
const codePoints = (s: string) => s.replace(/[\ud800-\udbff][\udc00-\udfff]/g, '_').length;

const isType = (schema: JsonSchema, type: string) =>
  schema.type === type || (Array.isArray(schema.type) && schema.type.includes(type));

function stringValid(schema: JsonSchema, ctx: SchemaContext): fc.Arbitrary<string> {
  const minLength = schema.minLength ?? 0;
  const maxLength = schema.maxLength ?? 200;
  const fits = (s: string) =>
    codePoints(s) >= minLength &&
    s.length <= maxLength &&
    (schema.pattern === undefined || new RegExp(schema.pattern, 'u').test(s));
  if (schema.format === 'uuid')
    return fc
      .oneof(
        { weight: ctx.known.uuids.length > 0 ? 3 : 0, arbitrary: fc.constantFrom('', ...ctx.known.uuids) },
        { weight: 1, arbitrary: fc.uuid() },
      )
      .filter((s) => s !== '' || minLength === 0);
  if (schema.format === 'date-time') return fc.date({ noInvalidDate: true }).map((d) => d.toISOString());
  if (schema.format === 'email') return fc.emailAddress().filter(fits);
  if (schema.pattern !== undefined) return fc.stringMatching(new RegExp(schema.pattern)).filter(fits);
  return fc
    .oneof(
      fc.string({ minLength, maxLength: Math.min(maxLength, 40) }),
      fc.string({ unit: 'grapheme', minLength, maxLength: Math.min(maxLength, 40) }),
      oddString,
      fc.constantFrom(...ctx.known.names, 'x'),
      fc.constant('z'.repeat(Math.min(maxLength, 100_000))),
    )
    .filter(fits);
}

function numberValid(schema: JsonSchema, integer: boolean): fc.Arbitrary<number> {
  const min = schema.minimum ?? schema.exclusiveMinimum;
  const max = schema.maximum ?? schema.exclusiveMaximum;
  const inRange = (n: number) =>
    (schema.minimum === undefined || n >= schema.minimum) &&
    (schema.maximum === undefined || n <= schema.maximum) &&
    (schema.exclusiveMinimum === undefined || n > schema.exclusiveMinimum) &&
    (schema.exclusiveMaximum === undefined || n < schema.exclusiveMaximum) &&
    (!integer || Number.isInteger(n));
  const edges = [min, max, 0, 1, -1, 1e300, -1e300, Number.MAX_SAFE_INTEGER, 2 ** 31].filter(
    (n): n is number => n !== undefined,
  );
  const plain = integer
    ? fc.integer({
        min: Math.max(Math.ceil(min ?? -1e9), -(2 ** 31)),
        max: Math.min(Math.floor(max ?? 1e9), 2 ** 31 - 1),
      })
    : fc.double({ min: min ?? -1e9, max: max ?? 1e9, noNaN: true, noDefaultInfinity: true });
  return fc
    .oneof(
      { weight: 4, arbitrary: plain },
      { weight: 1, arbitrary: fc.constantFrom(...edges, ...edges.map((e) => e + 0.5)) },
    )
    .filter(inRange);
}

function objectValid(schema: JsonSchema, ctx: SchemaContext): fc.Arbitrary<Record<string, unknown>> {
  const properties = schema.properties ?? {};
  const model = Object.fromEntries(Object.entries(properties).map(([k, s]) => [k, validValue(s, ctx)]));
  const required = schema.required ?? [];
  return fc
    .record(model, { requiredKeys: required })
    .filter((o) => Object.keys(o).length >= (schema.minProperties ?? 0));
}

/** Values `schema` accepts (as far as its keywords say). */
export function validValue(schema: JsonSchema, ctx: SchemaContext): fc.Arbitrary<unknown> {
  if (schema.$ref !== undefined) return validValue(ctx.resolve(schema.$ref), ctx);
  const union = schema.anyOf ?? schema.oneOf;
  if (union !== undefined) return fc.oneof(...union.map((s) => validValue(s, ctx)));
  if (schema.allOf !== undefined) return validValue(Object.assign({}, ...schema.allOf) as JsonSchema, ctx);
  if ('const' in schema) return fc.constant(schema.const);
  if (schema.enum !== undefined) return fc.constantFrom(...schema.enum);
  if (Array.isArray(schema.type))
    return fc.oneof(...schema.type.map((type) => validValue({ ...schema, type }, ctx)));
  switch (schema.type) {
    case 'string':
      return stringValid(schema, ctx);
    case 'integer':
      return numberValid(schema, true);
    case 'number':
      return numberValid(schema, false);
    case 'boolean':
      return fc.boolean();
    case 'null':
      return fc.constant(null);
    case 'array':
      return fc.array(validValue(schema.items ?? {}, ctx), {
        minLength: schema.minItems ?? 0,
        maxLength: Math.min(schema.maxItems ?? 5, 5),
      });
    case 'object':
      return objectValid(schema, ctx);
    default:
      return anyJson;
  }
}

/** A value of some other JSON type than the schema's. */
function wrongType(schema: JsonSchema): fc.Arbitrary<unknown> {
  const others: fc.Arbitrary<unknown>[] = [];
  if (!isType(schema, 'string')) others.push(oddString, fc.constantFrom('1', 'true', 'null', '1e309'));
  if (!isType(schema, 'number') && !isType(schema, 'integer')) others.push(fc.double(), hugeNumbers);
  if (!isType(schema, 'boolean')) others.push(fc.boolean());
  if (!isType(schema, 'null')) others.push(fc.constant(null));
  if (!isType(schema, 'array')) others.push(fc.array(anyJson, { maxLength: 3 }));
  if (!isType(schema, 'object')) others.push(fc.dictionary(fc.string(), anyJson, { maxKeys: 3 }));
  others.push(deepValue);
  return fc.oneof(...others);
}

/** Out of the schema's own bounds: too long, too short, off the pattern, out of range. */
function outOfBounds(schema: JsonSchema): fc.Arbitrary<unknown> {
  if (isType(schema, 'string'))
    return fc.oneof(
      fc.constant('y'.repeat((schema.maxLength ?? 100_000) + 1)),
      fc.constant(''),
      oddString,
      fc.constantFrom('not-a-uuid', '00000000-0000-0000-0000-00000000000g', '2024-13-45T99:99:99Z'),
    );
  if (isType(schema, 'integer') || isType(schema, 'number'))
    return fc.oneof(
      hugeNumbers,
      fc.constantFrom((schema.minimum ?? 0) - 1, (schema.maximum ?? 0) + 1, schema.exclusiveMaximum ?? 1e12),
    );
  if (isType(schema, 'array'))
    return fc.array(anyJson, {
      minLength: (schema.maxItems ?? 1000) + 1,
      maxLength: (schema.maxItems ?? 1000) + 2,
    });
  return wrongType(schema);
}

/** An object with one key broken: missing, unknown, `__proto__`/`constructor`, or a hostile value. */
function brokenObject(schema: JsonSchema, ctx: SchemaContext): fc.Arbitrary<unknown> {
  const keys = Object.keys(schema.properties ?? {});
  return fc
    .tuple(objectValid(schema, ctx), fc.constantFrom('', ...keys), fc.nat({ max: 4 }), fc.boolean())
    .chain(([base, key, how, deep]) => {
      const property = schema.properties?.[key];
      if (how === 0 || property === undefined)
        return fc.constant(Object.fromEntries(Object.entries(base).filter(([k]) => k !== key)));
      if (how === 1) return hostileValue(property, ctx, deep).map((value) => ({ ...base, [key]: value }));
      if (how === 2) return fc.constant({ ...base, constructor: { prototype: { isAdmin: true } } });
      if (how === 3) return fc.constant({ ...base, ['__proto__']: { isAdmin: true }, roles: ['admin'] });
      return fc.string().map((extra) => ({ ...base, [`${extra}_unknown`]: extra }));
    });
}

/** Values `schema` should refuse, or that sit at its hostile edges. */
export function hostileValue(schema: JsonSchema, ctx: SchemaContext, deep = true): fc.Arbitrary<unknown> {
  if (schema.$ref !== undefined) return hostileValue(ctx.resolve(schema.$ref), ctx, deep);
  const kinds: fc.Arbitrary<unknown>[] = [wrongType(schema), outOfBounds(schema)];
  if (deep && isType(schema, 'object')) kinds.push(brokenObject(schema, ctx), brokenObject(schema, ctx));
  if (deep && isType(schema, 'array') && schema.items !== undefined)
    kinds.push(fc.array(hostileValue(schema.items, ctx, false), { minLength: 1, maxLength: 3 }));
  return fc.oneof(...kinds);
}
