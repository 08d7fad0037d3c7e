import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRandom } from '@tbpipe/core';
import { fitPca, projectPca } from '../src/pca.ts';
import { multiplyF64, orthonormalizeRowsWasm } from '../src/wasm-kernels.mjs';

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

/** The JavaScript loops the wasm steps replaced (round 4), kept here as their reference. */
function orthonormalizeRowsJs(m: Float64Array, l: number, d: number): void {
  for (let pass = 0; pass < 2; pass++) {
    for (let c = 0; c < l; c++) {
      const rc = c * d;
      for (let p = 0; p < c; p++) {
        const rp = p * d;
        let dot = 0;
        for (let j = 0; j < d; j++) dot += m[rc + j] * m[rp + j];
        for (let j = 0; j < d; j++) m[rc + j] -= dot * m[rp + j];
      }
      let norm = 0;
      for (let j = 0; j < d; j++) norm += m[rc + j] * m[rc + j];
      norm = Math.sqrt(norm);
      const inv = norm > 1e-300 ? 1 / norm : 0;
      for (let j = 0; j < d; j++) m[rc + j] *= inv;
    }
  }
}

test("the wasm Gram–Schmidt and products give the JavaScript loops' numbers exactly", () => {
  const random = createRandom(4);
  const [l, d] = [13, 37];
  const m = Float64Array.from({ length: l * d }, () => random() - 0.5);
  m.fill(0, 5 * d, 6 * d); // a vanished row stays zero
  const js = m.slice();
  orthonormalizeRowsJs(js, l, d);
  orthonormalizeRowsWasm(m, l, d);
  assert.deepEqual(m, js);
  for (const [rows, inner, cols] of [[7, 11, 19], [3, 5, 8], [4, 9, 1], [2, 6, 10]]) {
    const a = Float64Array.from({ length: rows * inner }, () => random() * 4 - 2);
    const w = Float64Array.from({ length: inner * cols }, () => random() * 4 - 2);
    const expected = new Float64Array(rows * cols);
    for (let r = 0; r < rows; r++) {
      for (let c = 0; c < cols; c++) {
        let s = 0;
        for (let t = 0; t < inner; t++) s += a[r * inner + t] * w[t * cols + c];
        expected[r * cols + c] = s;
      }
    }
    assert.deepEqual(multiplyF64(a, rows, inner, w, cols), expected);
  }
});
