/**
 * The engine built from a spec (stock tfjs ops on cpu): the saved tfjs-layers model agrees with the trainer for
 * any spec, PyTorch layout round trips, batch-norm running statistics and the optimizers follow torch's formulas.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { createRandom } from '@tbpipe/core';
import { createCnnTrainer, loadCnnPredictor, modelDirHandler, type EngineOptions } from '../../src/engine/index.ts';
import { tfToTorch, torchToTf } from '../../src/network/layout.ts';
import { builtinNetwork, parseNetworkSpec, resolveNetwork, type ResolvedNetwork } from '../../src/network/index.ts';
import { maxAbsDiff } from '../engine/helpers.ts';

const MIXED = resolveNetwork(
  parseNetworkSpec({
    layers: [
      { type: 'conv2d', name: 'conv1', filters: 4, kernelSize: 3, padding: 1 },
      { type: 'batchNorm', name: 'bn1' },
      { type: 'tanh' },
      { type: 'avgPool2d', poolSize: 2 },
      { type: 'conv2d', filters: 5, kernelSize: 2, stride: 2 },
      { type: 'sigmoid', name: 'act' },
      { type: 'flatten' },
      { type: 'batchNorm' },
      { type: 'dropout', rate: 0.3 },
      { type: 'dense', name: 'fc1', units: 7 },
      { type: 'relu' },
      { type: 'dense', name: 'out', units: 3 },
    ],
  }),
  { height: 9, width: 10, channels: 3 },
  3,
);

function batch(net: ResolvedNetwork, count: number, seed: number) {
  const random = createRandom(seed);
  const floats = net.input.height * net.input.width * net.input.channels;
  return {
    images: Float32Array.from({ length: count * floats }, () => random() * 2 - 1),
    labels: Int32Array.from({ length: count }, () => Math.floor(random() * net.classCount)),
  };
}

const base = (network: ResolvedNetwork, extra: Partial<EngineOptions> = {}): EngineOptions => ({
  backend: 'cpu',
  seed: 3,
  learningRate: 0.05,
  momentum: 0.9,
  network,
  ...extra,
});

test('the saved tfjs-layers model of any spec predicts what the trainer predicts (RGB, padding, batch norm, dropout, a flatten permutation)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tbpipe-network-'));
  try {
    const trainer = await createCnnTrainer(base(MIXED));
    for (let s = 0; s < 4; s++) {
      const b = batch(MIXED, 6, s);
      trainer.trainStep(b.images, b.labels);
    }
    await trainer.saveModel(dir);
    const { images } = batch(MIXED, 5, 99);
    const expected = trainer.predict(images, 5);
    assert.equal(expected.features.length, 5 * 7);
    const model = await tfl.loadLayersModel(modelDirHandler(dir));
    const logits = tf.tidy(() => (model.predict(tf.tensor4d(images, [5, 9, 10, 3])) as tf.Tensor).dataSync());
    assert.ok(maxAbsDiff(logits, expected.logits) < 1e-4, `max |diff| ${maxAbsDiff(logits, expected.logits)}`);
    model.dispose();
    const predictor = await loadCnnPredictor(dir, { backend: 'cpu' });
    assert.deepEqual([predictor.network.classCount, predictor.network.featureWidth], [3, 7]);
    const p = predictor.predict(images, 5);
    assert.deepEqual(p.logits, expected.logits);
    assert.deepEqual(p.features, expected.features);
    predictor.dispose();
    trainer.dispose();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('PyTorch ↔ tfjs layout maps are inverse permutations, and a dense after a flatten reads features in C, H, W order', () => {
  for (const p of [...MIXED.params, ...MIXED.buffers]) {
    const x = Float32Array.from({ length: p.torchShape.reduce((a, b) => a * b, 1) }, (_, i) => i);
    const tfx = torchToTf(p, x);
    assert.deepEqual(tfToTorch(p, tfx), x, p.torchName);
    assert.deepEqual([...tfx].sort((a, b) => a - b), [...x], p.torchName);
  }
  // bn after flatten of [5, 2, 2]: torch feature c·4 + hw sits at tfjs position hw·5 + c.
  const bn = MIXED.params.find((p) => p.torchName === 'batchNorm7.weight')!;
  const tfx = torchToTf(bn, Float32Array.from({ length: 20 }, (_, i) => i));
  assert.equal(tfx[1 * 5 + 2], 2 * 4 + 1);
});

test('getState → setState round-trips weights, batch-norm buffers, Adam moments and the step count, and resumes identically', async () => {
  const run = await createCnnTrainer(base(MIXED, { optimizer: 'adam', learningRate: 0.01, weightDecay: 0.01 }));
  for (let s = 0; s < 2; s++) run.trainStep(batch(MIXED, 4, s).images, batch(MIXED, 4, s).labels);
  const saved = run.getState();
  assert.equal(saved.step, 2);
  assert.deepEqual(saved.buffers!.map((b) => b.name), ['bn1.running_mean', 'bn1.running_var', 'batchNorm7.running_mean', 'batchNorm7.running_var']);
  assert.equal(saved.secondMoment!.length, saved.weights.length);
  const expected = [2, 3].map((s) => run.trainStep(batch(MIXED, 4, s).images, batch(MIXED, 4, s).labels));
  const other = await createCnnTrainer(base(MIXED, { optimizer: 'adam', learningRate: 0.01, weightDecay: 0.01, seed: 77, dropoutSeed: 3 }));
  other.setState(saved);
  assert.deepEqual(other.getState(), saved);
  const got = [2, 3].map((s) => other.trainStep(batch(MIXED, 4, s).images, batch(MIXED, 4, s).labels));
  assert.deepEqual(got, expected);
  assert.deepEqual(other.getState(), run.getState());
  run.dispose();
  other.dispose();
});

/** A one-dense network (a linear softmax classifier) to check optimizer arithmetic by hand. */
const LINEAR = resolveNetwork(parseNetworkSpec({ layers: [{ type: 'flatten' }, { type: 'dense', name: 'fc', units: 3 }] }), { height: 2, width: 2, channels: 1 }, 3);

/** The gradient of mean cross-entropy for the linear net, in float64 (torch layout [out, in] and bias). */
function linearGrad(w: Float32Array, b: Float32Array, x: Float32Array, y: Int32Array): [Float64Array, Float64Array] {
  const gw = new Float64Array(12);
  const gb = new Float64Array(3);
  const n = y.length;
  for (let k = 0; k < n; k++) {
    const z = [0, 1, 2].map((o) => b[o]! + [0, 1, 2, 3].reduce((s, i) => s + w[o * 4 + i]! * x[k * 4 + i]!, 0));
    const m = Math.max(...z);
    const e = z.map((v) => Math.exp(v - m));
    const sum = e.reduce((a, c) => a + c, 0);
    for (let o = 0; o < 3; o++) {
      const g = (e[o]! / sum - (o === y[k] ? 1 : 0)) / n;
      gb[o] += g;
      for (let i = 0; i < 4; i++) gw[o * 4 + i] += g * x[k * 4 + i]!;
    }
  }
  return [gw, gb];
}

for (const [name, extra, update] of [
  [
    'SGD with nesterov and weight decay',
    { optimizer: 'sgd', momentum: 0.9, nesterov: true, weightDecay: 0.1, learningRate: 0.5 },
    (w: number, g: number, s: { v: number }, t: number) => {
      void t;
      const d = g + 0.1 * w;
      s.v = 0.9 * s.v + d;
      return w - 0.5 * (d + 0.9 * s.v);
    },
  ],
  [
    'Adam with weight decay',
    { optimizer: 'adam', betas: [0.8, 0.99], eps: 1e-6, weightDecay: 0.05, learningRate: 0.1 },
    (w: number, g: number, s: { v: number; m?: number }, t: number) => {
      const d = g + 0.05 * w;
      s.m = 0.8 * (s.m ?? 0) + 0.2 * d;
      s.v = 0.99 * s.v + 0.01 * d * d;
      return w - (0.1 / (1 - 0.8 ** t)) * (s.m / (Math.sqrt(s.v) / Math.sqrt(1 - 0.99 ** t) + 1e-6));
    },
  ],
] as const) {
  test(`${name} updates weights as torch.optim defines it, over three steps`, async () => {
    const trainer = await createCnnTrainer(base(LINEAR, extra as Partial<EngineOptions>));
    const start = trainer.getState();
    let w = Float64Array.from(start.weights[0]!.data);
    let b = Float64Array.from(start.weights[1]!.data);
    const sw = Array.from({ length: 12 }, () => ({ v: 0 }));
    const sb = Array.from({ length: 3 }, () => ({ v: 0 }));
    for (let t = 1; t <= 3; t++) {
      const data = batch(LINEAR, 5, t);
      const [gw, gb] = linearGrad(Float32Array.from(w), Float32Array.from(b), data.images, data.labels);
      trainer.trainStep(data.images, data.labels);
      w = w.map((v, i) => update(v, gw[i]!, sw[i]!, t));
      b = b.map((v, i) => update(v, gb[i]!, sb[i]!, t));
    }
    const end = trainer.getState();
    assert.ok(maxAbsDiff(end.weights[0]!.data, w) < 1e-5, `weight: ${maxAbsDiff(end.weights[0]!.data, w)}`);
    assert.ok(maxAbsDiff(end.weights[1]!.data, b) < 1e-5, `bias: ${maxAbsDiff(end.weights[1]!.data, b)}`);
    assert.ok(maxAbsDiff(end.weights[0]!.data, start.weights[0]!.data) > 1e-3, 'the weights moved');
    trainer.dispose();
  });
}

test("batch norm's running statistics follow PyTorch: momentum 0.1, unbiased batch variance", async () => {
  const net = resolveNetwork(parseNetworkSpec({ layers: [{ type: 'flatten' }, { type: 'batchNorm', name: 'bn' }, { type: 'dense', units: 2 }] }), { height: 1, width: 3, channels: 1 }, 2);
  const trainer = await createCnnTrainer(base(net));
  const x = new Float32Array([0.5, -1, 2, 0.1, 0.3, -0.7, -0.2, 0.9, 0.4, 1, 0, 0]);
  trainer.trainStep(x, new Int32Array([0, 1, 0, 1]));
  const [mean, variance] = trainer.getState().buffers!;
  for (let f = 0; f < 3; f++) {
    const col = [0, 1, 2, 3].map((k) => x[k * 3 + f]!);
    const mu = col.reduce((a, c) => a + c, 0) / 4;
    const unbiased = col.reduce((a, c) => a + (c - mu) ** 2, 0) / 3;
    assert.ok(Math.abs(mean!.data[f]! - 0.1 * mu) < 1e-6, `mean ${f}`);
    assert.ok(Math.abs(variance!.data[f]! - (0.9 + 0.1 * unbiased)) < 1e-6, `var ${f}`);
  }
  trainer.dispose();
});

test('PyTorch default init: batch norm weight 1 and bias 0; every built-in trains a step on its data shape', async () => {
  const bn = resolveNetwork(builtinNetwork('batchnorm'), { height: 28, width: 28, channels: 1 }, 10);
  const trainer = await createCnnTrainer(base(bn));
  const state = trainer.getState();
  assert.ok(state.weights.find((w) => w.name === 'bn1.weight')!.data.every((v) => v === 1));
  assert.ok(state.weights.find((w) => w.name === 'bn1.bias')!.data.every((v) => v === 0));
  assert.ok(state.buffers!.find((w) => w.name === 'bn1.running_var')!.data.every((v) => v === 1));
  trainer.dispose();
  for (const name of ['wide', 'lenet5-rgb', 'mlp'] as const) {
    const net = resolveNetwork(builtinNetwork(name), name === 'lenet5-rgb' ? { height: 32, width: 32, channels: 3 } : { height: 28, width: 28, channels: 1 }, 10);
    const t = await createCnnTrainer(base(net, { learningRate: 0.001 }));
    const b = batch(net, 2, 1);
    const loss = t.trainStep(b.images, b.labels);
    assert.ok(loss > 1.5 && loss < 3.5, `${name}: loss ${loss}`);
    t.dispose();
  }
});

test('dropout masks depend on the seed and step, so a seeded run repeats and the stock step applies them', async () => {
  const net = resolveNetwork(builtinNetwork('wide'), { height: 28, width: 28, channels: 1 }, 10);
  const run = async (seed: number) => {
    const t = await createCnnTrainer(base(net, { learningRate: 0.01, dropoutSeed: seed }));
    const losses = [0, 1].map((s) => t.trainStep(batch(net, 2, s).images, batch(net, 2, s).labels));
    t.dispose();
    return losses;
  };
  assert.deepEqual(await run(1), await run(1));
  assert.notDeepEqual(await run(1), await run(2));
});
