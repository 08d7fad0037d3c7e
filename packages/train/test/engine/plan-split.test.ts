import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { createRandom, TbpipeError } from '@tbpipe/core';
import { builtinNetwork } from '../../src/network/builtins.ts';
import { resolveNetwork, type ResolvedNetwork } from '../../src/network/resolve.ts';
import type { NetworkSpec } from '../../src/network/spec.ts';
import { selectBackend } from '../../src/engine/backend.ts';
import { createPlanStep, type PlanStep, type TrainerOptimizer } from '../../src/kernels/fused-plan.ts';
import { createSplitPlanStep, splitDecision, splitUnsupportedReason } from '../../src/kernels/plan-split.ts';
import { planBinary, wasmModule } from '../../src/kernels/plan.ts';

const SGD: TrainerOptimizer = { name: 'sgd', learningRate: 0.01, momentum: 0.9, nesterov: false, weightDecay: 0, beta1: 0.9, beta2: 0.999, eps: 1e-8 };
const NESTEROV: TrainerOptimizer = { ...SGD, nesterov: true, weightDecay: 1e-3 };
const ADAM: TrainerOptimizer = { ...SGD, name: 'adam', learningRate: 0.001, weightDecay: 1e-4 };

const GREY = { height: 28, width: 28, channels: 1 };
const RGB = { height: 32, width: 32, channels: 3 };
/** A conv net with dropout after a conv block and after a hidden dense layer (strided, padded conv; avg pool). */
const DROPOUT_SPEC = {
  layers: [
    { type: 'conv2d', filters: 8, kernelSize: 3, padding: 'same' },
    { type: 'relu' },
    { type: 'maxPool2d', poolSize: 2 },
    { type: 'dropout', rate: 0.25 },
    { type: 'conv2d', filters: 12, kernelSize: 3, stride: 2, padding: 1 },
    { type: 'tanh' },
    { type: 'avgPool2d', poolSize: 2 },
    { type: 'flatten' },
    { type: 'dense', units: 32 },
    { type: 'relu' },
    { type: 'dropout', rate: 0.5 },
    { type: 'dense', units: 10 },
  ],
} as unknown as NetworkSpec;

/** The slice of the WebAssembly global this test uses (the repo's tsconfig types none). */
interface WasmGlobal {
  validate(bytes: Uint8Array): boolean;
  Memory: new (d: { initial: number; maximum?: number; shared?: boolean }) => object;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (m: object, imports: object) => object;
}

const sizeOf = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

interface Vars {
  params: tf.Variable[];
  momentum: tf.Variable[];
  secondMoment: tf.Variable[];
  buffers: tf.Variable[];
}

function makeVars(net: ResolvedNetwork, seed: number): Vars {
  const r = createRandom(seed);
  return {
    params: net.params.map((p) => tf.variable(tf.tensor(Float32Array.from({ length: sizeOf(p.tfShape) }, () => (r() * 2 - 1) / Math.sqrt(p.fanIn)), p.tfShape))),
    momentum: net.params.map((p) => tf.variable(tf.zeros(p.tfShape))),
    secondMoment: net.params.map((p) => tf.variable(tf.zeros(p.tfShape))),
    buffers: net.buffers.map((b) => tf.variable(tf.fill(b.shape, b.initial))),
  };
}

/** Three steps of `batch` images (dropout masks drawn per sample, as the trainer's are); the losses. */
function run(step: PlanStep, net: ResolvedNetwork, batches: number[], seed: number): number[] {
  const r = createRandom(seed);
  const per = sizeOf(net.inputShape);
  return batches.map((batch, s) => {
    const images = Float32Array.from({ length: batch * per }, () => r() * 2 - 1);
    const labels = Int32Array.from({ length: batch }, () => Math.floor(r() * net.classCount));
    const masks = net.layers
      .filter((l) => l.type === 'dropout')
      .map((l) => Float32Array.from({ length: batch * sizeOf(l.inShape) }, () => (r() < l.rate! ? 0 : 1 / (1 - l.rate!))));
    return step.trainStep(images, labels, masks, s + 1);
  });
}

const read = (vs: tf.Variable[]) => vs.map((v) => v.dataSync() as Float32Array);

/** Largest |a − b| over each tensor, relative to the tensor's largest magnitude floored at 10 % of the largest of its kind. */
function assertClose(a: Float32Array[], b: Float32Array[], what: string, net: ResolvedNetwork): void {
  const maxOf = (x: Float32Array) => x.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  const floor = 0.1 * Math.max(...b.map(maxOf));
  a.forEach((x, i) => {
    const scale = Math.max(maxOf(b[i]!), floor, 1e-30);
    let d = 0;
    for (let k = 0; k < x.length; k++) d = Math.max(d, Math.abs(x[k]! - b[i]![k]!));
    assert.ok(d / scale <= 1e-4, `${what} ${net.params[i]!.torchName}: ${d / scale} relative`);
  });
}

const cases: { name: string; net: () => ResolvedNetwork; opts: TrainerOptimizer[]; batches: number[] }[] = [
  { name: 'mlp', net: () => resolveNetwork(builtinNetwork('mlp'), GREY, 10), opts: [SGD, ADAM], batches: [32, 32, 32] },
  { name: 'lenet5-rgb', net: () => resolveNetwork(builtinNetwork('lenet5-rgb'), RGB, 10), opts: [SGD, NESTEROV], batches: [32, 33, 32] },
  { name: 'a conv net with dropout', net: () => resolveNetwork(DROPOUT_SPEC, { height: 12, width: 12, channels: 2 }, 10), opts: [SGD, ADAM], batches: [34, 35, 34] },
];

for (const c of cases) {
  for (const opt of c.opts) {
    const kind = opt.name === 'adam' ? 'Adam with weight decay' : opt.nesterov ? 'SGD nesterov with weight decay' : 'SGD momentum';
    test(`${c.name}, ${kind}: the batch split over two threads equals the one-thread step within 1e-4 after 3 steps (batches ${c.batches.join(', ')})`, async () => {
      await selectBackend('wasm');
      const net = c.net();
      const a = makeVars(net, 3);
      const b = makeVars(net, 3);
      const one = createPlanStep(net, opt, a);
      assert.ok(!('unsupported' in one));
      const split = createSplitPlanStep(net, opt, b);
      try {
        const la = run(one, net, c.batches, 9);
        const lb = run(split, net, c.batches, 9);
        la.forEach((l, i) => assert.ok(Math.abs(l - lb[i]!) <= 1e-5 * Math.max(1, Math.abs(l)), `loss ${i + 1}: ${l} vs ${lb[i]}`));
        assertClose(read(b.params), read(a.params), 'weight', net);
        assertClose(read(b.momentum), read(a.momentum), opt.name === 'adam' ? 'exp_avg' : 'momentum', net);
        if (opt.name === 'adam') assertClose(read(b.secondMoment), read(a.secondMoment), 'exp_avg_sq', net);
        assert.equal(split.timings.steps, 3);
      } finally {
        split.dispose();
        await split.ended;
        tf.dispose([...a.params, ...a.momentum, ...a.secondMoment, ...b.params, ...b.momentum, ...b.secondMoment]);
      }
    });
  }
}

test('two split runs from the same seed are bit-identical (weights, momentum, losses)', async () => {
  await selectBackend('wasm');
  const net = resolveNetwork(DROPOUT_SPEC, { height: 12, width: 12, channels: 2 }, 10);
  const once = async () => {
    const v = makeVars(net, 5);
    const split = createSplitPlanStep(net, SGD, v);
    const losses = run(split, net, [40, 41, 40, 40], 13);
    split.dispose();
    await split.ended;
    const out = { losses, params: read(v.params), momentum: read(v.momentum) };
    tf.dispose([...v.params, ...v.momentum, ...v.secondMoment]);
    return out;
  };
  const x = await once();
  const y = await once();
  assert.deepEqual(x.losses, y.losses);
  x.params.forEach((p, i) => assert.deepEqual(p, y.params[i]));
  x.momentum.forEach((p, i) => assert.deepEqual(p, y.momentum[i]));
});

for (const fail of ['trap', 'exit'] as const) {
  test(`a worker that ${fail === 'trap' ? 'fails its half' : 'dies mid-step'} surfaces as one TbpipeError (TRAIN_WORKER_FAILED), and so does every later step`, async () => {
    await selectBackend('wasm');
    const net = resolveNetwork(builtinNetwork('mlp'), GREY, 10);
    const v = makeVars(net, 1);
    const entry = new URL(`../fixtures/failing-plan-worker.mjs${fail === 'exit' ? '?fail=exit' : ''}`, import.meta.url);
    const split = createSplitPlanStep(net, SGD, v, { workerEntry: entry });
    const expected = (e: unknown) => e instanceof TbpipeError && e.code === 'TRAIN_WORKER_FAILED' && /^train: the batch-split worker thread .*; rerun with --threads 1$/.test(e.message);
    assert.throws(() => run(split, net, [32], 2), expected);
    assert.throws(() => run(split, net, [32], 2), expected);
    split.dispose();
    await split.ended;
    tf.dispose([...v.params, ...v.momentum, ...v.secondMoment]);
  });
}

test('auto splits from batch 32 on two cores; batch norm, one core and threads 1 keep one thread, each with a reason', () => {
  const mlp = resolveNetwork(builtinNetwork('mlp'), GREY, 10);
  const bn = resolveNetwork(builtinNetwork('batchnorm'), GREY, 10);
  assert.equal(splitDecision(mlp, 'auto', 32, 2).threads, 2);
  assert.equal(splitDecision(mlp, 'auto', 31, 2).threads, 1);
  assert.equal(splitDecision(mlp, 'auto', 64, 1).threads, 1);
  assert.equal(splitDecision(mlp, 1, 64, 2).threads, 1);
  assert.equal(splitDecision(mlp, 2, 4, 1).threads, 2);
  assert.equal(splitDecision(mlp, 2, 1, 2).threads, 1);
  assert.match(splitDecision(bn, 2, 64, 2).why, /batchNorm\) needs whole-batch statistics/);
  assert.equal(splitDecision(bn, 'auto', 64, 2).threads, 1);
  assert.match(splitUnsupportedReason(bn) ?? '', /^layer \d+ \(batchNorm\)/);
});

test("auto splits the tutorial's Net at batch 32 and keeps batch 4 (the tutorial pipeline's) on one thread", () => {
  const tutorial = resolveNetwork(builtinNetwork('tutorial'), GREY, 10);
  assert.equal(splitDecision(tutorial, 'auto', 32, 2).threads, 2);
  assert.deepEqual(splitDecision(tutorial, 'auto', 4, 2), { threads: 1, why: 'threads auto: batch 4 < 32' });
});

test('a trainer with threads 2 (dropout masks from the trainer) follows the one-thread trainer within 1e-4 over 3 steps, and says so in threadsFor', async () => {
  const { createCnnTrainer } = await import('../../src/engine/trainer.ts');
  const net = resolveNetwork(DROPOUT_SPEC, { height: 12, width: 12, channels: 2 }, 10);
  const make = (threads: 1 | 2) => createCnnTrainer({ backend: 'wasm', seed: 4, learningRate: 0.05, momentum: 0.9, network: net, threads });
  const [one, two] = [await make(1), await make(2)];
  try {
    assert.deepEqual(one.threadsFor(32), { threads: 1, why: 'threads 1' });
    assert.equal(two.threadsFor(32).threads, 2);
    const r = createRandom(21);
    for (let s = 0; s < 3; s++) {
      const images = Float32Array.from({ length: 32 * 288 }, () => r() * 2 - 1);
      const labels = Int32Array.from({ length: 32 }, () => Math.floor(r() * 10));
      const a = one.trainStep(images, labels);
      const b = two.trainStep(images, labels);
      assert.ok(Math.abs(a - b) <= 1e-5 * Math.max(1, a), `loss ${s + 1}: ${a} vs ${b}`);
    }
    const sa = one.getState();
    const sb = two.getState();
    assertClose(sb.weights.map((t) => t.data), sa.weights.map((t) => t.data), 'weight', net);
    assertClose(sb.momentum.map((t) => t.data), sa.momentum.map((t) => t.data), 'momentum', net);
  } finally {
    one.dispose();
    two.dispose();
  }
});

test('a split trainer resumed from getState()/setState() continues bit for bit like an uninterrupted split trainer', async () => {
  const { createCnnTrainer } = await import('../../src/engine/trainer.ts');
  const net = resolveNetwork(builtinNetwork('mlp'), GREY, 10);
  const make = () => createCnnTrainer({ backend: 'wasm', seed: 8, learningRate: 0.001, momentum: 0.9, network: net, optimizer: 'adam', threads: 2 });
  const r = createRandom(5);
  const batches = Array.from({ length: 4 }, () => ({
    images: Float32Array.from({ length: 32 * 784 }, () => r() * 2 - 1),
    labels: Int32Array.from({ length: 32 }, () => Math.floor(r() * 10)),
  }));
  const [whole, first, second] = [await make(), await make(), await make()];
  try {
    const a = batches.map((b) => whole.trainStep(b.images, b.labels));
    const b = batches.slice(0, 2).map((x) => first.trainStep(x.images, x.labels));
    second.setState(first.getState());
    b.push(...batches.slice(2).map((x) => second.trainStep(x.images, x.labels)));
    assert.deepEqual(b, a);
    const sa = whole.getState();
    const sb = second.getState();
    sa.weights.forEach((t, i) => assert.deepEqual(sb.weights[i]!.data, t.data, t.name));
    sa.secondMoment!.forEach((t, i) => assert.deepEqual(sb.secondMoment![i]!.data, t.data, t.name));
  } finally {
    whole.dispose();
    first.dispose();
    second.dispose();
  }
});

test('each plan binary has a -shared build that links to a shared memory, and only it does', () => {
  const W = (globalThis as unknown as { WebAssembly: WasmGlobal }).WebAssembly;
  const env = (memory: unknown) => ({ env: { memory, exp: Math.exp, log: Math.log } });
  const shared = new W.Memory({ initial: 1, maximum: 32768, shared: true });
  const own = new W.Memory({ initial: 1, maximum: 32768 });
  for (const binary of ['plan', planBinary()] as const) {
    assert.throws(() => new W.Instance(wasmModule(binary), env(shared)), /shared state/, `${binary}.wasm imports an unshared memory`);
    assert.doesNotThrow(() => new W.Instance(wasmModule(binary, true), env(shared)), `${binary}-shared.wasm`);
    assert.throws(() => new W.Instance(wasmModule(binary, true), env(own)), /shared state/, `${binary}-shared.wasm imports a shared memory`);
  }
});
