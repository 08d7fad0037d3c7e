import assert from 'node:assert/strict';
import { test } from 'node:test';
import { knnAccuracy, nearestNeighbors } from '../src/index.ts';
import { createRandom } from '@tbpipe/core';

// Points on a line at 0, 1, 3, 7, 15.
const line = Float32Array.from([0, 1, 3, 7, 15]);

test('nearest neighbours of points on a line, nearest first, with exact distances', () => {
  const g = nearestNeighbors(line, 5, 1, 2);
  assert.deepEqual(Array.from(g.indices), [1, 2, 0, 2, 1, 0, 2, 1, 3, 2]);
  assert.deepEqual(Array.from(g.distances), [1, 3, 1, 2, 2, 3, 4, 6, 8, 12]);
});

test('includeSelf puts each point first at distance 0', () => {
  const g = nearestNeighbors(line, 5, 1, 2, { includeSelf: true });
  assert.deepEqual(Array.from(g.indices), [0, 1, 1, 0, 2, 1, 3, 2, 4, 3]);
  assert.deepEqual(Array.from(g.distances), [0, 1, 0, 1, 0, 2, 0, 4, 0, 8]);
});

test('tiles give the same neighbours as one block', () => {
  const n = 37;
  const x = Float32Array.from({ length: n * 3 }, (_, i) => Math.sin(i * 1.7) * 10);
  const big = nearestNeighbors(x, n, 3, 5);
  const small = nearestNeighbors(x, n, 3, 5, { tileRows: 4 });
  assert.deepEqual(small, big);
});

test('kNN accuracy is 1 for separated clusters and counts the misplaced point', () => {
  const x = Float32Array.from([0, 0.1, 0.2, 0.3, 10, 10.1, 10.2, 10.3]);
  assert.equal(knnAccuracy(x, 8, 1, [0, 0, 0, 0, 1, 1, 1, 1], 3), 1);
  // Point 3 (at 0.3, class 1) has three class-0 neighbours; every other vote still goes right.
  assert.equal(knnAccuracy(x, 8, 1, [0, 0, 0, 1, 1, 1, 1, 1], 3), 7 / 8);
});

test('the wasm candidate search gives exactly the JavaScript loop\'s neighbours and distances', () => {
  for (const [n, d, k, tileRows] of [[37, 3, 5, 8], [203, 50, 15, 128], [64, 2, 10, 12], [5, 1, 4, 4]] as const) {
    const x = Float32Array.from({ length: n * d }, (_, i) => Math.round(Math.sin(i * 1.7) * 20) / 4); // ties on purpose
    for (const includeSelf of [false, true]) {
      const options = { tileRows, includeSelf };
      assert.deepEqual(nearestNeighbors(x, n, d, k, options), nearestNeighbors(x, n, d, k, { ...options, useWasm: false }), `${n} × ${d}, k ${k}`);
    }
  }
});

test('the float32 candidate search ends on exactly the Float64 search\'s neighbours and distances, near-ties and duplicates included', () => {
  const random = createRandom(21);
  const cases: [Float32Array, number, number, number][] = [];
  // Near-duplicates a float32 rounding step apart, exact duplicates, a wide range of norms, and plain random data.
  for (const [n, d, k] of [[300, 50, 15], [150, 84, 11], [64, 3, 10], [40, 2, 20], [9, 5, 8]] as const) {
    const base = Float32Array.from({ length: n * d }, () => (random() - 0.5) * (random() < 0.1 ? 1000 : 10));
    for (let i = 3; i < n; i += 7) for (let t = 0; t < d; t++) base[i * d + t] = base[(i - 3) * d + t] * (1 + 2 ** -23 * (t % 3));
    for (let i = 5; i < n; i += 11) base.copyWithin(i * d, (i - 5) * d, (i - 4) * d);
    cases.push([base, n, d, k]);
  }
  for (const [x, n, d, k] of cases) {
    for (const includeSelf of [false, true]) {
      for (const tileRows of [16, 128]) {
        const options = { tileRows, includeSelf };
        assert.deepEqual(nearestNeighbors(x, n, d, k, options), nearestNeighbors(x, n, d, k, { ...options, float32Candidates: false }), `${n} × ${d}, k ${k}`);
      }
    }
  }
});
