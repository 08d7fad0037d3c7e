/**
 * Remakes the README screenshots in docs/ (1280×800) from a logdir holding the pipeline's run and the lr-sweep
 * (default `runs/`, made by `npx nx run pipeline:all`): SCALARS (the test metrics of every run and, widened, the training loss),
 * GRAPHS (the pipeline's graph with Conv2d[conv1] opened and its convolution selected, the whole graph in view) and
 * PROJECTOR (the pipeline's 100 images with their sprite thumbnails, coloured by label) and HPARAMS (the three
 * sessions, lr-0.01 highlighted). Not a test: look at the images before committing them.
 *
 *   npx tsx packages/board/test/browser/docs-screenshots.ts [--logdir runs] [--only scalars,graph,projector,hparams]
 */
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { startBoard } from '../../src/index.ts';
import { findChromium } from './chromium.ts';
import { repoRoot } from './harness.ts';

const args = process.argv.slice(2);
const arg = (name: string) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const logdir = join(repoRoot, arg('--logdir') ?? 'runs');
const only = new Set((arg('--only') ?? 'scalars,graph,projector,hparams').split(','));
const PIPELINE = 'fashion_mnist_experiment_1';

const board = await startBoard({ logdir, port: 0 });
const browser = await chromium.launch({
  executablePath: findChromium() ?? undefined,
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--no-first-run', '--disable-dev-shm-usage', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'],
});
try {
  const shoot = async (name: string, query: string, ready: (page: import('playwright-core').Page) => Promise<void>) => {
    if (!only.has(name)) return;
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    await page.goto(`${board.url}/?${query}`);
    await ready(page);
    await page.waitForTimeout(500); // let the last frame paint (a screenshot, not an assertion)
    const path = join(repoRoot, 'docs', `board-${name}.png`);
    await page.screenshot({ path });
    if (errors.length) throw new Error(`docs screenshot ${name}: page errors ${errors.join('; ')}`);
    console.log(`wrote ${path}`);
    await context.close();
  };
  await shoot('scalars', `tab=scalars&tagFilter=${encodeURIComponent('^training loss$|^test')}`, async (page) => {
    const card = page.locator('.scalar-card[data-tag="training loss"]');
    await card.locator('.chart canvas').first().waitFor();
    await card.getByRole('button', { name: 'Toggle full width' }).click(); // the training curves across the page's width
  });
  await shoot('graph', `tab=graphs&run=${PIPELINE}&graphRun=${PIPELINE}&graphOpen=${encodeURIComponent('Net/Conv2d[conv1]')}`
    + `&graphNode=${encodeURIComponent('Net/Conv2d[conv1]/input.1')}`, async (page) => {
    await page.locator('[data-name="Net/Conv2d[conv1]/input.1"]').waitFor();
    await page.locator('.graph-info h3').waitFor();
  });
  await shoot('hparams', 'tab=hparams', async (page) => {
    const row = page.locator('tr', { has: page.getByRole('link', { name: 'lr-sweep/lr-0.01/hparams' }) });
    await row.waitFor();
    await row.hover(); // highlights the session's line in the parallel coordinates
  });
  await shoot('projector', `tab=projector&run=${PIPELINE}`, async (page) => {
    await page.locator('[data-ready=true]').waitFor({ timeout: 60_000 });
  });
} finally {
  await browser.close();
  await board.close();
}
