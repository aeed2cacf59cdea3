// A user's bytes served on the API's origin (own files, signed links): only raster images, audio
// and PDF inline; HTML, SVG and everything else as a download; every answer sandboxed by its CSP.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isInlineType, userContentHeaders } from '../../../src/http/user-content.js';
import { multipartBody, multipartHeaders } from '../../helpers/multipart.js';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';

describe('the user-content rule', () => {
  it('lets only raster images, audio and PDF inline, whatever the case or parameters', () => {
    for (const type of ['image/png', 'IMAGE/JPEG', 'image/webp', 'audio/mpeg', 'audio/ogg; codecs=opus'])
      expect(isInlineType(type), type).toBe(true);
    for (const type of [
      'text/html',
      'Text/HTML; charset=utf-8',
      'image/svg+xml',
      'application/xhtml+xml',
      'text/xml',
      'application/octet-stream',
      'text/plain',
      '',
    ])
      expect(isInlineType(type), type).toBe(false);
  });

  it('turns an inline a link asked for into a download when the type is not allowed inline', () => {
    expect(userContentHeaders('text/html', { requested: 'inline', filename: 'x.html' })).toEqual({
      'content-disposition': 'attachment; filename="x.html"',
      'content-security-policy': "default-src 'none'; frame-ancestors 'none'; sandbox",
    });
    expect(userContentHeaders('application/pdf', { requested: 'inline' })['content-disposition']).toBe(
      'inline',
    );
    expect(userContentHeaders('text/html', { filename: 'é"x.html' })['content-disposition']).toBe(
      `attachment; filename="__x.html"; filename*=UTF-8''%C3%A9%22x.html`,
    );
  });
});

describe('files served on the API origin', () => {
  let fixture: TestApp;
  beforeAll(async () => {
    fixture = await buildTestApp({ modules: ['files'] });
  });
  afterAll(async () => {
    await fixture.close();
  });

  const store = async (name: string, contentType: string, body: string) => {
    const response = await fixture.app.inject({
      method: 'POST',
      url: '/api/files',
      headers: multipartHeaders,
      payload: multipartBody({ fields: { name }, filename: name, contentType, data: Buffer.from(body) }),
    });
    expect(response.statusCode, response.body).toBe(201);
  };

  const link = async (name: string, contentDisposition?: string): Promise<string> => {
    const issued = await fixture.app.inject({
      method: 'POST',
      url: '/api/files/sas',
      payload: {
        name,
        permissions: 'r',
        ...(contentDisposition === undefined ? {} : { contentDisposition }),
      },
    });
    expect(issued.statusCode, issued.body).toBe(200);
    const url = new URL(issued.json<{ url: string }>().url);
    return `${url.pathname}${url.search}`;
  };

  it.each([
    { name: 'page/x.html', type: 'text/html', body: '<form action="https://evil.example"><input></form>' },
    { name: 'page/x.svg', type: 'image/svg+xml', body: '<svg xmlns="http://www.w3.org/2000/svg"/>' },
    { name: 'page/refresh.htm', type: 'Text/HTML; charset=utf-8', body: '<meta http-equiv="refresh">' },
  ])(
    'when $name is fetched by its owner, by a link, or by a link asking inline, then it is a sandboxed download',
    async ({ name, type, body }) => {
      await store(name, type, body);
      for (const url of [`/api/files/${name}`, await link(name), await link(name, 'inline')]) {
        for (const method of ['GET', 'HEAD'] as const) {
          const response = await fixture.app.inject({ method, url });
          expect(response.statusCode, `${method} ${url}`).toBe(200);
          expect(response.headers['content-disposition'], `${method} ${url}`).toMatch(
            /^attachment; filename="/,
          );
          expect(response.headers['content-security-policy'], `${method} ${url}`).toMatch(/(^|; )sandbox$/);
        }
      }
    },
  );

  it('when a PNG is fetched, then it is shown inline, still sandboxed', async () => {
    await store('pics/a.png', 'image/png', 'png bytes');
    const response = await fixture.app.inject({ url: await link('pics/a.png') });
    expect(response.headers['content-disposition']).toBeUndefined();
    expect(response.headers['content-security-policy']).toMatch(/sandbox/);
  });
});
