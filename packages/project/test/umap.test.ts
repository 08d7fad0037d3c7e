import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UMAP } from 'umap-js';
import { createRandom } from '@tbpipe/core';
import { knnAccuracy, nearestNeighbors, prepareUmap, runUmap } from '../src/index.ts';
import { createLayoutOptimizer, kernelVertexDraws } from '../src/wasm-kernels.mjs';
import { KNOWN_CURVE_PARAMETERS } from '../src/umap.ts';
import { findABParams } from 'umap-js/dist/umap.js';

/** 3 Gaussian-ish blobs of 50 points in 10-D. */
function blobs(): { x: Float32Array; labels: number[]; n: number } {
  const random = createRandom(11);
  const n = 150;
  const x = new Float32Array(n * 10);
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const c = i % 3;
    labels.push(c);
    for (let j = 0; j < 10; j++) x[i * 10 + j] = (j === c * 3 ? 8 : 0) + random() + random() - 1;
  }
  return { x, labels, n };
}

test('the typed UMAP gives exactly stock umap-js output for the same neighbours and seed', async () => {
  const { x, n } = blobs();
  const graph = nearestNeighbors(x, n, 10, 15, { includeSelf: true });
  const ours = await runUmap(graph, { nComponents: 2, nNeighbors: 15, minDist: 0.1, seed: 5, exactPow: true });
  const stock = new UMAP({ nComponents: 2, nNeighbors: 15, minDist: 0.1, random: createRandom(5) });
  const rows = (a: ArrayLike<number>) => Array.from({ length: n }, (_, i) => Array.from(Array.prototype.slice.call(a, i * 15, i * 15 + 15) as number[]));
  stock.setPrecomputedKNN(rows(graph.indices), rows(graph.distances));
  const epochs = stock.initializeFit(Array.from({ length: n }, () => []));
  for (let e = 0; e < epochs; e++) stock.step();
  assert.deepEqual(ours, Float32Array.from(stock.getEmbedding().flat()));
});

for (const kernel of ['lanes', 'streams', 'sequential'] as const) {
  test(`the ${kernel} kernel (table pow) is not bit-identical to umap-js, and its kNN accuracy on the blobs matches`, async () => {
    const { x, labels, n } = blobs();
    const graph = nearestNeighbors(x, n, 10, 15, { includeSelf: true });
    const options = { nComponents: 2, nNeighbors: 15, minDist: 0.1, seed: 5 };
    const fast = await runUmap(graph, { ...options, kernel });
    const exact = await runUmap(graph, { ...options, exactPow: true });
    // Rounding (and, for lanes and streams, the order of updates to shared points) sends the chaotic SGD elsewhere:
    // a different layout, not a worse one.
    assert.notDeepEqual(fast, exact);
    const accuracy = (y: Float32Array) => knnAccuracy(y, n, 2, labels);
    assert.ok(Math.abs(accuracy(fast) - accuracy(exact)) <= 0.02, `${accuracy(fast)} vs ${accuracy(exact)}`);
  });
}

for (const kernel of ['lanes', 'streams'] as const) {
  test(`the ${kernel} kernel draws as many negative samples as umap-js: the random state ends where the sequential one does`, () => {
    const { x, n } = blobs();
    // The blobs, and 12 of them with 5 neighbours: fewer due edges per epoch than streams, so some stay empty.
    const cases = [
      { graph: nearestNeighbors(x, n, 10, 15, { includeSelf: true }), nNeighbors: 15 },
      { graph: nearestNeighbors(x.subarray(0, 120), 12, 10, 5, { includeSelf: true }), nNeighbors: 5 },
    ];
    for (const [nComponents, { graph, nNeighbors }] of [2, 3].flatMap((d) => cases.map((c) => [d, c] as const))) {
      const job = prepareUmap(graph, { nComponents, nNeighbors, minDist: 0.1, seed: 3 });
      const fast = createLayoutOptimizer(job, { kernel });
      const sequential = createLayoutOptimizer(job, { exactPow: true });
      for (const to of [1, 7, job.nEpochs]) {
        fast.run(to);
        sequential.run(to);
        assert.equal(fast.randomState, sequential.randomState, `after epoch ${to}`);
      }
      assert.notEqual(fast.randomState, job.randomState >>> 0);
      assert.ok(fast.embedding().every(Number.isFinite));
    }
  });
}

test("the default kernel is lanes since round 4: its layouts differ from the stream kernel's (eight slices, heads stored after their samples), their kNN accuracy does not", async () => {
  const { x, labels, n } = blobs();
  const graph = nearestNeighbors(x, n, 10, 15, { includeSelf: true });
  for (const nComponents of [2, 3]) {
    const options = { nComponents, nNeighbors: 15, minDist: 0.1, seed: 7 };
    const byDefault = await runUmap(graph, options);
    assert.deepEqual(byDefault, await runUmap(graph, { ...options, kernel: 'lanes' }));
    const streams = await runUmap(graph, { ...options, kernel: 'streams' });
    assert.notDeepEqual(byDefault, streams);
    const accuracy = (y: Float32Array) => knnAccuracy(y, n, nComponents, labels);
    assert.ok(Math.abs(accuracy(byDefault) - accuracy(streams)) <= 0.02, `${accuracy(byDefault)} vs ${accuracy(streams)}`);
  }
});

test('UMAP with a seed is byte-identical across runs and separates the blobs', async () => {
  const { x, labels, n } = blobs();
  const graph = nearestNeighbors(x, n, 10, 15, { includeSelf: true });
  const options = { nComponents: 3, nNeighbors: 15, minDist: 0.1 };
  const a = await runUmap(graph, { ...options, seed: 9 });
  const b = await runUmap(graph, { ...options, seed: 9 });
  assert.deepEqual(Buffer.from(a.buffer), Buffer.from(b.buffer));
  let same = 0;
  let sameCount = 0;
  let other = 0;
  let otherCount = 0;
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const d = Math.hypot(a[3 * i] - a[3 * j], a[3 * i + 1] - a[3 * j + 1], a[3 * i + 2] - a[3 * j + 2]);
      if (labels[i] === labels[j]) (same += d), sameCount++;
      else (other += d), otherCount++;
    }
  }
  assert.ok(same / sameCount < (other / otherCount) / 3, `same-class ${same / sameCount} vs other ${other / otherCount}`);
});

test("the curve parameters known in advance are exactly umap-js's fit for their (spread, min_dist)", () => {
  for (const [key, ab] of KNOWN_CURVE_PARAMETERS) {
    const [spread, minDist] = key.split(':').map(Number);
    assert.deepEqual(findABParams(spread, minDist), ab);
  }
});

test("the stream kernel's negative samples are umap-js's floor(random() * n) on core's sequence", () => {
  for (const n of [2, 150, 2000, 10000, 1_000_000]) {
    const state = 0x9e3779b9 + n;
    const draws = kernelVertexDraws(state, 5000, n);
    // createRandom(seed) starts at state seed: continue the same sequence from `state`.
    const random = createRandom(state);
    for (let i = 0; i < draws.length; i++) assert.equal(draws[i], Math.floor(random() * n), `n = ${n}, draw ${i}`);
  }
});
