/**
 * A pipeline-like run written by our own SummaryWriter (what the stages write: scalars, images, histograms, text,
 * PR curves, hparams, an embedding), served end to end: every dashboard that has data is enabled and its routes answer.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SummaryWriter } from '@tbpipe/eventlog';
import { startBoard, type Board } from '../src/index.ts';

describe('a pipeline-like run written by our SummaryWriter', () => {
  let root: string;
  let board: Board;
  const json = async (path: string) => {
    const res = await fetch(`${board.url}${path}`);
    assert.equal(res.status, 200, `${path}: ${await res.clone().text()}`);
    return res.json() as Promise<any>;
  };

  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'tbpipe-board-pipeline-'));
    const run = join(root, 'fashion_mnist_experiment_1');
    let clock = 1_700_000_000;
    const writer = new SummaryWriter(run, { now: () => (clock += 1) });
    for (let step = 0; step < 20; step++) writer.addScalar('training loss', 2 / (step + 1), step * 1000);
    const pixels = Array.from({ length: 3 * 8 * 8 }, (_, i) => (i % 7) / 7);
    writer.addImage('four_fashion_mnist_images', { data: pixels, shape: [3, 8, 8] }, 0);
    for (let step = 0; step < 3; step++) writer.addHistogram('fc1/weight', Array.from({ length: 200 }, (_, i) => Math.sin(i + step)), step);
    writer.addText('notes', 'hello *markdown*', 0);
    writer.addPrCurve('T-shirt/top', [1, 0, 1, 1, 0], [0.9, 0.2, 0.7, 0.4, 0.6], 0, 11);
    await writer.addEmbedding({ data: Array.from({ length: 12 }, (_, i) => i / 12), shape: [3, 4] }, { metadata: ['a', 'b', 'c'] });
    await writer.addHparams({ lr: 0.001, optimizer: 'sgd' }, { 'hparam/accuracy': 0.83 });
    await writer.close();
    board = await startBoard({ logdir: root, port: 0, reloadIntervalSeconds: 0 });
  });
  after(async () => {
    await board?.close();
    await rm(root, { recursive: true, force: true });
  });

  it('enables exactly the dashboards that have data', async () => {
    const listing = await json('/data/plugins_listing');
    const enabled = Object.keys(listing).filter((k) => listing[k].enabled);
    assert.deepEqual(enabled, ['timeseries', 'scalars', 'images', 'distributions', 'histograms', 'text', 'pr_curves', 'hparams', 'projector']);
  });

  it('serves the scalars as JSON and CSV', async () => {
    const points = await json('/data/plugin/scalars/scalars?run=fashion_mnist_experiment_1&tag=training%20loss');
    assert.equal(points.length, 20);
    assert.deepEqual(points[1].slice(1), [1000, 1]);
    const csv = await (await fetch(`${board.url}/data/plugin/scalars/scalars?run=fashion_mnist_experiment_1&tag=training%20loss&format=csv`)).text();
    assert.equal(csv.split('\r\n')[0], 'Wall time,Step,Value');
    assert.match(csv.split('\r\n')[2], /^1700000\d\d\d\.0,1000,1\.0$/, 'Python float text: 1.0, not 1');
  });

  it('serves the image as a PNG through its blob key', async () => {
    const [entry] = await json('/data/plugin/images/images?run=fashion_mnist_experiment_1&tag=four_fashion_mnist_images');
    const res = await fetch(`${board.url}/data/plugin/images/individualImage?${entry.query}`);
    assert.equal(res.headers.get('content-type'), 'image/png');
    assert.equal(Buffer.from(await res.arrayBuffer()).subarray(1, 4).toString(), 'PNG');
  });

  it('serves histograms, their distributions (9 basis points), text, PR curves and the projector', async () => {
    const histograms = await json('/data/plugin/histograms/histograms?run=fashion_mnist_experiment_1&tag=fc1%2Fweight');
    assert.equal(histograms.length, 3);
    const distributions = await json('/data/plugin/distributions/distributions?run=fashion_mnist_experiment_1&tag=fc1%2Fweight');
    assert.deepEqual(distributions[0][2].map((p: number[]) => p[0]), [0, 668, 1587, 3085, 5000, 6915, 8413, 9332, 10000]);
    const textTags = await json('/data/plugin/text/tags');
    assert.deepEqual(textTags, { fashion_mnist_experiment_1: ['notes/text_summary'] });
    const [text] = await json('/data/plugin/text/text?run=fashion_mnist_experiment_1&tag=notes%2Ftext_summary');
    assert.match(text.text, /<em>markdown<\/em>/);
    const pr = await json('/data/plugin/pr_curves/pr_curves?run=fashion_mnist_experiment_1&tag=T-shirt%2Ftop');
    assert.equal(pr.fashion_mnist_experiment_1[0].thresholds[1], 0.1);
    assert.deepEqual(await json('/data/plugin/projector/runs'), ['fashion_mnist_experiment_1']);
  });

  it('exports the run’s scalars in long format', async () => {
    const rows = await json('/api/export?plugin=scalars&format=json');
    assert.ok(rows.length >= 20);
    assert.deepEqual(Object.keys(rows[0]), ['run', 'tag', 'step', 'wall_time', 'value']);
  });
});
