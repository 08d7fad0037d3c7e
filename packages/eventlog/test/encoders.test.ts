import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { crc32c as nativeCrc32c } from '@node-rs/crc32';
import { createRandom } from '@tbpipe/core';
import { crc32c, encodeEvent, prCurveValue, pythonFloatRepr } from '../src/index.ts';
import { pythonFloatReprGeneral } from '../src/python-format.ts';
import { encodePrCurveEventInto, prCurveEventSize, prCurveTensor } from '../src/pr-curve.ts';
import { encodeScalarEvent } from '../src/scalar.ts';
import { edgesHistogram, pairwiseSum, sumOfSquares, uniformHistogram } from '../src/numpy.ts';
import { makeHistogram, tensorflowDefaultBins } from '../src/histogram.ts';
import { hex } from './helpers.ts';

describe('encoders', () => {
  it('computes the same CRC-32C in the JS table path and the native path, on both sides of the switch-over size', () => {
    const random = createRandom(3);
    for (const n of [0, 1, 7, 8, 31, 255, 256, 257, 1000, 4096]) {
      const bytes = Uint8Array.from({ length: n }, () => Math.floor(random() * 256));
      assert.equal(crc32c(bytes), nativeCrc32c(bytes) >>> 0, `n=${n}`);
    }
  });

  it('writes addScalar events byte-identical to the generic encoder for any tag length, step and value', () => {
    const random = createRandom(11);
    const values = [0, -0, 1.5, NaN, Infinity, -Infinity, 3.4e38, 1e39, 1e-46];
    for (let i = 0; i < 300; i++) {
      const tag = 'x'.repeat(Math.floor(random() * 300));
      const step = [0, 1, 127, 128, 2 ** 31, 2 ** 53 - 1][i % 6];
      const wallTime = i % 7 === 0 ? 0 : 1700000000 + random();
      const value = i < values.length ? values[i] : (random() - 0.5) * 1e6;
      const generic = encodeEvent({ wallTime, step, summary: { value: [{ tag, simpleValue: value }] } });
      assert.equal(hex(encodeScalarEvent(wallTime, step, new TextEncoder().encode(tag), value)), hex(generic), `tag ${tag.length} step ${step} value ${value}`);
    }
  });

  it('writes addPrCurve events byte-identical to the generic encoder for any tag, step and threshold count', () => {
    const random = createRandom(13);
    for (const n of [2, 5, 127]) {
      for (const [tag, step, wallTime] of [['', 0, 0], ['T-shirt/top', 1, 1700000400.5], ['x'.repeat(200), 2 ** 40, 1.5]] as const) {
        const data = Array.from({ length: 6 }, () => Array.from({ length: n }, () => random() * 10));
        const rows = { truePositives: data[0], falsePositives: data[1], trueNegatives: data[2], falseNegatives: data[3], precision: data[4], recall: data[5] };
        const generic = encodeEvent({ wallTime, step, summary: { value: [prCurveValue(tag, rows, n)] } });
        const tagBytes = new TextEncoder().encode(tag);
        const out = new Uint8Array(prCurveEventSize(wallTime, step, tagBytes.length, n));
        const end = encodePrCurveEventInto(out, 0, wallTime, step, tagBytes, prCurveTensor(rows, n), n);
        assert.equal(end, out.length);
        assert.equal(hex(out), hex(generic), `n=${n} tag=${tag.length} step=${step}`);
      }
    }
  });

  it("formats floats as Python's repr does (fixed below 1e16, exponent otherwise, .0 for integers)", () => {
    const cases: [number, string][] = [
      [0.1, '0.1'],
      [Math.fround(0.1), '0.10000000149011612'],
      [1, '1.0'],
      [-0, '-0.0'],
      [1e16, '1e+16'],
      [1.5e16, '1.5e+16'],
      [9999999999999998, '9999999999999998.0'],
      [1e-5, '1e-05'],
      [0.0001, '0.0001'],
      [1700000000, '1700000000.0'],
      [1700000000.123456, '1700000000.123456'],
      [5e-324, '5e-324'],
      [NaN, 'nan'],
      [-Infinity, '-inf'],
    ];
    for (const [x, s] of cases) assert.equal(pythonFloatRepr(x), s, String(x));
  });

  it('writes every float as the general exponential path does, on both sides of the fast path’s 1e-4 and 1e16 bounds', () => {
    const random = createRandom(17);
    const values = [1e-4, -1e-4, 1e-4 * (1 - 2 ** -52), 1e16, 1e16 * (1 - 2 ** -53), -1e16, 9999999999999998, 0.1, 0.5, 1, 255, 123456789.125];
    for (let i = 0; i < 200_000; i++) {
      const x = (random() - 0.5) * 10 ** Math.floor(random() * 44 - 22);
      values.push(x, Math.fround(x), Math.round(x), Math.fround(Math.round(x * 100) / 100));
    }
    for (const x of values) assert.equal(pythonFloatRepr(x), pythonFloatReprGeneral(x), String(x));
  });

  it('sums in NumPy order: pairwise blocks of 8192 and OpenBLAS ddot lanes (frozen values from NumPy 1.24, AVX-512 OpenBLAS)', () => {
    // x_i = float32(((i·7919) mod 10007 − 5003) / d[i mod 7]), i < 20000, as float64; np.sum and x.dot(x) from
    // NumPy 1.24.2 / OpenBLAS. (Squares of float32 values are exact, so OpenBLAS's FMA needs no emulation.)
    const d = [1, 10, 100, 1000, 7, 3, 11];
    const x = Float64Array.from({ length: 20000 }, (_, i) => Math.fround((((i * 7919) % 10007) - 5003) / d[i % 7]));
    assert.equal(pairwiseSum(x), NUMPY_SUM);
    assert.equal(sumOfSquares(x.subarray(0, 9999)), NUMPY_DOT_9999);
    // Each code path of the kernel: tail only, 32-blocks + a 16-block, 32-blocks + tail.
    assert.deepEqual([7, 144, 2000].map((n) => sumOfSquares(x.subarray(0, n))), [27716379.717603177, 209058240.3568641, 2752925948.352556]);
  });

  it('bins like np.histogram: last bin closed, out-of-range and NaN dropped, edges from linspace', () => {
    const { counts, edges } = uniformHistogram([0, 0.1, 0.5, 1, 1.5, NaN, -1], 4, 0, 1);
    assert.deepEqual(Array.from(counts), [2, 0, 1, 1]);
    assert.deepEqual(Array.from(edges), [0, 0.25, 0.5, 0.75, 1]);
  });

  it('bins against TensorFlow\'s default edges exactly as the binary search does, on every edge, its neighbours and any scale', () => {
    const edges = tensorflowDefaultBins();
    const random = createRandom(5);
    const values: number[] = [0, -0, NaN, Infinity, -Infinity, 1e-300, -1e-300, 5e-324, -5e-324, 1e30, -1e30];
    for (const e of edges) values.push(e, e * (1 + 2 ** -52), e * (1 - 2 ** -52), e * 1.05);
    for (let i = 0; i < 20000; i++) values.push((random() < 0.5 ? -1 : 1) * 10 ** (random() * 34 - 14));
    for (let i = 0; i < 20000; i++) values.push(Math.fround((random() - 0.5) * 0.2)); // weights and gradients
    const searched = edgesHistogram(values, edges);
    assert.deepEqual(Array.from(edgesHistogram(values, edges, () => 0)), Array.from(searched), 'a bad guess only costs time');
    // makeHistogram takes the guessed path for 'tensorflow' and the binary search for the same edges given explicitly.
    const finite = Float64Array.from(values.filter((x) => !Number.isNaN(x)));
    assert.deepEqual(makeHistogram(finite, 'tensorflow'), makeHistogram(finite, Array.from(edges)));
  });
});

const NUMPY_SUM = -17580.121075633564;
const NUMPY_DOT_9999 = 13715026588.410326;
