// Turns one OpenAPI operation into an arbitrary of requests for `app.inject`: path, query,
// headers and body drawn from its schemas, each part either valid-looking or hostile, and bodies
// also sent as raw text (duplicate keys, prototype keys, deep nesting, truncation), with wrong or
// missing content types and cut-off multipart bodies.
import fc from 'fast-check';
import {
  hostileValue,
  oddString,
  validValue,
  type JsonSchema,
  type SchemaContext,
} from './schema-arbitraries.js';

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema: JsonSchema;
}

export interface Operation {
  parameters?: Parameter[];
  requestBody?: { content: Record<string, { schema: JsonSchema }> };
  responses: Record<string, { content?: Record<string, { schema: JsonSchema }> }>;
}

export interface FuzzRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  payload?: string | Buffer;
}

export interface RequestContext extends SchemaContext {
  /** Authorization header values worth sending: valid ones first (they reach the handlers). */
  authorizations: string[];
}

/** Percent-encodes everything but unreserved characters (and `keep`); lone surrogates become U+FFFD. */
export function percentEncode(text: string, keep = ''): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    const char = String.fromCharCode(byte);
    out +=
      byte < 0x80 && (/[A-Za-z0-9\-._~]/.test(char) || keep.includes(char))
        ? char
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** Escapes a URL may carry that decode to nothing valid: overlong UTF-8, bare `%`, NUL, traversal. */
// No bare `%2e%2e`: inject parses URLs as WHATWG does and resolves it as `..`; a server does not.
const rawEscapes = fc.constantFrom(
  '%c0%ae',
  '%',
  '%zz',
  '%ff%fe',
  '%00',
  '..%2f..%2f',
  '%e0%80%af',
  'x%2e%2e',
  '%25',
  '%ed%a0%80',
);

/** What can travel in an HTTP header value: tab, visible ASCII and obs-text (no CR, LF or NUL). */
const headerText = fc.string({
  unit: fc
    .oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.integer({ min: 0x80, max: 0xff }), fc.constant(9))
    .map((c) => String.fromCharCode(c)),
  maxLength: 300,
});

/** JSON.stringify says `string`, but gives undefined for undefined. */
const json = (value: unknown): string => (value === undefined ? 'null' : JSON.stringify(value));

const asText = (value: unknown): string => (typeof value === 'string' ? value : json(value));

/** A parameter's value as text: absent, schema-valid, hostile, or a raw escape. */
function parameterText(parameter: Parameter, ctx: SchemaContext): fc.Arbitrary<string | undefined> {
  const encoded = (value: unknown) => percentEncode(asText(value), parameter.name === '*' ? '/' : '');
  return fc.oneof(
    {
      weight: parameter.in === 'path' || parameter.required === true ? 0 : 2,
      arbitrary: fc.constant(undefined),
    },
    { weight: 5, arbitrary: validValue(parameter.schema, ctx).map(encoded) },
    { weight: 3, arbitrary: hostileValue(parameter.schema, ctx).map(encoded) },
    {
      weight: 1,
      arbitrary: fc.tuple(validValue(parameter.schema, ctx), rawEscapes).map(([v, raw]) => encoded(v) + raw),
    },
  );
}

function urlOf(path: string, parameters: Parameter[], ctx: SchemaContext): fc.Arbitrary<string> {
  const inPath = parameters.filter((p) => p.in === 'path');
  const inQuery = parameters.filter((p) => p.in === 'query');
  const extraQuery = fc.oneof(
    { weight: 6, arbitrary: fc.constant('') },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom(...inQuery.map((p) => p.name), 'x'), oddString)
        .map(([n, v]) => `${n}=${percentEncode(v)}`),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(fc.constantFrom('__proto__[x]', 'constructor[prototype][x]', 'a[b][c]'), rawEscapes)
        .map(([n, v]) => `${n}=${v}`),
    },
  );
  return fc
    .tuple(
      fc.tuple(...inPath.map((p) => parameterText(p, ctx))),
      fc.tuple(...inQuery.map((p) => parameterText(p, ctx))),
      extraQuery,
    )
    .map(([pathValues, queryValues, extra]) => {
      let url = path;
      inPath.forEach((p, i) => (url = url.replace(`{${p.name}}`, pathValues[i] ?? '')));
      const query = inQuery
        .map((p, i) =>
          queryValues[i] === undefined ? undefined : `${percentEncode(p.name)}=${queryValues[i]}`,
        )
        .filter((part) => part !== undefined);
      if (extra !== '') query.push(extra);
      return query.length === 0 ? url : `${url}?${query.join('&')}`;
    });
}

const headersOf = (ctx: RequestContext): fc.Arbitrary<Record<string, string>> =>
  fc
    .tuple(
      fc.oneof(
        { weight: 8, arbitrary: fc.constantFrom(...ctx.authorizations) },
        { weight: 1, arbitrary: fc.constant(undefined) },
        { weight: 1, arbitrary: headerText.map((t) => `Bearer ${t}`) },
      ),
      fc.dictionary(
        fc.constantFrom(
          'x-correlation-id',
          'traceparent',
          'last-event-id',
          'range',
          'if-none-match',
          'accept',
          'x-forwarded-for',
          'origin',
        ),
        headerText,
        { maxKeys: 2 },
      ),
    )
    .map(([authorization, extra]) => (authorization === undefined ? extra : { ...extra, authorization }));

/** Content types a JSON route should refuse or that are JSON in disguise. */
const otherJsonTypes = fc.constantFrom(
  undefined,
  'text/plain',
  'application/x-www-form-urlencoded',
  'multipart/form-data',
  'application/json; charset=utf-16',
  'application/problem+json',
  'application/json-patch+json',
  'application/xml',
  '*/*',
);

/** JSON text the parser must survive: duplicate and prototype keys, deep nesting, truncation. */
function jsonText(valid: fc.Arbitrary<unknown>, hostile: fc.Arbitrary<unknown>): fc.Arbitrary<string> {
  const objectText = (value: unknown) => {
    const text = json(value);
    return text.startsWith('{') && text !== '{}' ? text.slice(1, -1) : '"k":1';
  };
  return fc.oneof(
    { weight: 6, arbitrary: valid.map((v) => json(v)) },
    { weight: 6, arbitrary: hostile.map((v) => json(v)) },
    {
      weight: 2,
      arbitrary: fc.tuple(valid, hostile).map(([v, h]) => {
        const body = objectText(v);
        const key = /^"((?:[^"\\]|\\.)*)"/.exec(body)?.[1] ?? 'k';
        return `{${body},"${key}":${json(h)}}`;
      }),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(
          valid,
          fc.constantFrom(
            '"__proto__":{"isAdmin":true}',
            '"constructor":{"prototype":{"isAdmin":true}}',
            '"__proto__":null',
          ),
        )
        .map(([v, poison]) => `{${poison},${objectText(v)}}`),
    },
    {
      weight: 1,
      arbitrary: fc
        .integer({ min: 100, max: 20_000 })
        .map((n) =>
          n % 2 === 0 ? `${'['.repeat(n)}${']'.repeat(n)}` : `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`,
        ),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(valid, fc.nat()).map(([v, cut]) => {
        const t = json(v);
        return t.slice(0, cut % (t.length + 1));
      }),
    },
    { weight: 1, arbitrary: oddString },
  );
}

function jsonBody(
  schema: JsonSchema,
  ctx: SchemaContext,
): fc.Arbitrary<{ type: string | undefined; payload: string }> {
  return fc
    .tuple(
      fc.oneof(
        { weight: 8, arbitrary: fc.constant<string | undefined>('application/json') },
        { weight: 2, arbitrary: otherJsonTypes },
      ),
      jsonText(validValue(schema, ctx), hostileValue(schema, ctx)),
    )
    .map(([type, payload]) => ({ type, payload }));
}

/** Starts of real file formats, so sniffing passes and the decoder meets the random rest. */
const magic = fc.constantFrom(
  '',
  'RIFF\x24\x00\x00\x00WAVEfmt ',
  'ID3\x03\x00',
  '\xff\xfb\x90',
  'OggS',
  '\x89PNG\r\n\x1a\n',
  '\xff\xd8\xff\xe0',
  'RIFF\x00\x00\x00\x00WEBPVP8 ',
  'fLaC',
);

const fileBytes = fc
  .tuple(magic, fc.uint8Array({ maxLength: 2048 }))
  .map(([head, rest]) => Buffer.concat([Buffer.from(head, 'latin1'), rest]));

interface Part {
  name: string;
  filename?: string;
  type?: string;
  data: Buffer;
}

function multipartText(parts: Part[], boundary: string): Buffer {
  const chunks = parts.map((part) => {
    const disposition = `form-data; name="${part.name}"${part.filename === undefined ? '' : `; filename="${part.filename}"`}`;
    const type = part.type === undefined ? '' : `\r\nContent-Type: ${part.type}`;
    return Buffer.concat([
      Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}${type}\r\n\r\n`),
      part.data,
      Buffer.from('\r\n'),
    ]);
  });
  return Buffer.concat([...chunks, Buffer.from(`--${boundary}--\r\n`)]);
}

function multipartBody(
  schema: JsonSchema,
  ctx: SchemaContext,
): fc.Arbitrary<{ type: string | undefined; payload: Buffer }> {
  const fields = Object.entries(schema.properties ?? {});
  const part = ([name, field]: [string, JsonSchema]): fc.Arbitrary<Part | undefined> =>
    field.format === 'binary'
      ? fc.record({
          name: fc.constant(name),
          filename: fc.oneof(
            fc.constantFrom('a.wav', 'photo.jpg', 'x.png', 'notes.txt', 'a"b.mp3', '../../x.wav'),
            oddString.map((s) => s.slice(0, 200)),
          ),
          type: fc.constantFrom(
            'audio/wav',
            'audio/mpeg',
            'image/jpeg',
            'image/png',
            'application/octet-stream',
            'text/plain',
            'x/y',
          ),
          data: fileBytes,
        })
      : fc.oneof(
          fc.constant(undefined),
          fc
            .oneof(validValue(field, ctx), hostileValue(field, ctx))
            .map((v) => ({ name, data: Buffer.from(asText(v)) })),
        );
  return fc
    .tuple(
      fc.tuple(...fields.map(part)),
      fc.boolean(),
      fc.constantFrom(
        'complete',
        'complete',
        'complete',
        'truncated',
        'no-boundary',
        'wrong-boundary',
        'extra-part',
      ),
      fc.nat(),
    )
    .map(([parts, reversed, shape, cut]) => {
      const present = parts.filter((p): p is Part => p !== undefined);
      if (reversed) present.reverse();
      if (shape === 'extra-part')
        present.push({ name: 'unexpected', data: Buffer.from('x') }, ...present.slice(-1));
      const boundary = '----fuzz7MA4YWxkTrZu0gW';
      const text = multipartText(present, boundary);
      const payload = shape === 'truncated' ? text.subarray(0, cut % Math.max(1, text.length - 8)) : text;
      const type =
        shape === 'no-boundary'
          ? 'multipart/form-data'
          : `multipart/form-data; boundary=${shape === 'wrong-boundary' ? 'other' : boundary}`;
      return { type, payload };
    });
}

const octetBody = fc
  .tuple(
    fc.constantFrom<string | undefined>(
      'application/octet-stream',
      'application/octet-stream',
      'image/png',
      'text/plain',
      undefined,
      'application/json',
    ),
    fileBytes,
  )
  .map(([type, payload]) => ({ type, payload }));

function bodyOf(
  operation: Operation,
  ctx: SchemaContext,
): fc.Arbitrary<{ type: string | undefined; payload: string | Buffer } | undefined> {
  const content = operation.requestBody?.content ?? {};
  const kinds: fc.Arbitrary<{ type: string | undefined; payload: string | Buffer } | undefined>[] = [];
  for (const [type, { schema }] of Object.entries(content)) {
    if (type === 'application/json') kinds.push(jsonBody(schema, ctx));
    else if (type === 'multipart/form-data') kinds.push(multipartBody(schema, ctx));
    else kinds.push(octetBody);
  }
  // A body where none is expected, or none where one is.
  const stray = jsonBody({ type: 'object' }, ctx);
  return kinds.length === 0
    ? fc.oneof({ weight: 9, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: stray })
    : fc.oneof(
        { weight: 9, arbitrary: fc.oneof(...kinds) },
        { weight: 1, arbitrary: fc.oneof(fc.constant(undefined), stray, octetBody) },
      );
}

/** Requests for `method path` as its OpenAPI operation describes them, valid-looking and hostile. */
export function requestsFor(
  method: string,
  path: string,
  operation: Operation,
  ctx: RequestContext,
): fc.Arbitrary<FuzzRequest> {
  return fc
    .tuple(urlOf(path, operation.parameters ?? [], ctx), headersOf(ctx), bodyOf(operation, ctx))
    .map(([url, headers, body]) => {
      const all = { ...headers, ...(body?.type === undefined ? {} : { 'content-type': body.type }) };
      return {
        method: method.toUpperCase(),
        url,
        headers: all,
        ...(body === undefined ? {} : { payload: body.payload }),
      };
    });
}
