// peekStream: the head comes back without being consumed, also when the stream is shorter than
// the head or ends during the peek; a stream that fails before its head arrives rejects.
import { PassThrough, Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { describe, expect, it } from 'vitest';
import { peekStream } from '../../../src/platform/streams/stream-head.js';

describe('peekStream', () => {
  it('when the stream is longer than the head, then the head is its first bytes and nothing is consumed', async () => {
    const stream = Readable.from([Buffer.from('abc'), Buffer.from('defgh')], { objectMode: false });
    expect((await peekStream(stream, 5)).toString()).toBe('abcde');
    expect(await text(stream)).toBe('abcdefgh');
  });

  it('when the whole stream is shorter than the head, then it is the head and its next reader still gets every byte', async () => {
    const stream = new PassThrough();
    stream.end('RIFF$\0\0\0WAVE');
    expect((await peekStream(stream, 64)).toString('latin1')).toBe('RIFF$\0\0\0WAVE');
    expect(await text(stream)).toBe('RIFF$\0\0\0WAVE');
  });

  it('when the stream ends while the peek waits, then the bytes that came are kept for the next reader', async () => {
    const stream = new PassThrough();
    const head = peekStream(stream, 64);
    stream.write('RIFF');
    setImmediate(() => stream.end('WAVE'));
    expect((await head).toString()).toBe('RIFFWAVE');
    expect(await text(stream)).toBe('RIFFWAVE');
  });

  it('when the stream is empty, then the head is empty', async () => {
    const stream = new PassThrough();
    stream.end();
    expect(await peekStream(stream, 64)).toHaveLength(0);
  });

  it('when the stream failed before the peek, then it rejects with that error', async () => {
    const stream = new PassThrough();
    stream.on('error', () => undefined);
    stream.write('RIFF');
    stream.destroy(new Error('Unexpected end of multipart data'));
    await expect(peekStream(stream, 64)).rejects.toThrow('Unexpected end of multipart data');
  });

  it('when the stream fails while the peek waits, then it rejects with that error', async () => {
    const stream = new PassThrough();
    const head = peekStream(stream, 64);
    stream.write('RIFF');
    setImmediate(() => stream.destroy(new Error('cut off')));
    await expect(head).rejects.toThrow('cut off');
  });
});
