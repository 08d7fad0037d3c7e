/**
 * The board's web app in real Chromium (playwright-core driving Debian's `chromium`), against the real server
 * (`startBoard`) on a logdir made of the trimmed pipeline run, PyTorch's tutorial run and the golden `scalars` run
 * (NaN and ±Inf points), plus runs written here with SummaryWriter (a seed sweep, a run that grows during the test).
 * Every page fails its test on any console error or page error. Screenshots of every dashboard go to
 * artifacts/test-output/board-browser/. Without Chromium the suite is skipped, except in CI (`CI` set), where that
 * is a failure.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { join } from 'node:path';
import { SummaryWriter } from '@tbpipe/eventlog';
import type { Browser, Page } from 'playwright-core';
import { startBoard, type Board } from '../../src/index.ts';
import { launchChromium, skipReason } from './chromium.ts';
import { makeLogdir, openPage, screenshot } from './harness.ts';

const reason = process.env.CI ? null : skipReason();

/** TensorBoard's smoothing, restated here independently of the app's code: debiased EMA, constant series and
 *  non-finite values passed through. */
function tensorboardSmoothing(values: number[], w: number): number[] {
  if (values.every((v) => v === values[0])) return values;
  let last = 0;
  let n = 0;
  return values.map((v) => {
    if (!Number.isFinite(v)) return v;
    last = last * w + (1 - w) * v;
    n++;
    return w === 1 ? last : last / (1 - Math.pow(w, n));
  });
}

/** A 3×16×16 float image in [0, 1] that differs per step. */
const figure = (step: number) => ({ shape: [3, 16, 16], data: Array.from({ length: 3 * 256 }, (_, i) => ((i * (step + 3)) % 17) / 16) });

const num = (v: unknown) => (v === 'NaN' ? NaN : v === 'Infinity' ? Infinity : v === '-Infinity' ? -Infinity : Number(v));

/** The plotted data (uPlot's aligned columns) of the chart in the card matching `selector`. */
async function chartData(page: Page, selector: string): Promise<(number | null)[][]> {
  return page.locator(`${selector} .chart`).first().evaluate((el: any) => el.__uplot.data.map((c: any) => Array.from(c)));
}

async function waitForChartPoints(page: Page, selector: string, count: number): Promise<void> {
  await page.locator(`${selector} .chart canvas`).first().waitFor();
  await page.waitForFunction(([sel, n]) => {
    const el = (globalThis as any).document.querySelector(`${sel} .chart`);
    return Boolean(el?.__uplot && el.__uplot.data[0].length === n);
  }, [selector, count] as const, { timeout: 15_000 });
}

describe('board web app in Chromium', { skip: reason ?? false, timeout: 240_000 }, () => {
  let browser: Browser;
  let board: Board;
  let logdir: { dir: string; remove(): Promise<void> };
  let live: SummaryWriter;
  const api = async (path: string) => (await fetch(`${board.url}/${path}`)).json() as Promise<any>;

  before(async () => {
    logdir = await makeLogdir(['tutorial', 'scalars']);
    for (const seed of [1, 2, 3]) {
      const w = new SummaryWriter(join(logdir.dir, `sweep/lr=0.1,seed=${seed}`), { now: () => 1_700_000_000 });
      for (let step = 0; step < 10; step++) w.addScalar('loss', 1 / (step + 1) + seed * 0.05 * Math.sin(step + seed), step, 1_700_000_000 + step);
      await w.close();
    }
    live = new SummaryWriter(join(logdir.dir, 'live'), { maxQueue: 1, flushMillis: 50 });
    for (let step = 0; step < 5; step++) live.addScalar('live loss', 1 / (step + 1), step);
    live.addImage('live figure', figure(0), 0);
    await live.flush();
    // One after the other: if the browser cannot start (CI without Chromium), after() must still close the server.
    board = await startBoard({ logdir: logdir.dir, host: '127.0.0.1', port: 0, reloadIntervalSeconds: 1, heartbeatMillis: 1000 });
    browser = await launchChromium();
  });

  after(async () => {
    await live?.close();
    await browser?.close();
    await board?.close();
    await logdir?.remove();
  });

  test('every dashboard renders its data with no console errors, and a screenshot of each is saved', async () => {
    const { page, errors } = await openPage(browser);
    await page.goto(`${board.url}/?run=fashion_mnist_experiment_1&run=fashion_mnist_experiment_1%2Fhparams&run=tutorial`);
    await page.locator('.tab[data-tab="hparams"]').waitFor();
    const tabs = await page.locator('.tab').evaluateAll((els: any[]) => els.map((e) => e.dataset.tab as string));
    for (const id of ['scalars', 'images', 'pr_curves', 'text', 'hparams']) assert.ok(tabs.includes(id), `tab ${id} in ${tabs}`);
    const ready: Record<string, () => Promise<void>> = {
      scalars: async () => {
        await page.locator('.scalar-card[data-tag="training loss"] .chart canvas').waitFor();
        await page.waitForFunction(() => [...(globalThis as any).document.querySelectorAll('.scalar-card .chart')]
          .every((el: any) => el.__uplot?.data[0].length > 0));
      },
      images: async () => {
        await page.locator('.image-card img[src]').first().waitFor();
        await page.waitForFunction(() => [...(globalThis as any).document.querySelectorAll('.image-card img')]
          .every((img: any) => img.complete && img.naturalWidth > 0));
      },
      pr_curves: async () => {
        await page.locator('.pr-card[data-tag="T-shirt/top"] .chart canvas').waitFor();
        await page.waitForFunction(() => [...(globalThis as any).document.querySelectorAll('.pr-card .chart')]
          .every((el: any) => el.__uplot?.data.length > 1));
      },
      text: async () => { await page.locator('.text-card .markdown').first().waitFor(); },
      hparams: async () => { await page.locator('.hp-table tbody tr').first().waitFor(); },
    };
    const errorsByTab: string[] = [];
    for (const id of tabs) {
      const before = errors.length;
      await page.locator(`.tab[data-tab="${id}"]`).click();
      await page.locator(`[data-dashboard="${id}"]`).waitFor();
      if (ready[id]) await ready[id]();
      else await page.waitForTimeout(1500); // part 3's dashboards: their own tests check their content
      assert.equal(new URL(page.url()).searchParams.get('tab'), id);
      await screenshot(page, `dashboard-${id}`);
      await page.waitForTimeout(200);
      errorsByTab.push(...errors.slice(before).map((e) => `${id}: ${e}`));
    }
    assert.deepEqual(errorsByTab, [], 'errors while visiting each tab in turn');
    // The tutorial's 10 PR curves and the pipeline's: one card per class.
    await page.locator('.tab[data-tab="pr_curves"]').click();
    assert.equal(await page.locator('.pr-card').count(), 10);
    // HPARAMS: a session links to its runs' scalars.
    await page.locator('.tab[data-tab="hparams"]').click();
    await page.locator('.hp-table tbody tr a').first().click();
    await page.locator('.scalar-card[data-tag="training loss"] .chart canvas').waitFor();
    const url = new URL(page.url());
    assert.equal(url.searchParams.get('tab'), 'scalars');
    assert.deepEqual(url.searchParams.getAll('run').sort(), ['fashion_mnist_experiment_1', 'fashion_mnist_experiment_1/hparams']);
    const { page: dark, errors: darkErrors } = await openPage(browser, { colorScheme: 'dark' });
    await dark.goto(`${board.url}/?run=fashion_mnist_experiment_1&run=tutorial`);
    await waitForChartPoints(dark, '.scalar-card[data-tag="training loss"]', 15);
    await screenshot(dark, 'dashboard-scalars-dark');
    assert.deepEqual([...errors, ...darkErrors], []);
  });

  test("the smoothed series in the chart equal TensorBoard's formula for three weights, non-finite points included", async () => {
    const { page, errors } = await openPage(browser);
    for (const [run, tag] of [['tutorial', 'training loss'], ['scalars', 'training loss']] as const) {
      const points: unknown[][] = await api(`data/plugin/scalars/scalars?run=${encodeURIComponent(run)}&tag=${encodeURIComponent(tag)}`);
      const values = points.map((p) => num(p[2]));
      const steps = points.map((p) => Number(p[1]));
      const card = `.scalar-card[data-tag="${tag}"]`;
      await page.goto(`${board.url}/?tab=scalars&run=${encodeURIComponent(run)}&tagFilter=${encodeURIComponent(`^${tag}$`)}`);
      await waitForChartPoints(page, card, new Set(steps).size);
      for (const w of [0, 0.6, 0.95]) {
        await page.locator('[data-control="smoothing"]').fill(String(w));
        // Computed in the page's JavaScript engine: Math.pow may differ in the last bit between engines.
        const expected = (await page.evaluate(`(${tensorboardSmoothing.toString()})(${JSON.stringify(values.map(String))}.map(Number), ${w})`) as number[])
          .map((v) => (Number.isFinite(v) ? v : null));
        await page.waitForFunction(([sel, first]) => {
          const d = (globalThis as any).document.querySelector(`${sel} .chart`).__uplot.data;
          return d[2][0] === first;
        }, [card, expected[0]] as const);
        const data = await chartData(page, card);
        assert.deepEqual(data[0], steps, `${run}: x = steps`);
        assert.deepEqual(data[1], values.map((v) => (Number.isFinite(v) ? v : null)), `${run}: raw series`);
        assert.deepEqual(data[2], expected, `${run}: smoothed at ${w}`);
      }
      await page.waitForURL(/smoothing=0\.95/);
    }
    assert.deepEqual(errors, []);
  });

  test('a card downloads its points as CSV and JSON, and "Export all" asks /api/export for the selected runs and tags', async () => {
    const { page, errors } = await openPage(browser);
    const points: unknown[][] = await api('data/plugin/scalars/scalars?run=tutorial&tag=training%20loss');
    const card = page.locator('.scalar-card[data-tag="training loss"]');
    await page.goto(`${board.url}/?tab=scalars&run=tutorial&tagFilter=${encodeURIComponent('^training loss$')}`);
    await waitForChartPoints(page, '.scalar-card[data-tag="training loss"]', points.length);
    const read = async (label: string) => {
      const [download] = await Promise.all([page.waitForEvent('download'), card.getByRole('button', { name: label, exact: true }).click()]);
      const { readFile } = await import('node:fs/promises');
      return { name: download.suggestedFilename(), text: await readFile((await download.path())!, 'utf8') };
    };
    const csv = await read('CSV');
    assert.equal(csv.name, 'scalars_training_loss.csv');
    const rows = csv.text.trimEnd().split('\r\n');
    assert.equal(rows[0], 'run,tag,step,wall_time,value');
    assert.deepEqual(rows.slice(1), points.map((p) => `tutorial,training loss,${p[1]},${p[0]},${p[2]}`));
    const json = await read('JSON');
    assert.deepEqual(JSON.parse(json.text), points.map((p) => ({ run: 'tutorial', tag: 'training loss', step: p[1], wall_time: p[0], value: p[2] })));
    const href = await page.locator('[data-control="export-csv"]').getAttribute('href');
    const q = new URL(href!, board.url).searchParams;
    assert.equal(q.get('plugin'), 'scalars');
    assert.equal(q.get('run'), '^(tutorial)$');
    assert.equal(q.get('tag'), '^training loss$');
    const exported = await fetch(new URL(href!, `${board.url}/`));
    assert.equal(exported.status, 200);
    const lines = (await exported.text()).trim().split(/\r?\n/);
    assert.equal(lines.length, points.length + 1, 'header and one line per point of the one selected series');
    assert.deepEqual(errors, []);
  });

  test("the image step slider shows the image bytes the API serves for that step", async () => {
    const { page, errors } = await openPage(browser);
    const run = 'fashion_mnist_experiment_1';
    const tag = 'predictions vs. actuals';
    const entries: { step: number; query: string }[] = await api(`data/plugin/images/images?run=${run}&tag=${encodeURIComponent(tag)}&sample=0`);
    assert.ok(entries.length >= 3);
    await page.goto(`${board.url}/?tab=images&run=${run}`);
    await page.waitForFunction(() => [...(globalThis as any).document.querySelectorAll('.image-card img')]
      .every((img: any) => img.complete && img.naturalWidth > 0) && (globalThis as any).document.querySelectorAll('.image-card img').length > 5);
    await screenshot(page, 'images-pipeline-run');
    await page.goto(`${board.url}/?tab=images&run=${run}&tagFilter=predictions`);
    const card = page.locator(`.image-card[data-tag="${tag}"]`);
    await card.locator('img[src]').waitFor();
    for (const i of [0, entries.length - 1, 1]) {
      await card.locator('input[type="range"]').fill(String(i));
      assert.equal(await card.getAttribute('data-step'), String(entries[i]!.step));
      const shown = await card.locator('img').evaluate(async (img: any) => Array.from(new Uint8Array(await (await fetch(img.src)).arrayBuffer())));
      const served = new Uint8Array(await (await fetch(`${board.url}/data/plugin/images/individualImage?${entries[i]!.query}`)).arrayBuffer());
      assert.ok(served.length > 1000);
      assert.deepEqual(Uint8Array.from(shown), served, `image at step ${entries[i]!.step}`);
    }
    await page.locator('[data-control="actualSize"]').check();
    await page.waitForFunction(() => (globalThis as any).document.querySelector('.image-card img').complete);
    const width = await card.locator('img').evaluate((img: any) => [img.clientWidth, img.naturalWidth]);
    assert.equal(width[0], width[1], 'actual size shows the image at its natural width');
    assert.deepEqual(errors, []);
  });

  test('x-axis modes, log scale and the run filter change the chart, and the URL restores them', async () => {
    const { page, errors } = await openPage(browser);
    const points: number[][] = await api('data/plugin/scalars/scalars?run=tutorial&tag=training%20loss');
    const card = '.scalar-card[data-tag="training loss"]';
    await page.goto(`${board.url}/?tab=scalars`);
    await page.locator('.sidebar .filter').fill('^tut');
    await page.locator('.tag-filter').fill('^training loss$');
    await waitForChartPoints(page, card, 15);
    assert.deepEqual(await page.locator('.run-list input').evaluateAll((els: any[]) => els.map((e) => e.dataset.run)), ['tutorial']);
    await page.locator('[data-control="x"]').selectOption('wall');
    await page.waitForFunction((sel) => (globalThis as any).document.querySelector(`${sel} .chart`).__uplot.data[0][0] > 1e9, card);
    assert.deepEqual((await chartData(page, card))[0], points.map((p) => p[0]));
    await page.locator('[data-control="x"]').selectOption('relative');
    await page.waitForFunction((sel) => (globalThis as any).document.querySelector(`${sel} .chart`).__uplot.data[0][0] === 0, card);
    const rel = (await chartData(page, card))[0] as number[];
    const span = points[points.length - 1]![0]! - points[0]![0]!;
    const unit = span >= 7200 ? 3600 : span >= 120 ? 60 : 1;
    rel.forEach((x, i) => assert.ok(Math.abs(x - (points[i]![0]! - points[0]![0]!) / unit) < 1e-9));
    const label = await page.locator(`${card} .chart`).evaluate((el: any) => el.__uplot.axes[0].label);
    assert.equal(label, `Relative time (${unit === 3600 ? 'hours' : unit === 60 ? 'minutes' : 'seconds'})`);
    await page.locator('[data-control="logY"]').check();
    assert.equal(await page.locator(`${card} .chart`).evaluate((el: any) => el.__uplot.scales.y.distr), 3);
    await page.locator('[data-control="outliers"]').check();
    await page.waitForURL(/outliers=1/);
    const saved = page.url();
    const q = new URL(saved).searchParams;
    assert.equal(q.get('x'), 'relative');
    assert.equal(q.get('logY'), '1');
    assert.equal(q.get('runFilter'), '^tut');
    const { page: again, errors: againErrors } = await openPage(browser);
    await again.goto(saved);
    await waitForChartPoints(again, card, 15);
    assert.equal(await again.locator('[data-control="x"]').inputValue(), 'relative');
    assert.equal(await again.locator('[data-control="logY"]').isChecked(), true);
    assert.equal(await again.locator('[data-control="outliers"]').isChecked(), true);
    assert.equal(await again.locator('.sidebar .filter').inputValue(), '^tut');
    assert.equal(await again.locator('.tag-filter').inputValue(), '^training loss$');
    assert.equal(await again.locator(`${card} .chart`).evaluate((el: any) => el.__uplot.scales.y.distr), 3);
    assert.deepEqual([...errors, ...againErrors], []);
  });

  test('a writer appending points makes the chart grow without a reload, keeping the zoom and the filters; the figure slider grows; a new run joins the list', async () => {
    const { page, errors } = await openPage(browser);
    const card = '.scalar-card[data-tag="live loss"]';
    await page.goto(`${board.url}/?tab=scalars&run=live&tagFilter=live`);
    await waitForChartPoints(page, card, 5);
    await page.evaluate(() => { (globalThis as any).__notReloaded = true; });
    // Zoom by dragging across the middle of the plot.
    const over = await page.locator(`${card} .u-over`).boundingBox();
    assert.ok(over);
    await page.mouse.move(over.x + over.width * 0.3, over.y + over.height / 2);
    await page.mouse.down();
    await page.mouse.move(over.x + over.width * 0.7, over.y + over.height / 2, { steps: 5 });
    await page.mouse.up();
    const xScale = () => page.locator(`${card} .chart`).evaluate((el: any) => [el.__uplot.scales.x.min, el.__uplot.scales.x.max]);
    const zoomed = await xScale();
    assert.ok(zoomed[0] > 0 && zoomed[1] < 4, `zoomed into steps 0..4: ${zoomed}`);
    for (let step = 5; step < 12; step++) live.addScalar('live loss', 1 / (step + 1), step);
    await live.flush();
    await waitForChartPoints(page, card, 12);
    assert.equal(await page.evaluate(() => (globalThis as any).__notReloaded), true);
    assert.deepEqual(await xScale(), zoomed, 'the zoom survives the update');
    assert.equal(await page.locator('.tag-filter').inputValue(), 'live');
    // The figure slider grows too, and a slider at the newest step follows the new one.
    await page.goto(`${board.url}/?tab=images&run=live`);
    const slider = page.locator('.image-card[data-tag="live figure"] input[type="range"]');
    await page.locator('.image-card[data-tag="live figure"][data-step="0"]').waitFor();
    await page.evaluate(() => { (globalThis as any).__notReloaded = true; });
    live.addImage('live figure', figure(1), 1);
    await live.flush();
    await page.locator('.image-card[data-tag="live figure"][data-step="1"]').waitFor({ timeout: 15_000 });
    assert.equal(await slider.getAttribute('max'), '1');
    assert.equal(await page.evaluate(() => (globalThis as any).__notReloaded), true);
    // A run that appears while the page is open joins the run list. One that started earlier than every other run
    // (so /data/runs lists it first) leaves every shown run's colour as it was.
    const swatches = () => page.locator('.run-list input[data-run]').evaluateAll((els: any[]) => els.map((el) =>
      [el.dataset.run as string, el.parentElement.querySelector('.swatch').style.background as string] as const));
    const shown = new Map(await swatches());
    const late = new SummaryWriter(join(logdir.dir, 'late run'), { maxQueue: 1 });
    late.addScalar('live loss', 1, 0);
    await late.close();
    const early = new SummaryWriter(join(logdir.dir, 'early run'), { maxQueue: 1, now: () => 1_000_000_000 });
    early.addScalar('live loss', 1, 0);
    await early.close();
    await page.locator('.run-list input[data-run="late run"]').waitFor({ timeout: 15_000 });
    await page.locator('.run-list input[data-run="early run"]').waitFor({ timeout: 15_000 });
    const after = await swatches();
    assert.equal(after[0]![0], 'early run', 'the early run is listed first');
    for (const [run, color] of after) if (shown.has(run)) assert.equal(color, shown.get(run), run);
    assert.deepEqual(errors, []);
  });

  test('a run group is drawn as the mean ± standard deviation of its member runs', async () => {
    const { page, errors } = await openPage(browser);
    const members = await Promise.all([1, 2, 3].map((s) => api(`data/plugin/scalars/scalars?run=${encodeURIComponent(`sweep/lr=0.1,seed=${s}`)}&tag=loss`)));
    const card = '.scalar-card[data-tag="loss"]';
    await page.goto(`${board.url}/?tab=scalars&runFilter=sweep&smoothing=0&group=${encodeURIComponent('seed=\\d+')}`);
    await waitForChartPoints(page, card, 10);
    const data = await chartData(page, card);
    assert.equal(data.length, 5, 'x, raw mean, smoothed mean, mean - std, mean + std');
    for (let i = 0; i < 10; i++) {
      const vs = members.map((m: number[][]) => m[i]![2]!);
      const mean = vs.reduce((a, b) => a + b, 0) / vs.length;
      const std = Math.sqrt(vs.reduce((a, b) => a + (b - mean) ** 2, 0) / vs.length);
      assert.ok(Math.abs(data[2]![i]! - mean) < 1e-12, `mean at step ${i}`);
      assert.ok(Math.abs(data[3]![i]! - (mean - std)) < 1e-12, `mean - std at step ${i}`);
      assert.ok(Math.abs(data[4]![i]! - (mean + std)) < 1e-12, `mean + std at step ${i}`);
    }
    assert.match(await page.locator(`${card} .legend`).innerText(), /lr=0\.1,\*.*3 runs.*mean ± std/);
    await screenshot(page, 'scalars-run-group');
    assert.deepEqual(errors, []);
  });

  test('an empty logdir says how to make a run, and a server that went away shows a reconnect banner', async () => {
    const empty = await makeLogdir([]);
    const { rm } = await import('node:fs/promises');
    await rm(join(empty.dir, 'fashion_mnist_experiment_1'), { recursive: true });
    const server = await startBoard({ logdir: empty.dir, host: '127.0.0.1', port: 0, reloadIntervalSeconds: 0, heartbeatMillis: 1000 });
    const { page } = await openPage(browser);
    try {
      await page.goto(`${server.url}/`);
      await page.locator('.empty-state').waitFor();
      assert.match(await page.locator('.empty-state').innerText(), /No runs[\s\S]*npx nx run pipeline:all/);
      await page.locator('.live-status.live').waitFor();
      await screenshot(page, 'empty-logdir');
      await server.close();
      await page.locator('.banner:not([hidden])').waitFor({ timeout: 15_000 });
      assert.match(await page.locator('.banner').innerText(), /Lost the connection/);
      await screenshot(page, 'connection-lost');
    } finally {
      await server.close();
      await empty.remove();
    }
  });
});
