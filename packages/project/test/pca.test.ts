import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRandom } from '@tbpipe/core';
import { fitPca, projectPca } from '../src/pca.ts';

test('explained variance of points on two axes matches the closed form', () => {
  // (±a, 0, 0), (0, ±b, 0): mean 0, covariance diag(2a²/3, 2b²/3, 0), ratios a²/(a²+b²), b²/(a²+b²), 0.
  const a = 3;
  const b = 1;
  const x = Float32Array.from([a, 0, 0, -a, 0, 0, 0, b, 0, 0, -b, 0]);
  const m = fitPca(x, 4, 3, { nComponents: 3, random: createRandom(0) });
  assert.equal(m.method, 'exact');
  const close = (got: number, want: number) => assert.ok(Math.abs(got - want) < 1e-12, `${got} vs ${want}`);
  close(m.explainedVariance[0], (2 * a * a) / 3);
  close(m.explainedVariance[1], (2 * b * b) / 3);
  close(m.explainedVarianceRatio[0], 0.9);
  close(m.explainedVarianceRatio[1], 0.1);
  close(m.explainedVarianceRatio[2], 0);
  assert.deepEqual(Array.from(m.components.subarray(0, 3)).map(Math.abs), [1, 0, 0]);
  assert.deepEqual(Array.from(projectPca(m, x, 4, 1)), [3, -3, 0, 0]);
});

test('the randomized path agrees with the exact eigendecomposition on wide data', () => {
  const random = createRandom(7);
  const n = 400;
  const d = 300;
  const x = new Float32Array(n * d);
  // Planted spectrum: column j has standard deviation 10 / (1 + j).
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) x[i * d + j] = (random() - 0.5) * (10 / (1 + j));
  const exact = fitPca(x, n, d, { nComponents: 3, random: createRandom(1), exactMaxWidth: 1000 });
  const fast = fitPca(x, n, d, { nComponents: 3, random: createRandom(1), exactMaxWidth: 0, powerIterations: 3 });
  assert.equal(fast.method, 'randomized');
  for (let c = 0; c < 3; c++) {
    assert.ok(Math.abs(fast.explainedVarianceRatio[c] - exact.explainedVarianceRatio[c]) < 1e-4, `component ${c}`);
    assert.ok(Math.abs(Math.abs(fast.scores[c]) - Math.abs(exact.scores[c])) < 1e-2);
  }
  assert.equal(fast.totalVariance, exact.totalVariance);
});
