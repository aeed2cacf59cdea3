// The recordings routes appear in the OpenAPI document with their schemas.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRecordingsApp, type RecordingsFixture } from './recordings-fixture.js';

describe('recordings in /openapi.json', () => {
  let fixture: RecordingsFixture;
  beforeAll(async () => {
    fixture = await buildRecordingsApp({ worker: false });
  });
  afterAll(() => fixture.close());

  it('then every route is documented with its responses', async () => {
    const response = await fixture.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(response.statusCode).toBe(200);
    const paths = response.json<{
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    }>().paths;
    expect(Object.keys(paths['/api/process-audio']?.post?.responses ?? {})).toEqual(
      expect.arrayContaining(['202', '413', '415', '429']),
    );
    expect(Object.keys(paths['/api/recordings/{id}']?.get?.responses ?? {})).toEqual(
      expect.arrayContaining(['200', '404']),
    );
    expect(paths['/api/recordings/{id}/retry']?.post?.responses).toHaveProperty('409');
    expect(paths['/api/recordings']?.get).toBeDefined();
    expect(paths['/api/recordings/{id}']?.delete?.responses).toHaveProperty('204');
  });
});
