import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import {
  createCnnTrainer,
  EngineError,
  loadCnnPredictor,
  modelDirHandler,
  selectBackend,
  type CnnTrainerOptions,
  type EngineOptions,
} from '../../src/engine/index.ts';
import { tutorialNetwork } from '../../src/engine/model-io.ts';
import { maxAbsDiff, separableBatch } from './helpers.ts';

const PARAMS = tutorialNetwork().params;

const base: CnnTrainerOptions = { backend: 'wasm', seed: 0, learningRate: 0.001, momentum: 0.9 };

test('auto picks a backend that loads (tensorflow if tfjs-node is installed, else wasm) and says which', async () => {
  const trainer = await createCnnTrainer({ ...base, backend: 'auto' });
  let native = true;
  try {
    await import('@tensorflow/tfjs-node' as string);
  } catch {
    native = false;
  }
  assert.equal(trainer.backend, native ? 'tensorflow' : 'wasm');
  trainer.dispose();
});

test('an explicit backend that cannot load fails with a train: error naming it', async (t) => {
  try {
    await import('@tensorflow/tfjs-node' as string);
    t.skip('tfjs-node is installed here');
    return;
  } catch {}
  await assert.rejects(selectBackend('tensorflow'), (err: Error) => {
    assert.ok(err instanceof EngineError);
    assert.match(err.message, /^train: backend 'tensorflow' did not load .*expected .*; use --backend auto/);
    return true;
  });
});

test('PyTorch-style init: weights within ±1/√fan_in, biases within ±1/√fan_in, means near 0, bounds nearly reached', async () => {
  const trainer = await createCnnTrainer({ ...base, seed: 42 });
  const { weights } = trainer.getState();
  for (const spec of PARAMS) {
    const t = weights.find((w) => w.name === spec.torchName)!;
    assert.deepEqual(t.shape, spec.torchShape);
    const bound = 1 / Math.sqrt(spec.fanIn);
    const n = t.data.length;
    let max = 0, sum = 0, sq = 0;
    for (const v of t.data) {
      max = Math.max(max, Math.abs(v));
      sum += v;
      sq += v * v;
    }
    const mean = sum / n;
    const variance = sq / n - mean * mean;
    assert.ok(max <= bound, `${spec.torchName}: max ${max} > bound ${bound}`);
    // Uniform(±b): std b/√3, so the mean of n draws is within 4·b/√(3n) almost surely; variance ≈ b²/3.
    assert.ok(Math.abs(mean) < (4 * bound) / Math.sqrt(3 * n), `${spec.torchName}: mean ${mean}`);
    if (n >= 100) {
      assert.ok(max > 0.95 * bound, `${spec.torchName}: max ${max} far below ${bound}`);
      assert.ok(Math.abs(variance / (bound * bound / 3) - 1) < 0.25, `${spec.torchName}: variance ${variance}`);
    }
  }
  trainer.dispose();
});

test('glorot init: weights within ±√(6/(fan_in+fan_out)) and zero biases', async () => {
  const trainer = await createCnnTrainer({ ...base, init: 'glorot' });
  const { weights } = trainer.getState();
  PARAMS.forEach((spec, i) => {
    const data = weights[i]!.data;
    if (spec.kind === 'bias') assert.ok(data.every((v) => v === 0), spec.torchName);
    else assert.ok(data.every((v) => Math.abs(v) <= Math.sqrt(6 / (spec.fanIn + spec.fanOut))), spec.torchName);
  });
  trainer.dispose();
});

async function trajectory(options: EngineOptions, steps: number) {
  const trainer = await createCnnTrainer(options);
  const losses = [];
  for (let s = 0; s < steps; s++) {
    const { images, labels } = separableBatch(4, s);
    losses.push(trainer.trainStep(images, labels));
  }
  const state = trainer.getState();
  trainer.dispose();
  return { losses, state };
}

for (const [backend, trainStep] of [['wasm', 'fused'], ['wasm', 'stock'], ['cpu', 'stock']] as const) {
  test(`the same seed on ${backend} (${trainStep}) gives an identical trajectory; another seed does not`, async () => {
    const a = await trajectory({ ...base, backend, trainStep, seed: 5 }, 5);
    const b = await trajectory({ ...base, backend, trainStep, seed: 5 }, 5);
    const c = await trajectory({ ...base, backend, trainStep, seed: 6 }, 5);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a.losses, c.losses);
  });
}

test('cpu and wasm agree on the first steps from the same seed', async () => {
  const wasm = await trajectory({ ...base, seed: 9 }, 3);
  const cpu = await trajectory({ ...base, backend: 'cpu', seed: 9 }, 3);
  assert.ok(maxAbsDiff(wasm.losses, cpu.losses) < 1e-5, `${wasm.losses} vs ${cpu.losses}`);
});

for (const backend of ['wasm', 'cpu'] as const) {
  test(`a getState → setState round trip on ${backend} reproduces the training trajectory exactly`, async () => {
    const batches = Array.from({ length: 6 }, (_, s) => separableBatch(4, 100 + s));
    const first = await createCnnTrainer({ ...base, backend, seed: 1, learningRate: 0.01 });
    for (const b of batches.slice(0, 3)) first.trainStep(b.images, b.labels);
    const saved = first.getState();
    assert.deepEqual(saved.weights.map((t) => t.name), PARAMS.map((p) => p.torchName));
    assert.deepEqual(saved.momentum.map((t) => t.shape), PARAMS.map((p) => p.torchShape));
    const expected = batches.slice(3).map((b) => first.trainStep(b.images, b.labels));
    const expectedState = first.getState();
    first.dispose();

    const resumed = await createCnnTrainer({ ...base, backend, seed: 99, learningRate: 0.01 });
    resumed.setState(saved);
    assert.deepEqual(resumed.getState(), saved);
    const got = batches.slice(3).map((b) => resumed.trainStep(b.images, b.labels));
    assert.deepEqual(got, expected);
    assert.deepEqual(resumed.getState(), expectedState);
    resumed.dispose();
  });
}

test('setState rejects a tensor of the wrong shape with a train: error naming it', async () => {
  const trainer = await createCnnTrainer(base);
  const state = trainer.getState();
  state.momentum[2] = { name: 'conv2.weight', shape: [16, 6, 3, 3], data: new Float32Array(864) };
  assert.throws(() => trainer.setState(state), {
    message: 'train: state tensor momentum conv2.weight has shape [16,6,3,3] (864 floats), expected [16,6,5,5]; was the checkpoint written by this network?',
  });
  trainer.dispose();
});

test('trainStep rejects mismatched images/labels and out-of-range labels', async () => {
  const trainer = await createCnnTrainer(base);
  assert.throws(() => trainer.trainStep(new Float32Array(784 * 3), new Int32Array(4)), {
    message: 'train: 2352 image floats for 4 labels, expected labels × 784; pass one label per 28×28×1 image',
  });
  assert.throws(() => trainer.trainStep(new Float32Array(784 * 2), new Int32Array([1, 10])), {
    message: 'train: label 10 at index 1, expected an integer in [0, 10); check the labels column',
  });
  trainer.dispose();
});

test('saveModel writes a LayersModel that tf.loadLayersModel loads and that predicts the same logits', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tbpipe-engine-'));
  try {
    const trainer = await createCnnTrainer({ ...base, seed: 4, learningRate: 0.01 });
    for (let s = 0; s < 5; s++) {
      const b = separableBatch(4, s);
      trainer.trainStep(b.images, b.labels);
    }
    await trainer.saveModel(dir);
    assert.deepEqual((await readdir(dir)).sort(), ['model.json', 'network.json', 'weights.bin']);
    const { images } = separableBatch(32, 77);
    const expected = trainer.predict(images, 32);

    const model = await tfl.loadLayersModel(modelDirHandler(dir));
    const logits = tf.tidy(() => (model.predict(tf.tensor4d(images, [32, 28, 28, 1])) as tf.Tensor).dataSync());
    assert.ok(maxAbsDiff(logits, expected.logits) < 1e-4, `max |diff| ${maxAbsDiff(logits, expected.logits)}`);
    model.dispose();

    for (const backend of ['wasm', 'cpu'] as const) {
      const predictor = await loadCnnPredictor(dir, { backend });
      assert.equal(predictor.backend, backend);
      const p = predictor.predict(images, 32);
      assert.ok(maxAbsDiff(p.logits, expected.logits) < 1e-4);
      assert.ok(maxAbsDiff(p.features, expected.features) < 1e-4);
      assert.equal(p.features.length, 32 * 84);
      for (let r = 0; r < 32; r++) {
        const row = p.probabilities.subarray(r * 10, r * 10 + 10);
        assert.ok(Math.abs(row.reduce((a, b) => a + b, 0) - 1) < 1e-5);
      }
      predictor.dispose();
    }
    trainer.dispose();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('saving the same weights twice gives byte-identical files', async () => {
  const dirs = [await mkdtemp(join(tmpdir(), 'tbpipe-engine-')), await mkdtemp(join(tmpdir(), 'tbpipe-engine-'))];
  try {
    for (const dir of dirs) {
      const trainer = await createCnnTrainer({ ...base, seed: 8 });
      await trainer.saveModel(dir);
      trainer.dispose();
    }
    const { readFile } = await import('node:fs/promises');
    for (const f of ['model.json', 'weights.bin']) {
      assert.deepEqual(await readFile(join(dirs[0]!, f)), await readFile(join(dirs[1]!, f)), f);
    }
  } finally {
    for (const dir of dirs) await rm(dir, { recursive: true, force: true });
  }
});

test('loadCnnPredictor on a directory without model.json fails with a train: error', async () => {
  await assert.rejects(loadCnnPredictor('/nonexistent/model'), /^EngineError: train: model in \/nonexistent\/model has no model.json/);
});

test('the loss falls on random-but-separable data', async () => {
  const trainer = await createCnnTrainer({ ...base, seed: 2, learningRate: 0.01 });
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const losses: number[] = [];
  for (let s = 0; s < 300; s++) {
    const { images, labels } = separableBatch(8, 1000 + s);
    losses.push(trainer.trainStep(images, labels));
  }
  const start = mean(losses.slice(0, 20));
  const end = mean(losses.slice(-20));
  assert.ok(start > 2, `start ${start}`);
  assert.ok(end < 0.25 * start, `loss ${start} → ${end}`);
  const test = separableBatch(200, 5);
  const { probabilities } = trainer.predict(test.images, 200);
  let correct = 0;
  for (let i = 0; i < 200; i++) {
    const row = Array.from(probabilities.subarray(i * 10, i * 10 + 10));
    if (row.indexOf(Math.max(...row)) === test.labels[i]) correct++;
  }
  assert.ok(correct / 200 > 0.9, `accuracy ${correct / 200}`);
  trainer.dispose();
});

for (const backend of ['wasm', 'cpu'] as const) {
  test(`training, predicting, setState and dispose on ${backend} leave no tensors or heap bytes behind`, async () => {
    await selectBackend(backend);
    const before = tf.memory();
    const trainer = await createCnnTrainer({ ...base, backend });
    const b = separableBatch(4, 1);
    trainer.trainStep(b.images, b.labels);
    const during = tf.memory();
    for (let s = 0; s < 3; s++) trainer.trainStep(b.images, b.labels);
    trainer.predict(b.images, 4);
    trainer.setState(trainer.getState());
    const dir = await mkdtemp(join(tmpdir(), 'tbpipe-engine-'));
    await trainer.saveModel(dir);
    await rm(dir, { recursive: true, force: true });
    trainer.trainStep(b.images, b.labels);
    assert.equal(tf.memory().numTensors, during.numTensors, 'steady state per step');
    assert.equal(tf.memory().numBytes, during.numBytes);
    trainer.dispose();
    assert.equal(tf.memory().numTensors, before.numTensors, 'after dispose');
    assert.equal(tf.memory().numBytes, before.numBytes);
  });
}
