/**
 * The stage on a real model: the train stage itself (cpu backend) trains the tutorial's CNN for a few mini-batches
 * on striped images, then evaluate reads its output directory. Slower than the other tests (TensorFlow.js), so one
 * test.
 */
import { verifyManifest, writeManifest } from '@tbpipe/core';
import { INGEST_CONTRACT, TEST_FILE, TRAIN_FILE, writeImages } from '@tbpipe/ingest';
import { train } from '@tbpipe/train';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { EVALUATE_CONTRACT } from '../src/contract.ts';
import { evaluate } from '../src/evaluate.ts';
import { readPredictions } from '../src/predictions.ts';
import { FASHION_CLASSES, stripedImages } from './helpers/fixtures.ts';

test('a tiny model trained by the train stage evaluates end to end', async () => {
  const root = await mkdtemp(join(tmpdir(), 'tbpipe-evaluate-engine-'));
  try {
    const dataDir = join(root, 'ingest');
    const split = (count: number, seed: number) => ({ ...stripedImages(count, seed), classNames: FASHION_CLASSES, count });
    await writeImages(join(dataDir, TRAIN_FILE), split(80, 7), 'fashion-mnist');
    await writeImages(join(dataDir, TEST_FILE), split(30, 8), 'fashion-mnist');
    await writeManifest(dataDir, INGEST_CONTRACT, [TRAIN_FILE, TEST_FILE]);
    const modelDir = join(root, 'train');
    const runDir = join(root, 'runs');
    await train({ dataDir, outDir: modelDir, runDir, backend: 'cpu', maxSteps: 20, logEverySteps: 10, learningRate: 0.01 });

    const outDir = join(root, 'evaluate');
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
    assert.ok(p.features.every((f) => f >= 0), 'features are post-ReLU');
    assert.equal(result.metrics.count, 30);
    assert.equal(result.prCurves.length, 10);
    const names = await readdir(runDir);
    assert.ok(names.some((n) => n.endsWith('.train')) && names.some((n) => n.endsWith('.evaluate')), names.join(', '));
    assert.ok(names.includes('hparams'));
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
