/**
 * GRAPHS, PROJECTOR, HISTOGRAMS and DISTRIBUTIONS in real Chromium against the real server (`startBoard`), on a logdir
 * of the trimmed pipeline run (with two of its projector embeddings, test/fixtures/pipeline-projector), PyTorch's
 * tutorial run and the golden `histogram` run (the tutorial logs no histogram). Every page fails its test on any
 * console error or page error. WebGL runs on SwiftShader (software GL: `--use-angle=swiftshader`). Screenshots go to
 * artifacts/test-output/board-browser/part3-*.png.
 */
import assert from 'node:assert/strict';
import { cp, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { SummaryWriter } from '@tbpipe/eventlog';
import { startBoard, type Board } from '../../src/index.ts';
import { findChromium, skipReason } from './chromium.ts';
import { goldenHttpDir, makeLogdir, openPage, screenshot } from './harness.ts';

const reason = process.env.CI ? null : skipReason();
const PIPELINE = 'fashion_mnist_experiment_1';
const projectorFixture = fileURLToPath(new URL('../fixtures/pipeline-projector/', import.meta.url));

/** Chromium with software WebGL (headless has no GPU here). */
function launchWithWebGl(): Promise<Browser> {
  return chromium.launch({
    executablePath: findChromium() ?? undefined,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--no-first-run', '--disable-dev-shm-usage', '--use-angle=swiftshader', '--enable-unsafe-swiftshader'],
  });
}

/** Brute-force k-NN restated independently of the app (float64, ties by index). */
function bruteForceKnn(x: Float32Array, dim: number, q: number, k: number, metric: 'cosine' | 'euclidean'): number[] {
  const rows = x.length / dim;
  const d: { i: number; v: number }[] = [];
  const norm = (i: number) => Math.hypot(...x.subarray(i * dim, (i + 1) * dim));
  for (let i = 0; i < rows; i++) {
    if (i === q) continue;
    let s = 0;
    for (let j = 0; j < dim; j++) s += metric === 'cosine' ? x[i * dim + j]! * x[q * dim + j]! : (x[i * dim + j]! - x[q * dim + j]!) ** 2;
    d.push({ i, v: metric === 'cosine' ? 1 - s / (norm(i) * norm(q)) : Math.sqrt(s) });
  }
  return d.sort((a, b) => a.v - b.v || a.i - b.i).slice(0, k).map((e) => e.i);
}

describe('part 3 dashboards in Chromium', { skip: reason ?? false, timeout: 300_000 }, () => {
  let browser: Browser;
  let board: Board;
  let logdir: { dir: string; remove(): Promise<void> };
  const pages: { page: Page; errors: string[] }[] = [];

  before(async () => {
    logdir = await makeLogdir(['tutorial', 'histogram']);
    await cp(projectorFixture, logdir.dir, { recursive: true });
    // A TensorFlow/Keras-style graph: flat names, no scopes, control input, multi-output op.
    const keras = new SummaryWriter(join(logdir.dir, 'keras'), { now: () => 1_700_000_000 });
    keras.addGraph({ node: [
      { name: 'input_1', op: 'Placeholder', outputShapes: [[-1, 784]] },
      { name: 'dense_kernel', op: 'VarHandleOp', outputShapes: [[784, 64]] },
      { name: 'MatMul', op: 'MatMul', input: ['input_1', 'dense_kernel'], outputShapes: [[-1, 64]] },
      { name: 'Relu', op: 'Relu', input: ['MatMul'], outputShapes: [[-1, 64]] },
      { name: 'split', op: 'Split', input: ['Relu'], outputShapes: [[-1, 32], [-1, 32]] },
      { name: 'AddV2', op: 'AddV2', input: ['split', 'split:1', '^dense_kernel'], outputShapes: [[-1, 32]] },
      { name: 'Identity', op: 'Identity', input: ['AddV2'], device: '/job:localhost/replica:0/task:0/device:CPU:0', outputShapes: [[-1, 32]] },
    ] });
    await keras.close();
    // 6 000 points × 3 (more than the 5 000 above which software WebGL hands dots to the CPU renderer).
    const cloud = join(logdir.dir, 'cloud');
    await mkdir(join(cloud, 'emb'), { recursive: true });
    const rows = Array.from({ length: 6000 }, (_, i) => [Math.cos(i * 0.37) * (1 + (i % 7)), Math.sin(i * 0.37) * (1 + (i % 5)), ((i % 11) - 5) * 0.3].map((v) => v.toFixed(4)).join('\t'));
    await writeFile(join(cloud, 'emb', 'tensors.tsv'), `${rows.join('\n')}\n`);
    await writeFile(join(cloud, 'emb', 'metadata.tsv'), `${Array.from({ length: 6000 }, (_, i) => `c${i % 7}`).join('\n')}\n`);
    await writeFile(join(cloud, 'projector_config.pbtxt'), 'embeddings {\n  tensor_name: "cloud"\n  tensor_path: "emb/tensors.tsv"\n  metadata_path: "emb/metadata.tsv"\n}\n');
    const w = new SummaryWriter(cloud, { now: () => 1_700_000_000 });
    w.addScalar('x', 1, 0);
    await w.close();
    board = await startBoard({ logdir: logdir.dir, port: 0 });
    browser = await launchWithWebGl();
  });
  after(async () => {
    await browser?.close();
    await board?.close();
    await logdir?.remove();
  });

  async function open(query: string): Promise<{ page: Page; errors: string[] }> {
    const p = await openPage(browser);
    pages.push(p);
    await p.page.goto(`${board.url}/?${query}`);
    return p;
  }
  const done = async (p: { page: Page; errors: string[] }) => {
    assert.deepEqual(p.errors, []);
    await p.page.context().close();
  };

  for (const run of [PIPELINE, 'tutorial']) {
    test(`GRAPHS draws the ${run} graph with Conv2d[conv1] collapsed, and double-clicking it reveals its inner nodes`, async () => {
      const p = await open(`tab=graphs&run=${encodeURIComponent(run)}`);
      const block = p.page.locator('[data-name="Net/Conv2d[conv1]"]');
      await block.waitFor();
      assert.equal(await p.page.locator('[data-name^="Net/Conv2d[conv1]/"]').count(), 0);
      for (const name of ['Net/Linear[fc1]', 'Net/MaxPool2d[pool]', 'input', 'output']) assert.equal(await p.page.locator(`[data-name="${name}"]`).count(), 1, name);
      await screenshot(p.page, `part3-graphs-${run}`);
      await block.dblclick();
      await p.page.locator('[data-name="Net/Conv2d[conv1]/input.1"]').waitFor();
      assert.ok(await p.page.locator('[data-name^="Net/Conv2d[conv1]/"]').count() >= 3);
      // The view was not zoomed or panned, so the opened graph is fitted again: every node and label inside the canvas.
      const c = (await p.page.locator('.graph-canvas').boundingBox())!;
      const outside = await p.page.locator('.graph-node, .graph-edge-label').evaluateAll((els: any[], c) => els.filter((el) => {
        const r = el.getBoundingClientRect();
        return r.top < c.y || r.bottom > c.y + c.height || r.left < c.x || r.right > c.x + c.width;
      }).map((el) => (el.getAttribute('data-name') ?? el.textContent) as string), c);
      assert.deepEqual(outside, []);
      await p.page.locator('[data-name="Net/Conv2d[conv1]/input.1"]').click();
      const panel = await p.page.locator('.graph-info').innerText();
      assert.match(panel, /aten::_convolution/);
      assert.match(panel, /4×6×24×24/);
      await screenshot(p.page, `part3-graphs-${run}-conv1`);
      await done(p);
    });
  }

  test('GRAPHS keeps a zoom the user chose when a block opens, and fits again after Fit', async () => {
    const p = await open('tab=graphs&run=tutorial');
    const block = p.page.locator('[data-name="Net/Conv2d[conv2]"]');
    await block.waitFor();
    const scale = () => p.page.locator('.graph-viewport').evaluate((g) => Number(/scale\(([^)]+)\)/.exec(g.getAttribute('transform') ?? '')![1]));
    const fitted = await scale();
    const box = (await block.boundingBox())!;
    await p.page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    await p.page.mouse.wheel(0, -300);
    const zoomed = await scale();
    assert.ok(zoomed > fitted, `${zoomed} > ${fitted}`);
    await block.dblclick();
    await p.page.locator('[data-name^="Net/Conv2d[conv2]/"]').first().waitFor();
    assert.equal(await scale(), Math.max(zoomed, 0.8));
    await p.page.getByRole('button', { name: 'Fit' }).click();
    await p.page.locator('[data-name="Net/Conv2d[conv2]"]').dblclick({ position: { x: 12, y: 6 } });
    await p.page.locator('[data-name^="Net/Conv2d[conv2]/"]').first().waitFor({ state: 'detached' });
    assert.equal(await scale(), fitted, 'collapsing after Fit fits the first view again');
    await done(p);
  });

  test('GRAPHS draws a TensorFlow/Keras-style graph without scopes, with shapes, a control edge and the device', async () => {
    const p = await open('tab=graphs&run=keras');
    await p.page.locator('[data-name="Identity"]').waitFor();
    assert.equal(await p.page.locator('.graph-node').count(), 7);
    assert.equal(await p.page.locator('.graph-node.group').count(), 0);
    const labels = await p.page.locator('.graph-edge-label').allTextContents();
    for (const shape of ['?×784', '784×64', '?×64', '?×32']) assert.ok(labels.includes(shape), `${shape} in ${labels}`);
    assert.equal(await p.page.locator('.graph-edge.control').count(), 1);
    await p.page.locator('[data-name="Identity"]').click();
    assert.match(await p.page.locator('.graph-info').innerText(), /device:CPU:0/);
    await screenshot(p.page, 'part3-graphs-keras');
    await done(p);
  });

  test('GRAPHS search reveals and selects a node inside a collapsed block', async () => {
    const p = await open(`tab=graphs&run=tutorial`);
    await p.page.locator('[data-name="Net/Conv2d[conv2]"]').waitFor();
    await p.page.locator('.graph-search').fill('conv2\\]/weight');
    await p.page.locator('.graph-results button').first().click();
    await p.page.locator('.graph-node.selected[data-name^="Net/Conv2d[conv2]/weight"]').waitFor();
    await done(p);
  });

  for (const [run, tags] of [[PIPELINE, 20], ['histogram', 2]] as const) {
    test(`HISTOGRAMS and DISTRIBUTIONS draw every histogram tag of ${run}`, async () => {
      const p = await open(`tab=histograms&run=${encodeURIComponent(run)}`);
      await p.page.waitForFunction((n) => (globalThis as any).document.querySelectorAll('.hist-card .histogram-wrap').length === n
        && [...(globalThis as any).document.querySelectorAll('.histogram-wrap')].every((w: any) => w.__histogram), tags, { timeout: 20_000 });
      await screenshot(p.page, `part3-histograms-${run}`);
      await p.page.locator('input[value=overlay]').check();
      assert.equal(await p.page.locator('.histogram-wrap[data-mode=overlay]').count(), tags);
      await screenshot(p.page, `part3-histograms-${run}-overlay`);
      await p.page.locator('.tab', { hasText: 'DISTRIBUTIONS' }).click();
      await p.page.waitForFunction((n) => [...(globalThis as any).document.querySelectorAll('.hist-card-body')].filter((b: any) => b.__uplot).length >= n, tags, { timeout: 20_000 });
      await screenshot(p.page, `part3-distributions-${run}`);
      await done(p);
    });
  }

  test('DISTRIBUTIONS bands equal the distributions TensorBoard 2.20 recorded', async () => {
    const golden = await goldenHttpDir();
    const records = (JSON.parse(await readFile(join(golden, 'responses.json'), 'utf8')) as any[])
      .filter((r) => r.sampling === 'all' && r.path === '/data/plugin/distributions/distributions' && r.status === 200);
    assert.ok(records.length >= 2);
    const p = await open('tab=distributions&run=histogram');
    for (const r of records) {
      const selector = `.hist-card[data-run="${r.query.run}"][data-tag="${r.query.tag}"] .hist-card-body`;
      await p.page.waitForFunction((s) => Boolean(((globalThis as any).document.querySelector(s) as any)?.__uplot), selector, { timeout: 20_000 });
      const data = await p.page.locator(selector).evaluate((el: any) => el.__uplot.data.map((c: any) => Array.from(c)));
      const expected = [r.body_json.map((e: any) => e[1]), ...[0, 1, 2, 3, 4, 5, 6, 7, 8].map((k) => r.body_json.map((e: any) => e[2][k][1]))];
      assert.deepEqual(data, expected, r.query.tag);
      assert.deepEqual(r.body_json[0][2].map((bp: number[]) => bp[0]), [0, 668, 1587, 3085, 5000, 6915, 8413, 9332, 10000]);
    }
    await done(p);
  });

  for (const run of [PIPELINE, 'tutorial']) {
    test(`PROJECTOR shows the 100 sprite thumbnails of ${run}'s default embedding and 10 legend entries coloured by label`, async () => {
      const p = await open(`tab=projector&run=${encodeURIComponent(run)}`);
      await p.page.locator('[data-ready=true]').waitFor({ timeout: 30_000 });
      const el = p.page.locator('[data-ready=true]');
      assert.equal(await el.getAttribute('data-points'), '100');
      assert.equal(await el.getAttribute('data-sprites'), '100');
      assert.equal(await p.page.locator('select[aria-label="Colour by"]').inputValue(), 'label');
      assert.equal(await p.page.locator('.proj-legend li').count(), 10);
      assert.match(await p.page.locator('.proj-projection').innerText(), /PCA of 100 × 784: components explain/);
      await screenshot(p.page, `part3-projector-${run}`);
      await done(p);
    });
  }

  test('PROJECTOR: clicking a point lists the same neighbours as a brute-force k-NN, cosine and euclidean', async () => {
    const p = await open(`tab=projector&run=tutorial`);
    await p.page.locator('[data-ready=true]').waitFor({ timeout: 30_000 });
    const bytes = new Uint8Array(await (await fetch(`${board.url}/data/plugin/projector/tensor?run=tutorial&name=default:00000&num_rows=100000`)).arrayBuffer());
    const x = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    const at = await p.page.locator('[data-ready=true]').evaluate((el: any) => el.__projector.scatter.screenPosition(42));
    await p.page.mouse.click(at.x, at.y);
    await p.page.locator('.proj-neighbors li').first().waitFor();
    const picked = await p.page.locator('[data-ready=true]').evaluate((el: any) => el.__projector.selected);
    assert.ok(picked >= 0);
    const listed = async () => (await p.page.locator('.proj-neighbors li').evaluateAll((lis) => lis.map((li) => Number(li.getAttribute('data-index')))));
    assert.deepEqual(await listed(), bruteForceKnn(x, 784, picked, 10, 'cosine'));
    await screenshot(p.page, 'part3-projector-neighbours');
    await p.page.locator('select[aria-label="Distance"]').selectOption('euclidean');
    await p.page.locator('input[aria-label="Neighbours"]').fill('15');
    await p.page.locator('input[aria-label="Neighbours"]').dispatchEvent('change');
    await p.page.waitForFunction(() => (globalThis as any).document.querySelectorAll('.proj-neighbors li').length === 15);
    assert.deepEqual(await listed(), bruteForceKnn(x, 784, picked, 15, 'euclidean'));
    await done(p);
  });

  test('PROJECTOR on software WebGL draws a large cloud on the CPU, where the dots are, and picks the point clicked', async () => {
    const p = await open('tab=projector&run=cloud');
    const el = p.page.locator('[data-ready=true]');
    await el.waitFor({ timeout: 30_000 });
    assert.equal(await el.evaluate((e: any) => e.__projector.scatter.softwareGl), true, 'headless Chromium here renders WebGL with SwiftShader');
    assert.equal(await el.evaluate((e: any) => e.__projector.scatter.usesCpu), true);
    await p.page.waitForFunction(() => (globalThis as any).document.querySelector('.proj-cpu-canvas:not([hidden])'));
    await p.page.waitForTimeout(300);
    // The CPU canvas is painted (not background) at the screen position of a point, and clicking there selects a point
    // whose listed neighbours are the brute-force ones.
    const at = await el.evaluate((e: any) => e.__projector.scatter.screenPosition(1234));
    const painted = await p.page.locator('.proj-cpu-canvas').evaluate((c: any, pos: { x: number; y: number }) => {
      const r = c.getBoundingClientRect();
      const ratio = c.width / r.width;
      const d = c.getContext('2d').getImageData(Math.round((pos.x - r.left) * ratio), Math.round((pos.y - r.top) * ratio), 1, 1).data;
      return [d[0], d[1], d[2]];
    }, at);
    assert.notDeepEqual(painted, [255, 255, 255]);
    await p.page.mouse.click(at.x, at.y);
    await p.page.locator('.proj-neighbors li').first().waitFor();
    const picked = await el.evaluate((e: any) => e.__projector.selected);
    const bytes = new Uint8Array(await (await fetch(`${board.url}/data/plugin/projector/tensor?run=cloud&name=cloud&num_rows=100000`)).arrayBuffer());
    const x = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    const listed = await p.page.locator('.proj-neighbors li').evaluateAll((lis) => lis.map((li) => Number(li.getAttribute('data-index'))));
    assert.deepEqual(listed, bruteForceKnn(x, 3, picked, 10, 'cosine'));
    await screenshot(p.page, 'part3-projector-cpu-cloud');
    await done(p);
  });

  test('PROJECTOR computes UMAP on demand in a worker', async () => {
    const p = await open('tab=projector&run=tutorial');
    await p.page.locator('[data-ready=true]').waitFor({ timeout: 30_000 });
    await p.page.locator('select[aria-label="Projection"]').selectOption('umap');
    await p.page.waitForFunction(() => /computed in a worker/.test((globalThis as any).document.querySelector('.proj-projection').textContent), null, { timeout: 120_000 });
    await p.page.locator('[data-ready=true]').waitFor();
    assert.equal(await p.page.locator('.proj-legend li').count(), 10);
    await screenshot(p.page, 'part3-projector-umap');
    await done(p);
  });

  test('PROJECTOR shows a 3-wide layout as is, and search highlights the matching points', async () => {
    const p = await open(`tab=projector&run=${PIPELINE}&projEmbedding=features_umap3:00000`);
    await p.page.locator('[data-ready=true]').waitFor({ timeout: 30_000 });
    assert.match(await p.page.locator('.proj-projection').innerText(), /× 3 dims, shown as they are/);
    await p.page.locator('.proj-search').fill('^Bag$');
    const info = await p.page.locator('.proj-search-info').innerText();
    const meta = await (await fetch(`${board.url}/data/plugin/projector/metadata?run=${PIPELINE}&name=features_umap3:00000&num_rows=100000`)).text();
    const bags = meta.trim().split('\n').slice(1).filter((l) => l.split('\t')[0] === 'Bag').length;
    assert.equal(info, `${bags} of ${meta.trim().split('\n').length - 1} points match`);
    await screenshot(p.page, 'part3-projector-umap3-search');
    await done(p);
  });
});
