/**
 * Shared set-up of the board's browser tests and UI bench: a logdir assembled from fixtures, the real `startBoard`
 * server on it, pages that record every console error and page error, and the screenshot folder.
 */
import { cp, mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';

export const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const fixtures = fileURLToPath(new URL('../fixtures/', import.meta.url));

/** Screenshots and other files a person should look at after a run. */
export const outputDir = join(repoRoot, 'artifacts', 'test-output', 'board-browser');

/** The golden-http corpus: the package's committed copy (test/fixtures/golden-http). */
export async function goldenHttpDir(): Promise<string> {
  return join(fixtures, 'golden-http');
}

/** A temporary logdir holding the trimmed pipeline run and the named golden-http runs; `remove()` deletes it. */
export async function makeLogdir(goldenRuns: readonly string[]): Promise<{ dir: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'tbpipe-board-ui-'));
  await cp(join(fixtures, 'pipeline-run'), dir, { recursive: true });
  const golden = await goldenHttpDir();
  for (const run of goldenRuns) await cp(join(golden, 'logdir', run), join(dir, run), { recursive: true });
  return { dir, remove: () => rm(dir, { recursive: true, force: true }) };
}

/** A page that collects console errors and uncaught page errors (the tests fail on any). */
export async function openPage(browser: Browser, options: { colorScheme?: 'light' | 'dark' } = {}): Promise<{ page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: options.colorScheme ?? 'light' });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console.error: ${m.text()} (${m.location().url})`); });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  return { page, errors };
}

/** Saves a 1280×800 screenshot under {@link outputDir}; returns its path. */
export async function screenshot(page: Page, name: string, fullPage = false): Promise<string> {
  await mkdir(outputDir, { recursive: true });
  const path = join(outputDir, `${name}.png`);
  await page.screenshot({ path, fullPage });
  return path;
}
