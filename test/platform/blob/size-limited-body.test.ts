// limitBodySize: the limited stream fails when the body is too large, cut by its parser, or has
// failed, including a body that failed before the limit was put on it (it then emits nothing more).
import { PassThrough } from 'node:stream';
import { buffer } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { limitBodySize } from '../../../src/platform/blob/size-limited-body.js';

const tooLarge = () => new Error('too large');

describe('limitBodySize', () => {
  it('when the body fits, then every byte passes', async () => {
    const body = new PassThrough();
    body.end('hello');
    expect((await buffer(limitBodySize(body, { maxBytes: 5, tooLarge }))).toString()).toBe('hello');
  });

  it('when the body is larger than the limit, then the stream fails with tooLarge', async () => {
    const body = new PassThrough();
    body.end('hello!');
    await expect(buffer(limitBodySize(body, { maxBytes: 5, tooLarge }))).rejects.toThrow('too large');
  });

  it('when the parser cut the body at its own limit, then the stream fails with tooLarge', async () => {
    const body = new PassThrough();
    body.end('hello');
    await expect(
      buffer(limitBodySize(body, { maxBytes: 100, tooLarge, truncated: () => true })),
    ).rejects.toThrow('too large');
  });

  it('when the body fails while it streams, then the stream fails with its error', async () => {
    const body = new PassThrough();
    const limited = limitBodySize(body, { maxBytes: 100, tooLarge });
    body.write('RIFF');
    setImmediate(() => body.destroy(new Error('Unexpected end of multipart data')));
    await expect(buffer(limited)).rejects.toThrow('Unexpected end of multipart data');
  });

  it('when the body had failed already, then the stream fails with its error instead of never ending', async () => {
    const body = new PassThrough();
    body.on('error', () => undefined);
    body.destroy(new Error('Unexpected end of multipart data'));
    await new Promise((resolve) => setImmediate(resolve));
    await expect(buffer(limitBodySize(body, { maxBytes: 100, tooLarge }))).rejects.toThrow(
      'Unexpected end of multipart data',
    );
  });
});
