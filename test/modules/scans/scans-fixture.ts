// The scans tests' one fixture: the test-app builder's app with the scans module, listening (the
// shared /ws socket), over real parts (PGlite, the disk or Azurite blob driver), the LLM stand-in or
// no provider, the worker in the same process; and helpers to make photos, post, read and wait.
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { expect } from 'vitest';
import { mintToken } from '../../../src/platform/auth/mint-token.js';
import { createArrayAuditLog } from '../../helpers/fakes.js';
import type { ScansTestOptions } from '../../helpers/scans-parts.js';
import { buildTestApp, testJwtSecret, type TestAppFor } from '../../helpers/test-app.js';

export type ScansFixture = TestAppFor<{ modules: ['scans'] }> & {
  /** Where scans record share views and revocations (and the blob store its operations). */
  audit: ReturnType<typeof createArrayAuditLog>;
};

/** The test-app builder with the scans module, listening (the /ws socket), its worker in-process. */
export async function buildScansApp(
  options: { env?: Record<string, string> } & ScansTestOptions = {},
): Promise<ScansFixture> {
  const { env, ...scans } = options;
  const audit = createArrayAuditLog();
  const app = await buildTestApp({
    modules: ['scans'],
    listen: true,
    scans,
    auditLog: audit,
    ...(env === undefined ? {} : { env }),
  });
  return Object.assign(app, { audit });
}

export const tokenFor = (subject: string, roles?: string[]) =>
  mintToken({ secret: testJwtSecret, subject, ...(roles === undefined ? {} : { roles }) });

/** A photo made by sharp: a gradient with a shape, so hashes differ between `seed`s. */
export async function makePhoto(
  format: 'jpeg' | 'png' | 'webp',
  options: { seed?: number; width?: number; height?: number; gps?: boolean } = {},
): Promise<Buffer> {
  const width = options.width ?? 640;
  const height = options.height ?? 480;
  const seed = options.seed ?? 1;
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}">
    <defs><linearGradient id="g" x1="0" x2="1"><stop offset="0" stop-color="#${((seed * 2654435761) % 0xffffff).toString(16).padStart(6, '0')}"/><stop offset="1" stop-color="#fff"/></linearGradient></defs>
    <rect width="100%" height="100%" fill="url(#g)"/>
    <circle cx="${(seed * 97) % width}" cy="${(seed * 57) % height}" r="${60 + (seed % 5) * 20}" fill="#123"/>
    <text x="20" y="${height - 40}" font-size="40">Ingredients: aqua, parfum</text></svg>`;
  let image = sharp(Buffer.from(svg));
  if (options.gps === true)
    image = image.withExif({
      IFD0: { Make: 'TestPhone', Model: 'GPS-1' },
      IFD3: {
        GPSLatitudeRef: 'N',
        GPSLatitude: '51/1 30/1 0/1',
        GPSLongitudeRef: 'W',
        GPSLongitude: '0/1 7/1 0/1',
      },
    });
  return image.toFormat(format).toBuffer();
}

export interface Post {
  image?: { data: Buffer; name?: string; type?: string };
  fields?: Record<string, string>;
  /** Fields placed after the image part. */
  after?: Record<string, string>;
  token?: string;
  query?: string;
}

export async function postScan(
  fixture: ScansFixture,
  post: Post,
): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const form = new FormData();
  for (const [name, value] of Object.entries(post.fields ?? {})) form.append(name, value);
  if (post.image !== undefined)
    form.append(
      'image',
      new Blob([post.image.data], { type: post.image.type ?? 'image/jpeg' }),
      post.image.name ?? 'photo.jpg',
    );
  for (const [name, value] of Object.entries(post.after ?? {})) form.append(name, value);
  const response = await fetch(`${fixture.url}/api/scans${post.query ?? ''}`, {
    method: 'POST',
    body: form,
    headers: post.token === undefined ? {} : { authorization: `Bearer ${post.token}` },
  });
  return {
    status: response.status,
    headers: response.headers,
    body: (await response.json()) as Record<string, unknown>,
  };
}

export interface Detail {
  id: string;
  status: string;
  stage: string;
  error: string | null;
  productName: string | null;
  riskLevel: string | null;
  likelyDuplicateOf: string | null;
  stages: Record<string, { state: string; reason?: string }>;
  image: { width: number; height: number; perceptualHash: string; duplicateOf: string | null } | null;
  analysis: Record<string, unknown> | null;
  risk: { level: string; matched: number; high: number } | null;
  links: Record<string, string>;
  blobUrl: string;
}

export async function detail(fixture: ScansFixture, id: string, token?: string): Promise<Detail> {
  const response = await fixture.app.inject({
    method: 'GET',
    url: `/api/scans/${id}`,
    headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
  });
  expect(response.statusCode, response.body).toBe(200);
  return response.json<Detail>();
}

export async function waitFor(
  fixture: ScansFixture,
  id: string,
  status: 'completed' | 'failed',
  token?: string,
) {
  await expect
    .poll(async () => (await detail(fixture, id, token)).status, { timeout: 60_000, interval: 100 })
    .toBe(status);
  return detail(fixture, id, token);
}

export async function blobNames(fixture: ScansFixture): Promise<string[]> {
  const page = await fixture.bundle.store
    .list(fixture.settings.SCANS_CONTAINER, { pageSize: 1000 })
    .catch(() => ({ items: [] }));
  return page.items.map((item) => item.name).sort();
}

/** A WebSocket client keeping every message (the recordings fixture's: /ws is shared). */
export { connect } from '../recordings/recordings-fixture.js';

const run = promisify(execFile);

/** The PDF's text, by pdftotext (Debian poppler-utils; .ci/run installs it). */
export async function pdfText(pdf: Buffer): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'scans-pdf-'));
  try {
    await writeFile(join(dir, 'r.pdf'), pdf);
    const { stdout } = await run('pdftotext', ['-layout', join(dir, 'r.pdf'), '-']);
    return stdout;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
