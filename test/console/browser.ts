// Chromium for the browser tests: Debian's package driven by playwright-core (no browser download).
// Outside CI a missing browser skips the suite with a loud line; in CI it fails the run.
import { existsSync, readFileSync } from 'node:fs';
import { copyFile, mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { expect } from 'vitest';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function chromiumAvailable(): boolean {
  if (existsSync(chromiumPath)) return true;
  const message = `chromium is not at ${chromiumPath}; install it with: apt-get install -y chromium`;
  if (process.env.CI === 'true') throw new Error(`CI needs ${message}`);
  console.warn(`\n!!! SKIPPING browser tests: ${message}\n`);
  return false;
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--no-sandbox',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-gpu',
    ],
  });
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: string[] }[];
}

/**
 * Runs axe-core on the page as it is now and expects no serious or critical violation. axe goes
 * in through the DevTools protocol, so the page's CSP (no inline scripts) stays as served.
 */
export async function expectAccessible(page: Page): Promise<void> {
  await page.evaluate(axeSource);
  // A string, run in the page: this file is typed for Node, not the DOM.
  const violations = await page.evaluate<AxeViolation[]>(
    'axe.run(document).then((result) => result.violations)',
  );
  const serious = violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map(
      (v) => `${v.impact ?? ''} ${v.id}: ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
    );
  expect(serious).toEqual([]);
}

/** Collects the page's CSP violations and uncaught errors, to expect none at the end. */
export function watchProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text()))
      problems.push(message.text());
  });
  page.on('pageerror', (error) => problems.push(error.message));
  return problems;
}

const screenshots = fileURLToPath(new URL('../../reports/screenshots/', import.meta.url));
/** The README's tour: rewritten only on request, so a test run leaves the tracked files alone. */
const tour =
  process.env.UPDATE_SCREENSHOTS === '1'
    ? fileURLToPath(new URL('../../docs/screenshots/', import.meta.url))
    : undefined;

/** Saves a journey's screenshot in reports/screenshots/ (and docs/screenshots/ with UPDATE_SCREENSHOTS=1). */
export async function shoot(page: Page, name: string): Promise<void> {
  const path = join(screenshots, `${name}.png`);
  await mkdir(screenshots, { recursive: true });
  await page.screenshot({ path });
  if (tour !== undefined) await copyFile(path, join(tour, `${name}.png`));
}
