// The scan form's limits say what was wrong: a field over its length is a 400 naming it (never
// stored cut at the parser's byte limit), and a second file is a 400 (not a size's 413).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blobNames, buildScansApp, makePhoto, postScan, type ScansFixture } from './scans-fixture.js';

describe('scan form limits', () => {
  let fixture: ScansFixture;
  let photo: Buffer;
  beforeAll(async () => {
    fixture = await buildScansApp();
    photo = await makePhoto('jpeg');
  });
  afterAll(() => fixture.close());

  it.each([
    ['one character too many', 'a'.repeat(10_001)],
    ['far more than the parser keeps', 'a'.repeat(50_000)],
    ['10,001 characters of 3-byte UTF-8', '成'.repeat(10_001)],
  ])(
    'when ingredients are %s, then 400 naming the limit, and nothing is stored',
    async (_case, ingredients) => {
      for (const where of ['fields', 'after'] as const) {
        const refused = await postScan(fixture, { image: { data: photo }, [where]: { ingredients } });
        expect(refused.status).toBe(400);
        expect(refused.body.detail).toBe('ingredients is longer than 10000 characters.');
      }
      expect(await blobNames(fixture)).toEqual([]);
    },
  );

  it('when ingredients are exactly at the limit in 3-byte UTF-8, then the scan is accepted with all of them', async () => {
    const ingredients = '成'.repeat(10_000);
    const accepted = await postScan(fixture, { image: { data: photo }, fields: { ingredients } });
    expect(accepted.status).toBe(202);
  });

  it('when the form has two image parts, then 400 saying so, and nothing is stored', async () => {
    const before = await blobNames(fixture);
    const form = new FormData();
    form.append('image', new Blob([photo], { type: 'image/jpeg' }), 'a.jpg');
    form.append('image', new Blob([photo], { type: 'image/jpeg' }), 'b.jpg');
    const response = await fetch(`${fixture.url}/api/scans`, { method: 'POST', body: form });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    expect(((await response.json()) as { detail: string }).detail).toBe(
      'Send exactly one file, in the field `image`.',
    );
    await expect.poll(() => blobNames(fixture)).toEqual(before);
  });
});
