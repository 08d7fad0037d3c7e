import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createCnnTrainer, type EngineOptions } from '../../src/engine/index.ts';
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

test('the fused kernel handles a batch size change (64 after 4) without mixing scratch', async () => {
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

test('the fused wasm forward kernel (predict) equals the stock tfjs forward, across its 256-image chunks', async () => {
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
    const out = forward(params, imagesTensor(images, 300));
    return [out.logits.dataSync(), out.features.dataSync()];
  });
  assert.ok(maxAbsDiff(got.logits, logits!) < 1e-4, `logits: ${maxAbsDiff(got.logits, logits!)}`);
  assert.ok(maxAbsDiff(got.features, features!) < 1e-4, `features: ${maxAbsDiff(got.features, features!)}`);
  trainer.dispose();
});
