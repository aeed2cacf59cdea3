// A few objects of every kind, made through the API before fuzzing, so generated ids and names
// sometimes name something that exists and requests reach past the 404.
import type { App } from '../../src/http/app-types.js';
import type { KnownValues } from './schema-arbitraries.js';

const form = (boundary: string, name: string, filename: string, type: string, data: Buffer) =>
  Buffer.concat([
    Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${filename}"\r\nContent-Type: ${type}\r\n\r\n`,
    ),
    data,
    Buffer.from(`\r\n--${boundary}--\r\n`),
  ]);

export async function seedObjects(app: App, tokens: { admin: string; user: string }): Promise<KnownValues> {
  const known: KnownValues = { uuids: [], names: [] };
  const keep = (body: string) => {
    const value = JSON.parse(body) as Record<string, unknown>;
    for (const key of ['id', 'userId', 'name']) {
      const field = value[key];
      if (typeof field !== 'string') continue;
      (key === 'name' ? known.names : known.uuids).push(field);
    }
  };
  for (const [authorization, name] of [
    [tokens.admin, 'Admin'],
    [tokens.user, 'User'],
  ] as const) {
    const headers = { authorization };
    keep((await app.inject({ method: 'POST', url: '/users', headers, payload: { name } })).body);
    keep(
      (
        await app.inject({
          method: 'POST',
          url: '/stars',
          headers,
          payload: { name: `${name}'s star`, ra: 1, dec: 2 },
        })
      ).body,
    );
    const boundary = 'seedboundary';
    const upload = await app.inject({
      method: 'POST',
      url: '/api/files',
      headers: { authorization, 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: form(boundary, 'file', `${name}.txt`, 'text/plain', Buffer.from('hello')),
    });
    keep(upload.body);
  }
  if (known.uuids.length < 4 || known.names.length < 4)
    throw new Error(`seeding failed: ${JSON.stringify(known)}`);
  return known;
}
