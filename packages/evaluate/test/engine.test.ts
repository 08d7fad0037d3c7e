/**
 * The stage on a real model: the train stage itself trains the tutorial's CNN for a few mini-batches on striped
 * images, then evaluate reads its output directory, in this process and through the bin in a fresh one. Slower than
 * the other tests (TensorFlow.js), so few of them.
 */
import { verifyManifest, writeManifest } from '@tbpipe/core';
import { INGEST_CONTRACT, TEST_FILE, TRAIN_FILE, writeImages } from '@tbpipe/ingest';
import { train } from '@tbpipe/train';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { EVALUATE_CONTRACT } from '../src/contract.ts';
import { evaluate } from '../src/evaluate.ts';
import { readPredictions } from '../src/predictions.ts';
import { FASHION_CLASSES, stripedImages } from './helpers/fixtures.ts';

const BIN = fileURLToPath(new URL('../bin/tbpipe-evaluate.mjs', import.meta.url));
let root: string;
let dataDir: string;
let modelDir: string;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'tbpipe-evaluate-engine-'));
  dataDir = join(root, 'ingest');
  const split = (count: number, seed: number) => ({ ...stripedImages(count, seed), classNames: FASHION_CLASSES, count });
  await writeImages(join(dataDir, TRAIN_FILE), split(80, 7), 'fashion-mnist');
  await writeImages(join(dataDir, TEST_FILE), split(30, 8), 'fashion-mnist');
  await writeManifest(dataDir, INGEST_CONTRACT, [TRAIN_FILE, TEST_FILE]);
  modelDir = join(root, 'train');
  await train({ dataDir, outDir: modelDir, runDir: join(root, 'runs'), backend: 'cpu', maxSteps: 20, logEverySteps: 10, learningRate: 0.01 });
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

test('a tiny model trained by the train stage evaluates end to end', async () => {
  const outDir = join(root, 'evaluate');
  const runDir = join(root, 'runs');
  const result = await evaluate({ dataDir, modelDir, outDir, runDir, backend: 'cpu', batchSize: 16 });
  assert.equal(result.backend, 'cpu');
  await verifyManifest(outDir, EVALUATE_CONTRACT);
  const p = await readPredictions(join(outDir, 'predictions.arrow'));
  assert.equal(p.count, 30);
  for (let r = 0; r < 30; r++) {
    const row = p.probabilities.subarray(r * 10, r * 10 + 10);
    assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5, `row ${r} sums to 1`);
    assert.equal(p.predicted[r], row.indexOf(Math.max(...row)), `row ${r}: predicted is the most probable class`);
  }
  assert.ok(p.features!.every((f) => f >= 0), 'features are post-ReLU');
  assert.equal(result.metrics.count, 30);
  assert.equal(result.prCurves.length, 10);
  const names = await readdir(runDir);
  assert.ok(names.some((n) => n.endsWith('.train')) && names.some((n) => n.endsWith('.evaluate')), names.join(', '));
  assert.ok(names.includes('hparams'));
});

test('the bin in a fresh process writes the same bytes as the library', async () => {
  const viaLibrary = join(root, 'library');
  await evaluate({ dataDir, modelDir, outDir: viaLibrary, runDir: join(root, 'runs-library'), backend: 'cpu' });
  const viaBin = join(root, 'bin');
  const r = spawnSync(process.execPath, [BIN, '--data', dataDir, '--model', modelDir, '--out', viaBin, '--run-dir', join(root, 'runs-bin'), '--backend', 'cpu'], {
    encoding: 'utf8',
    env: { ...process.env, TBPIPE_LOG_LEVEL: 'warn' },
  });
  assert.equal(r.status, 0, r.stderr);
  for (const f of ['predictions.arrow', 'metrics.json', 'manifest.json']) {
    assert.deepEqual(await readFile(join(viaBin, f)), await readFile(join(viaLibrary, f)), f);
  }
});

test('an RGB network (lenet5-rgb) on 32 × 32 × 3 images: NHWC floats in, K and D from the model out, features from fc2', async () => {
  const shape = { height: 32, width: 32, channels: 3 };
  const names = FASHION_CLASSES; // the same classes as the grey split, so only the image shape differs below
  const data = join(root, 'ingest-rgb');
  const split = (count: number, seed: number) => ({ ...stripedImages(count, seed, 10, shape), classNames: names, count, ...shape });
  await writeImages(join(data, TRAIN_FILE), split(40, 7), 'rgb');
  await writeImages(join(data, TEST_FILE), split(20, 8), 'rgb');
  await writeManifest(data, INGEST_CONTRACT, [TRAIN_FILE, TEST_FILE]);
  const model = join(root, 'train-rgb');
  await train({ dataDir: data, outDir: model, runDir: join(root, 'runs-rgb'), backend: 'cpu', maxSteps: 5, logEverySteps: 5, learningRate: 0.01, network: 'lenet5-rgb' });
  const outDir = join(root, 'evaluate-rgb');
  const result = await evaluate({ dataDir: data, modelDir: model, outDir, runDir: join(root, 'runs-rgb'), backend: 'cpu' });
  const p = await readPredictions(join(outDir, 'predictions.arrow'));
  assert.equal(result.metrics.count, 20);
  assert.equal(p.featureWidth, 84);
  assert.equal(p.featureLayer, 'fc2');
  assert.deepEqual(p.classNames, names);
  // The model refuses the tutorial's grey 28 × 28 split before any inference.
  await assert.rejects(evaluate({ dataDir, modelDir: model, outDir: join(root, 'evaluate-mismatch'), runDir: join(root, 'runs-rgb'), backend: 'cpu' }), { code: 'EVALUATE_MODEL_INPUT' });
});
