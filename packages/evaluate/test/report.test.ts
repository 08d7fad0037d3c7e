import { decodePng } from '@tbpipe/eventlog';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { ModelInfo } from '../src/inputs.ts';
import { computeMetrics } from '../src/metrics.ts';
import { hparamsFromModel, removeRunOutputs, renderConfusionMatrix } from '../src/report.ts';
import { FASHION_CLASSES } from './helpers/fixtures.ts';

/** 20 images per class: 18 right, 2 taken for the next class. */
function ringMetrics() {
  const labels: number[] = [];
  const predicted: number[] = [];
  for (let c = 0; c < 10; c++) for (let k = 0; k < 20; k++) labels.push(c), predicted.push(k < 18 ? c : (c + 1) % 10);
  return computeMetrics({
    labels: Uint8Array.from(labels),
    predicted: Uint8Array.from(predicted),
    probabilities: new Float32Array(200 * 10).fill(0.1),
    classNames: FASHION_CLASSES,
  });
}

test('the confusion image is a 682 × 634 RGBA heat map: 10 yellow diagonal cells, 80 dark-purple empty cells', async () => {
  const image = decodePng(await renderConfusionMatrix(ringMetrics()));
  assert.deepEqual([image.width, image.height, image.channels], [682, 634, 4]);
  const near = (o: number, [r, g, b]: number[]) =>
    Math.abs(image.data[o] - r) <= 6 && Math.abs(image.data[o + 1] - g) <= 6 && Math.abs(image.data[o + 2] - b) <= 6;
  let yellow = 0;
  let purple = 0;
  for (let o = 0; o < image.data.length; o += 4) {
    if (near(o, [253, 231, 37])) yellow++; // viridis(1): the count 18
    if (near(o, [68, 1, 84])) purple++; // viridis(0): the count 0
  }
  const cell = 48 * 48;
  // Each cell loses a little to its printed number; the colour bar adds a little of both ends.
  assert.ok(yellow > 9 * cell && yellow < 10.5 * cell, `yellow ${yellow}`);
  assert.ok(purple > 72 * cell && purple < 81 * cell, `purple ${purple}`);
});

test('the hparams are the train params under torch-style names, with the backend that actually ran', () => {
  const model: ModelInfo = {
    modelPath: 'm',
    params: { learningRate: 0.001, momentum: 0.9, batchSize: 4, epochs: 1, seed: 0, init: 'pytorch', backend: 'auto' },
    backend: 'wasm',
    steps: 15000,
    classNames: undefined,
    runSha256: '',
  };
  assert.deepEqual(hparamsFromModel(model), { lr: 0.001, momentum: 0.9, batch_size: 4, epochs: 1, seed: 0, init: 'pytorch', backend: 'wasm' });
});

test('removing run outputs deletes only .evaluate event files and the hparams sub-run', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tbpipe-report-'));
  try {
    const keep = ['events.out.tfevents.1.h.1.0.train', 'events.out.tfevents.1.h.1.0.evaluate.bak', 'projector_config.pbtxt'];
    const remove = ['events.out.tfevents.1.h.1.0.evaluate', 'events.out.tfevents.2.h.9.1.evaluate'];
    for (const name of [...keep, ...remove]) await writeFile(join(dir, name), '');
    await mkdir(join(dir, 'hparams'));
    await writeFile(join(dir, 'hparams', 'events.out.tfevents.1.h.1.0.evaluate'), '');
    assert.deepEqual((await removeRunOutputs(dir)).sort(), [...remove, 'hparams'].sort());
    assert.deepEqual((await readdir(dir)).sort(), keep.sort());
    assert.deepEqual(await removeRunOutputs(join(dir, 'missing')), []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
