// The web console in a real browser (Debian's Chromium through playwright-core) against a real
// `azimuth all` process on embedded drivers, as a person uses it: the Sky page live in two
// windows, a recording walking its stages to a transcript, a file's round trip, the Operations
// page, a scan from photo to risk report and share link, the event stream surviving a server
// restart, and axe-core on every page. Each journey leaves a screenshot in reports/screenshots/,
// and with UPDATE_SCREENSHOTS=1 also in docs/screenshots/ for the README's tour.
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLlmStandIn, type LlmStandIn } from '../helpers/llm-stand-in.js';
import { validInsights } from '../modules/recordings/recordings-fixture.js';
import { settingsFor } from '../platform/llm/llm-fixtures.js';
import { chromiumAvailable, expectAccessible, launchChromium, shoot, watchProblems } from './browser.js';
import { buildConsole, consoleServer, freePort, type ConsoleServer } from './console-server.js';
import { toneWav } from './tone-wav.js';

/** Generous: two cores shared with other suites; the point is that it happens, not how fast. */
const slow = 60_000;

/** What the LLM stand-in reads off the photo: a hair dye with one high-risk ingredient (PPD). */
const product = { productName: 'Midnight Espresso Colour', brand: 'Tintura', category: 'hair dye' };
const ingredients = ['Aqua', 'p-Phenylenediamine', 'Resorcinol', 'Parfum', 'Ethylparaben'];
const labelReading = { ...product, ingredients, claims: ['100% grey coverage'], confidence: 0.91 };

interface User {
  id: string;
  name: string;
}

describe.runIf(chromiumAvailable())('web console in Chromium', () => {
  let dir: string;
  let standIn: LlmStandIn;
  let server: ConsoleServer;
  let browser: Browser;
  /** Undone in reverse order after the suite, whatever part of the set-up succeeded. */
  const cleanups: (() => Promise<unknown>)[] = [];
  let alice: User;
  let bob: User;
  const contexts: BrowserContext[] = [];
  const problems: string[] = [];

  const api = async <T>(path: string, init: RequestInit = {}): Promise<T> => {
    const response = await fetch(`${server.url}${path}`, {
      ...init,
      headers: { 'content-type': 'application/json' },
    });
    expect(response.ok, `${path}: ${response.status}`).toBe(true);
    return (await response.json()) as T;
  };

  /** A browser window acting as `user` (the AUTH_MODE=none user picker's choice, remembered). */
  const open = async (user: User, path: string, viewport = { width: 1100, height: 760 }): Promise<Page> => {
    const context = await browser.newContext({ viewport, acceptDownloads: true });
    contexts.push(context);
    await context.addInitScript({
      content: `localStorage.setItem('azimuth.user', ${JSON.stringify(JSON.stringify(user))});
        localStorage.setItem('azimuth.theme', 'light');`,
    });
    const page = await context.newPage();
    const seen = watchProblems(page);
    page.on('close', () => problems.push(...seen));
    await page.goto(`${server.url}${path}`);
    return page;
  };

  beforeAll(async () => {
    buildConsole();
    dir = await mkdtemp(join(tmpdir(), 'azimuth-console-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    standIn = await startLlmStandIn();
    cleanups.push(() => standIn.close());
    standIn.answer = validInsights;
    server = consoleServer({
      port: await freePort(),
      env: {
        DATA_DIR: join(dir, 'data'),
        API_RATE_LIMIT_TIMES: '1000',
        ...settingsFor(standIn, 'azure_openai'),
      },
    });
    cleanups.push(() => server.stop());
    await server.start();
    browser = await launchChromium();
    cleanups.push(() => browser.close());
    alice = await api<User>('/users', { method: 'POST', body: JSON.stringify({ name: 'Alice' }) });
    bob = await api<User>('/users', { method: 'POST', body: JSON.stringify({ name: 'Bob' }) });
  }, 180_000);

  afterAll(async () => {
    for (const context of contexts) await context.close();
    for (const cleanup of cleanups.reverse()) await cleanup();
    expect(problems, 'CSP violations or page errors').toEqual([]);
  }, 60_000);

  /** A sky worth looking at: colours, likes (sizes) and one star already expired (faded). */
  const seedSky = async () => {
    const colours = ['#ff6b6b', '#ffd166', '#06d6a0', '#4cc9f0', '#b8b8ff', '#ffffff'];
    for (let i = 0; i < 12; i++) {
      const star = await api<{ id: string }>('/stars', {
        method: 'POST',
        body: JSON.stringify({
          userId: i % 2 === 0 ? alice.id : bob.id,
          name: `Seed ${i + 1}`,
          ra: (i * 29 + 17) % 360,
          dec: ((i * 37) % 140) - 70,
          color: colours[i % colours.length],
          ...(i === 5 ? { ttlSeconds: 1 } : {}),
        }),
      });
      for (const liker of i % 3 === 0 ? [alice, bob] : i % 3 === 1 ? [bob] : [])
        await api(`/stars/${star.id}/like`, { method: 'POST', body: JSON.stringify({ userId: liker.id }) });
    }
    // The pages must load after Seed 6 has expired, or they draw it alive (it fades only on load).
    await expect
      .poll(async () =>
        (await api<{ items: { name: string }[] }>('/stars/active?limit=100')).items.map((s) => s.name),
      )
      .not.toContain('Seed 6');
  };

  it('shows a star placed in one window in another, and a like in both', { timeout: 120_000 }, async () => {
    await seedSky();
    const first = await open(alice, '/sky');
    const second = await open(bob, '/sky');
    await first.locator('[data-live="true"]').waitFor({ timeout: slow });
    await second.locator('[data-live="true"]').waitFor({ timeout: slow });

    await first.locator('circle[aria-label="Seed 6, 0 likes, expired"]').waitFor({ timeout: slow });
    await first.locator('sky-chart svg').click({ position: { x: 420, y: 150 } });
    await first.getByLabel('Name').fill('Vega of Alice');
    await first.getByLabel('Message').fill('Hello from the console');
    await first.getByRole('button', { name: 'Place star' }).click();
    const inFirst = first.locator('circle[aria-label^="Vega of Alice"]');
    await inFirst.waitFor({ timeout: slow });

    // The other window learns of it only through /events/stars/stream.
    const inSecond = second.locator('circle[aria-label^="Vega of Alice"]');
    await inSecond.waitFor({ timeout: 2000 });
    await inSecond.click();
    await second.getByRole('button', { name: '♥ Like' }).click();
    await second.locator('[data-testid="likes"]', { hasText: '1 like' }).waitFor({ timeout: slow });
    await first.locator('[data-testid="likes"]', { hasText: '1 like' }).waitFor({ timeout: 2000 });
    expect(await inFirst.getAttribute('aria-label')).toContain('1 likes');

    await expectAccessible(first);
    await shoot(first, 'sky');
    await first.close();
    await second.close();
  });

  it('uploads a recording and follows its stages to the transcript', { timeout: 180_000 }, async () => {
    const page = await open(alice, '/recordings');
    await page.getByLabel('Title').fill('Console call');
    await page.locator('upload-box input[type="file"]').setInputFiles({
      name: 'call.wav',
      mimeType: 'audio/wav',
      buffer: toneWav({ seconds: 2 }),
    });
    await page.waitForURL(/\/recordings\/[0-9a-f-]{36}$/, { timeout: slow });
    await page.locator('.stage-bar[data-status="completed"]').waitFor({ timeout: 120_000 });
    await page
      .locator('[data-testid="transcript"]', { hasText: 'Thanks for calling.' })
      .waitFor({ timeout: slow });
    await page.getByText(validInsights.summary).waitFor({ timeout: slow });
    await expectAccessible(page);
    await shoot(page, 'recordings');
    await page.close();
  });

  it('uploads, lists, downloads the same bytes of, and deletes a file', { timeout: 120_000 }, async () => {
    const page = await open(alice, '/files');
    const bytes = randomBytes(64 * 1024);
    await page.locator('upload-box input[type="file"]').setInputFiles({
      name: 'console-test.bin',
      mimeType: 'application/octet-stream',
      buffer: bytes,
    });
    const row = page.locator('tr[data-file="console-test.bin"]');
    await row.waitFor({ timeout: slow });

    const [download] = await Promise.all([
      page.waitForEvent('download', { timeout: slow }),
      row.getByRole('button', { name: 'Download console-test.bin' }).click(),
    ]);
    expect((await readFile(await download.path())).equals(bytes)).toBe(true);

    await row.getByRole('button', { name: 'Read link for console-test.bin' }).click();
    await page.locator('[data-testid="read-link"]').waitFor({ timeout: slow });
    await expectAccessible(page);
    await shoot(page, 'files');

    await row.getByRole('button', { name: 'Delete console-test.bin' }).click();
    await row.waitFor({ state: 'detached', timeout: slow });
    await page.close();
  });

  it('lists every dependency from /health on the Operations page', { timeout: 120_000 }, async () => {
    const health = await fetch(`${server.url}/health`).then(
      (r) => r.json() as Promise<{ dependencies: Record<string, unknown> }>,
    );
    const page = await open(alice, '/operations');
    const names = Object.keys(health.dependencies);
    for (const name of names) await page.locator(`tr[data-dependency="${name}"]`).waitFor({ timeout: slow });
    expect(await page.locator('tr[data-dependency]').count()).toBe(names.length);
    // Two samples make the first chart point.
    await page.locator('figure.chart').first().waitFor();
    await page
      .locator('.legend', { hasText: 'rate:' })
      .filter({ hasNotText: '–' })
      .first()
      .waitFor({ timeout: slow });
    await expectAccessible(page);
    await shoot(page, 'operations');
    await page.close();
  });

  it(
    'scans a photo to its risk report, opens the PDF, and shares then revokes the report',
    { timeout: 180_000 },
    async () => {
      standIn.answer = labelReading;
      const page = await open(alice, '/scans');
      const photo = await sharp({
        create: { width: 800, height: 600, channels: 3, background: { r: 230, g: 200, b: 170 } },
      })
        .jpeg()
        .toBuffer();
      await page.getByLabel('Barcode').fill('5012345678900');
      await page.locator('upload-box input[type="file"]').setInputFiles({
        name: 'label.jpg',
        mimeType: 'image/jpeg',
        buffer: photo,
      });
      await page.waitForURL(/\/scans\/[0-9a-f-]{36}$/, { timeout: slow });
      await page.locator('.stage-bar[data-status="completed"]').waitFor({ timeout: 120_000 });
      const risk = page.locator('[data-testid="risk"]');
      await risk.getByRole('heading', { name: 'Risk: high' }).waitFor({ timeout: slow });
      // The matches come from report.json, not from the scan's summary.
      const matches = page.locator('[data-testid="matches"] tbody tr');
      await matches.filter({ hasText: 'p-Phenylenediamine' }).waitFor({ timeout: slow });
      expect(await matches.count()).toBe(4);

      const pdfHref = await page.locator('[data-testid="pdf-link"]').getAttribute('href');
      const pdf = await fetch(new URL(pdfHref ?? '', server.url));
      expect(pdf.status).toBe(200);
      expect(pdf.headers.get('content-type')).toMatch(/^application\/pdf/);
      expect(
        Buffer.from(await pdf.arrayBuffer())
          .subarray(0, 5)
          .toString(),
      ).toBe('%PDF-');

      await page.getByRole('button', { name: 'Create a share link' }).click();
      const share = page.locator('scan-shares li[data-state="active"]');
      const shareUrl = await share.locator('a.code').getAttribute('href', { timeout: slow });
      expect(shareUrl).toMatch(/\/s\/[A-Za-z0-9_-]{43}$/);
      const stranger = await browser.newContext();
      contexts.push(stranger);
      const shared = await (await stranger.newPage()).goto(shareUrl ?? '');
      expect(shared?.status()).toBe(200);
      await expectAccessible(page);
      await page.evaluate('window.scrollTo(0, 0)');
      await shoot(page, 'scans');

      await share.getByRole('button', { name: 'Revoke' }).click();
      await page.locator('scan-shares li[data-state="revoked"]').waitFor({ timeout: slow });
      expect((await fetch(shareUrl ?? '')).status).toBe(410);
      await page.close();
      standIn.answer = validInsights;
    },
  );

  it('is usable on a phone in the dark theme', { timeout: 60_000 }, async () => {
    const page = await open(bob, '/sky', { width: 390, height: 780 });
    await page.getByRole('button', { name: 'Dark theme' }).click();
    await page.locator('html[data-theme="dark"]').waitFor();
    await page.locator('[data-live="true"]').waitFor({ timeout: slow });
    await expectAccessible(page);
    await shoot(page, 'sky-phone-dark');
    await page.close();
  });

  it(
    'reconnects its event stream after the server restarts, missing nothing',
    { timeout: 240_000 },
    async () => {
      const page = await open(alice, '/sky');
      await page.locator('[data-live="true"]').waitFor({ timeout: slow });
      await server.stop();
      await page.locator('[data-live="false"]').waitFor({ timeout: slow });
      await server.start();
      await page.locator('[data-live="true"]').waitFor({ timeout: slow });
      await api('/stars', {
        method: 'POST',
        body: JSON.stringify({
          userId: bob.id,
          name: 'After the restart',
          ra: 100,
          dec: 20,
          color: '#66ccff',
        }),
      });
      await page.locator('circle[aria-label^="After the restart"]').waitFor({ timeout: slow });
      await shoot(page, 'sky-after-restart');
      await page.close();
    },
  );
});
