// A photo through the whole scans pipeline on the disk driver and on Azurite: seed 001's blob layout
// and tables, metadata stripped, the label read by the LLM stand-in, stages watched over /ws, and
// the PDF's text read back with pdftotext (poppler-utils).
import { sql } from 'kysely';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAzurite, type Azurite } from '../../helpers/azurite.js';
import { startLlmStandIn, type LlmStandIn } from '../../helpers/llm-stand-in.js';
import { makeLlm } from '../../platform/llm/llm-fixtures.js';
import {
  blobNames,
  buildScansApp,
  connect,
  detail,
  makePhoto,
  pdfText,
  postScan,
  waitFor,
  type ScansFixture,
} from './scans-fixture.js';

const labelReading = {
  productName: 'Silk Straight Keratin Smoothing Cream',
  brand: 'Glossa',
  category: 'relaxer',
  ingredients: ['Aqua', 'Cetearyl Alcohol', 'DMDM Hydantoin', 'Fragrance (Parfum)', 'Methylparaben'],
  claims: ['frizz free for 12 weeks'],
  confidence: 0.86,
};

describe.each(['disk', 'azurite'] as const)('scans pipeline on %s', (driver) => {
  let azurite: Azurite | undefined;
  let standIn: LlmStandIn;
  let fixture: ScansFixture;

  beforeAll(async () => {
    standIn = await startLlmStandIn();
    standIn.answer = labelReading;
    azurite = driver === 'azurite' ? await startAzurite() : undefined;
    fixture = await buildScansApp({
      env: {
        AZURE_OPENAI_LABEL_DEPLOYMENT: 'gpt-4o',
        ...(azurite === undefined
          ? {}
          : { AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString, STORAGE_RETRY_BASE_MS: '10' }),
      },
      llm: (await makeLlm(standIn, 'azure_openai', { settings: { AZURE_OPENAI_LABEL_DEPLOYMENT: 'gpt-4o' } }))
        .provider,
    });
  }, 60_000);

  afterAll(async () => {
    await fixture.close();
    await standIn.close();
    await azurite?.close();
  });

  it('when a JPEG with GPS EXIF is posted, then /ws shows every stage and the seed 001 layout, tables and reports are there without the metadata', async () => {
    expect(fixture.bundle.driver).toBe(driver === 'disk' ? 'disk' : 'azure');
    const photo = await makePhoto('jpeg', { gps: true, width: 1200, height: 900 });
    expect((await sharp(photo).metadata()).exif).toBeDefined();
    const client = await connect(fixture);
    const posted = await postScan(fixture, {
      image: { data: photo, name: 'IMG 0001 (home).jpg' },
      after: { barcode: '5012345678900', ingredients: 'Aqua, Quaternium-15' },
    });
    expect(posted.status, JSON.stringify(posted.body)).toBe(202);
    expect(posted.body.status).toBe('queued');
    const id = posted.body.id as string;
    client.send({ type: 'subscribe', scanId: id });
    const done = await waitFor(fixture, id, 'completed');
    await expect
      .poll(() => client.messages.at(-1))
      .toMatchObject({ type: 'completed', scanId: id, level: 'high' });
    const seen = client.messages.map((m) => m.status);
    // A fast job may be past some stages when the subscription starts; what arrives is in order.
    const order = ['queued', 'processing', 'analysing', 'reporting', 'completed'];
    expect(seen.map((s) => order.indexOf(s as string))).toEqual(
      [...seen.map((s) => order.indexOf(s as string))].sort(),
    );
    await client.close();

    expect(done.stages).toMatchObject({
      processing: { state: 'done' },
      analysing: { state: 'done' },
      reporting: { state: 'done' },
    });
    expect(done.blobUrl).toBe(`blob://crownsafe-images/scans/anonymous/${id}/original.jpg`);
    expect(done.analysis).toMatchObject({ productName: labelReading.productName, brand: 'Glossa' });
    expect(done.risk).toMatchObject({ level: 'high', high: 2 });
    expect(await blobNames(fixture)).toEqual(
      [
        `reports/${id}/report.html`,
        `reports/${id}/report.json`,
        `reports/${id}/report.pdf`,
        `scans/anonymous/${id}/normalized.jpg`,
        `scans/anonymous/${id}/original.jpg`,
        `scans/anonymous/${id}/thumbnail.webp`,
      ].sort(),
    );

    const container = fixture.settings.SCANS_CONTAINER;
    const read = (name: string) => fixture.bundle.store.downloadBuffer({ container, name });
    for (const name of [`scans/anonymous/${id}/normalized.jpg`, `scans/anonymous/${id}/thumbnail.webp`]) {
      const bytes = await read(name);
      const meta = await sharp(bytes).metadata();
      expect(meta.exif, name).toBeUndefined();
      expect(meta.xmp, name).toBeUndefined();
      expect(bytes.includes(Buffer.from('TestPhone')), name).toBe(false);
      expect(bytes.includes(Buffer.from('GPS')), name).toBe(false);
    }
    expect((await sharp(await read(`scans/anonymous/${id}/thumbnail.webp`)).metadata()).width).toBe(320);

    // The label was read by the label deployment, with the photo inline.
    const [chat] = standIn.received('chat');
    expect(chat?.deployment).toBe('gpt-4o');
    const user = (chat?.body?.messages as { role: string; content: unknown }[]).find(
      (m) => m.role === 'user',
    );
    expect(JSON.stringify(user?.content)).toContain('data:image/jpeg;base64,');

    const pdf = await fixture.app.inject({ method: 'GET', url: `/api/scans/${id}/report.pdf` });
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.headers['content-disposition']).toBe(
      `attachment; filename="safety-report-silk-straight-keratin-smoothing-cream-${id.slice(0, 8)}.pdf"`,
    );
    const text = await pdfText(pdf.rawPayload);
    expect(text).toContain('Silk Straight Keratin Smoothing Cream');
    expect(text).toContain('Overall level: high');
    expect(text).toContain('DMDM hydantoin');
    expect(text).toContain('Quaternium-15');
    expect(text).toContain(`Date: ${new Date().toISOString().slice(0, 10)}`);
    expect(text).toContain('not medical');

    const tables = fixture.db.withTables<Record<string, Record<string, unknown>>>();
    const jobs = await sql<{
      status: string;
      blob_container: string;
      blob_name: string;
    }>`select status, blob_container, blob_name from image_jobs where scan_id = ${id}`.execute(tables);
    expect(jobs.rows).toEqual([
      { status: 'completed', blob_container: container, blob_name: `scans/anonymous/${id}/original.jpg` },
    ]);
    const snapshots = await sql<{
      kind: string;
    }>`select kind from content_snapshot where scan_id = ${id} order by kind`.execute(tables);
    const kinds = ['normalized', 'original', 'report.html', 'report.json', 'report.pdf', 'thumbnail'];
    expect(snapshots.rows.map((r) => r.kind)).toEqual(kinds);
    const links = (await detail(fixture, id)).links;
    expect(Object.keys(links).sort()).toEqual(['expiresOn', ...kinds]);
    // The cached link (content_snapshot.blob_sas_url) is handed out again while fresh.
    expect((await detail(fixture, id)).links.thumbnail).toBe(links.thumbnail);
  }, 90_000);

  it.each(['png', 'webp'] as const)(
    'when a %s photo is posted, then it completes with a JPEG normalized image',
    async (format) => {
      const posted = await postScan(fixture, {
        image: { data: await makePhoto(format, { seed: 7 }), type: `image/${format}` },
      });
      expect(posted.status).toBe(202);
      const id = posted.body.id as string;
      await waitFor(fixture, id, 'completed');
      const ext = format === 'png' ? 'png' : 'webp';
      const names = await blobNames(fixture);
      expect(names).toContain(`scans/anonymous/${id}/original.${ext}`);
      const normalized = await fixture.bundle.store.downloadBuffer({
        container: fixture.settings.SCANS_CONTAINER,
        name: `scans/anonymous/${id}/normalized.jpg`,
      });
      expect((await sharp(normalized).metadata()).format).toBe('jpeg');
    },
    60_000,
  );
});
