// The tutorial's Net trained by the fused engine (the plan, on this runtime's binary) against the stock tfjs step:
// these checks were written for the fixed kernel it used to run (issue 15 removed it) and hold for the plan.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCnnTrainer, type EngineOptions } from '../../src/engine/index.ts';
import type { TrainerState } from '../../src/engine/types.ts';
import { maxAbsDiff, separableBatch } from './helpers.ts';

const options = (trainStep: 'fused' | 'stock'): EngineOptions => ({
  backend: 'wasm',
  seed: 3,
  learningRate: 0.05, // large, so three steps move the weights visibly
  momentum: 0.9,
  trainStep,
});

for (const batch of [4, 7]) {
  test(`the fused wasm train step equals the stock tfjs step (loss, weights, momenta) over 3 steps at batch ${batch}`, async () => {
    const runs = [];
    for (const kind of ['stock', 'fused'] as const) {
      const trainer = await createCnnTrainer(options(kind));
      const losses = [0, 1, 2].map((s) => {
        const { images, labels } = separableBatch(batch, 10 + s);
        return trainer.trainStep(images, labels);
      });
      runs.push({ losses, state: trainer.getState() });
      trainer.dispose();
    }
    const [stock, fused] = runs as [(typeof runs)[0], (typeof runs)[0]];
    assert.ok(maxAbsDiff(stock.losses, fused.losses) < 1e-5, `losses ${stock.losses} vs ${fused.losses}`);
    for (const key of ['weights', 'momentum'] as const) {
      stock.state[key].forEach((t, i) => {
        const f = fused.state[key][i]!;
        assert.equal(f.name, t.name);
        assert.ok(maxAbsDiff(t.data, f.data) < 1e-4, `${key} ${t.name}: max |diff| ${maxAbsDiff(t.data, f.data)}`);
      });
    }
    // The momenta are gradient sums: make sure they are not trivially zero (the comparison above would be vacuous).
    assert.ok(fused.state.momentum.every((t) => t.data.some((v) => Math.abs(v) > 1e-4)));
  });
}

test('the fused plan handles a batch size change (64 after 4) without mixing scratch', async () => {
  const fused = await createCnnTrainer(options('fused'));
  const stock = await createCnnTrainer(options('stock'));
  for (const batch of [4, 64, 4]) {
    const { images, labels } = separableBatch(batch, batch);
    const a = stock.trainStep(images, labels);
    const b = fused.trainStep(images, labels);
    assert.ok(Math.abs(a - b) < 1e-5, `batch ${batch}: ${a} vs ${b}`);
  }
  fused.dispose();
  stock.dispose();
});

test("the fused plan's forward pass (predict) equals the stock tfjs forward, across its 256-image chunks", async () => {
  const tf = await import('@tensorflow/tfjs-core');
  const { forward, imagesTensor } = await import('../../src/engine/stock.ts');
  const trainer = await createCnnTrainer({ ...options('fused'), learningRate: 0.01 });
  for (let s = 0; s < 5; s++) {
    const b = separableBatch(4, s);
    trainer.trainStep(b.images, b.labels);
  }
  const { images } = separableBatch(300, 9);
  const got = trainer.predict(images, 300);
  // The trainer's variables, through stock ops (a test-only peek at the private field).
  const params = (trainer as unknown as { params: import('@tensorflow/tfjs-core').Variable[] }).params;
  const [logits, features] = tf.tidy(() => {
    const out = forward(trainer.network, params, [], imagesTensor(trainer.network, images, 300));
    return [out.logits.dataSync(), out.features.dataSync()];
  });
  assert.ok(maxAbsDiff(got.logits, logits!) < 1e-4, `logits: ${maxAbsDiff(got.logits, logits!)}`);
  assert.ok(maxAbsDiff(got.features, features!) < 1e-4, `features: ${maxAbsDiff(got.features, features!)}`);
  trainer.dispose();
});

test('the fused step keeps working after the wasm heap grows (its views and pointers are re-read every call)', async () => {
  const tf = await import('@tensorflow/tfjs-core');
  const fused = await createCnnTrainer(options('fused'));
  const stock = await createCnnTrainer(options('stock'));
  const before = (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.byteLength;
  const batches = [0, 1, 2, 3].map((s) => separableBatch(4, 50 + s));
  const step = (b: (typeof batches)[0]) => [stock.trainStep(b.images, b.labels), fused.trainStep(b.images, b.labels)];
  const first = step(batches[0]!);
  const big = tf.zeros([before / 4 + (16 << 20)]); // forces emscripten to grow the heap
  const after = (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.byteLength;
  assert.ok(after > before, `heap ${before} → ${after}`);
  const rest = batches.slice(1).map(step);
  big.dispose();
  for (const [a, b] of [first, ...rest]) assert.ok(Math.abs(a! - b!) < 1e-5, `${a} vs ${b}`);
  const s = stock.getState(), f = fused.getState();
  s.weights.forEach((t, i) => assert.ok(maxAbsDiff(t.data, f.weights[i]!.data) < 1e-4, t.name));
  fused.dispose();
  stock.dispose();
});

test('a wasm trainer and a cpu trainer can be interleaved; each matches its own uninterrupted run', async () => {
  const run = async (backend: 'wasm' | 'cpu', interleave?: () => void) => {
    const trainer = await createCnnTrainer({ ...options(backend === 'wasm' ? 'fused' : 'stock'), backend, learningRate: 0.01 });
    const losses = [0, 1, 2].map((s) => {
      interleave?.();
      const b = separableBatch(4, 70 + s);
      return trainer.trainStep(b.images, b.labels);
    });
    return { trainer, losses };
  };
  const alone = { wasm: await run('wasm'), cpu: await run('cpu') };
  const other = await createCnnTrainer({ ...options('stock'), backend: 'cpu' });
  const probe = separableBatch(4, 99);
  // A cpu trainer steps between every wasm step (switching tfjs's global backend) and vice versa.
  const mixedWasm = await run('wasm', () => other.trainStep(probe.images, probe.labels));
  const wasmAgain = await createCnnTrainer({ ...options('fused'), learningRate: 0.01 });
  const mixedCpu = await run('cpu', () => wasmAgain.trainStep(probe.images, probe.labels));
  assert.deepEqual(mixedWasm.losses, alone.wasm.losses);
  assert.deepEqual(mixedCpu.losses, alone.cpu.losses);
  for (const t of [alone.wasm.trainer, alone.cpu.trainer, mixedWasm.trainer, mixedCpu.trainer, other, wasmAgain]) t.dispose();
});

test('on images with constant backgrounds (exact ties in every pooling window) fused and stock still agree over 50 steps', async () => {
  const { createRandom } = await import('@tbpipe/core');
  const random = createRandom(21);
  // FashionMNIST-like: −1 everywhere except one random bright patch, so conv outputs tie across whole regions.
  const batches = Array.from({ length: 50 }, () => {
    const images = new Float32Array(4 * 784).fill(-1);
    const labels = new Int32Array(4);
    for (let b = 0; b < 4; b++) {
      labels[b] = Math.floor(random() * 10);
      const y0 = 2 + labels[b]!, x0 = 2 + ((labels[b]! * 7) % 14);
      for (let y = y0; y < y0 + 10; y++) for (let x = x0; x < x0 + 10; x++) images[b * 784 + y * 28 + x] = random();
    }
    return { images, labels };
  });
  const runs: { losses: number[]; state: TrainerState }[] = [];
  for (const kind of ['stock', 'fused'] as const) {
    const trainer = await createCnnTrainer({ ...options(kind), learningRate: 0.01 });
    const losses = batches.map((b) => trainer.trainStep(b.images, b.labels));
    runs.push({ losses, state: trainer.getState() });
    trainer.dispose();
  }
  assert.ok(maxAbsDiff(runs[0]!.losses, runs[1]!.losses) < 1e-5, `loss diff ${maxAbsDiff(runs[0]!.losses, runs[1]!.losses)}`);
  runs[0]!.state.weights.forEach((t, i) => {
    assert.ok(maxAbsDiff(t.data, runs[1]!.state.weights[i]!.data) < 1e-4, t.name);
  });
});

test('on 100 real FashionMNIST batches at lr 0.01 fused and stock agree (loss, every weight and momentum) to 1e-5', async () => {
  const { readFileSync } = await import('node:fs');
  const { gunzipSync } = await import('node:zlib');
  // The repository's 300-image slice of FashionMNIST (test/fixtures/fashion-mnist-small), normalised like the stage.
  const fixture = new URL('../../../../test/fixtures/fashion-mnist-small/', import.meta.url);
  const pixels = gunzipSync(readFileSync(new URL('train-images-idx3-ubyte.gz', fixture))).subarray(16);
  const classes = gunzipSync(readFileSync(new URL('train-labels-idx1-ubyte.gz', fixture))).subarray(8);
  const batch = (s: number) => {
    const at = (s * 4) % (classes.length - 3); // 100 batches of 4 walk the 300 images 1⅓ times
    return {
      images: Float32Array.from(pixels.subarray(at * 784, (at + 4) * 784), (p) => (p / 255 - 0.5) / 0.5),
      labels: Int32Array.from(classes.subarray(at, at + 4)),
    };
  };
  const runs: { losses: number[]; state: TrainerState }[] = [];
  for (const kind of ['stock', 'fused'] as const) {
    const trainer = await createCnnTrainer({ ...options(kind), learningRate: 0.01 });
    const losses = Array.from({ length: 100 }, (_, s) => trainer.trainStep(batch(s).images, batch(s).labels));
    runs.push({ losses, state: trainer.getState() });
    trainer.dispose();
  }
  const [stock, fused] = runs as [(typeof runs)[0], (typeof runs)[0]];
  assert.ok(maxAbsDiff(stock.losses, fused.losses) < 1e-5, `loss diff ${maxAbsDiff(stock.losses, fused.losses)}`);
  let worst = 0;
  for (const key of ['weights', 'momentum'] as const) {
    stock.state[key].forEach((t, i) => {
      const diff = maxAbsDiff(t.data, fused.state[key][i]!.data);
      worst = Math.max(worst, diff);
      assert.ok(diff < 1e-5, `${key} ${t.name}: max |diff| ${diff}`);
    });
  }
  // It learned something real: the last batches' loss is below the first ones'.
  assert.ok(fused.losses.slice(-20).reduce((a, b) => a + b) < fused.losses.slice(0, 20).reduce((a, b) => a + b), String(fused.losses));
  console.log(`# 100 FashionMNIST steps: max |loss diff| ${maxAbsDiff(stock.losses, fused.losses).toExponential(1)}, max |weight or momentum diff| ${worst.toExponential(1)}`);
});
