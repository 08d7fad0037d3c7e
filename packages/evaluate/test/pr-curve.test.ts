import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { checkThresholds, computePrCurve as computeRows, prCurveTensor as rowsTensor } from '@tbpipe/eventlog';
import { computeClassPrCurves, type PrCurve } from '../src/pr-curve.ts';

/** eventlog's `computePrCurve` (the one implementation of torch's rule) with torch's cap on `numThresholds`. */
function computePrCurve(labels: ArrayLike<number | boolean>, predictions: ArrayLike<number>, numThresholds: number): PrCurve {
  const n = checkThresholds(numThresholds);
  return { ...computeRows(labels, predictions, n), numThresholds: n };
}
const prCurveTensor = (curve: PrCurve) => rowsTensor(curve, curve.numThresholds);

interface GoldenCurve {
  tag: string;
  labels: (number | boolean)[];
  labels_dtype: string;
  predictions: number[];
  predictions_dtype: string;
  num_thresholds_requested: number;
  expected: { shape: [number, number]; values: number[][]; plugin_content_hex: string };
}
const golden = JSON.parse(readFileSync(new URL('./fixtures/pr-curve-golden.json', import.meta.url), 'utf8')) as {
  seed_example_test_label: number[];
  curves: GoldenCurve[];
};

/** Inputs typed as torch saw them: float32 tensors as Float32Array, float64 NumPy arrays as plain numbers. */
function typedPredictions(c: GoldenCurve): ArrayLike<number> {
  return c.predictions_dtype === 'torch.float32' ? Float32Array.from(c.predictions) : c.predictions;
}

for (const c of golden.curves) {
  test(`the ${c.tag} curve equals torch's add_pr_curve tensor value for value`, () => {
    const curve = computePrCurve(c.labels, typedPredictions(c), c.num_thresholds_requested);
    const [rows, n] = c.expected.shape;
    assert.equal(rows, 6);
    assert.equal(curve.numThresholds, n);
    const tensor = prCurveTensor(curve);
    const names = ['TP', 'FP', 'TN', 'FN', 'precision', 'recall'];
    for (let r = 0; r < 6; r++) {
      assert.deepEqual(Array.from(tensor.subarray(r * n, (r + 1) * n)), c.expected.values[r], `${names[r]} row`);
    }
  });
}

test('the class-wise single pass gives the same curves as one computePrCurve call per class', () => {
  const random1000 = golden.curves.find((c) => c.tag === 'pr_vectors/random_1000')!;
  // Three classes built from the random vector: p, its complement and a mix, with labels from the golden labels.
  const n = random1000.predictions.length;
  const probabilities = new Float32Array(n * 3);
  const labels = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const p = Math.fround(random1000.predictions[i]);
    probabilities.set([p, Math.fround(1 - p), Math.fround(p * p)], i * 3);
    labels[i] = random1000.labels[i] ? 0 : i % 2 === 0 ? 1 : 2;
  }
  const curves = computeClassPrCurves(labels, probabilities, 3, 127);
  for (let c = 0; c < 3; c++) {
    const column = probabilities.filter((_, k) => k % 3 === c);
    const expected = computePrCurve(Array.from(labels, (y) => y === c), column, 127);
    assert.deepEqual(prCurveTensor(curves[c]), prCurveTensor(expected), `class ${c}`);
  }
});

test("the tutorial's 5-sample example gives precision 1, 1, 0.67, 0.4 at recall 0.5, 1, 1, 1 for class 0", () => {
  // test_label = [0, 1, 0, 2, 1]; test_probs[:, 0] = [0.8, 0.2, 0.3, 0.1, 0.1].
  const testLabel = Uint8Array.from(golden.seed_example_test_label);
  const probabilities = new Float32Array(5 * 3);
  [0.8, 0.2, 0.3, 0.1, 0.1].forEach((p, i) => {
    probabilities[i * 3] = p;
    probabilities[i * 3 + 1] = (1 - p) / 2;
    probabilities[i * 3 + 2] = (1 - p) / 2;
  });
  const [curve] = computeClassPrCurves(testLabel, probabilities, 3, 127);
  const points: [number, number][] = [];
  for (let t = 0; t < 127; t++) {
    const point: [number, number] = [Math.fround(curve.precision[t]), Math.fround(curve.recall[t])];
    const last = points.at(-1);
    if (!last || last[0] !== point[0] || last[1] !== point[1]) points.push(point);
  }
  // Highest threshold with a prediction above it first: 0.8 alone (1/1, recall 1/2), then 0.3 joins (2/2), …
  const visible = points.filter(([p, r]) => p > 0 || r > 0).reverse();
  assert.deepEqual(
    visible.map(([p, r]) => [Number(p.toFixed(2)), Number(r.toFixed(2))]),
    [
      [1, 0.5],
      [1, 1],
      [0.67, 1],
      [0.4, 1],
    ],
  );
});

test('numThresholds above 127 is capped at 127, below 2 is refused with the exact message', () => {
  assert.equal(computePrCurve([true], new Float32Array([0.5]), 500).numThresholds, 127);
  assert.throws(() => computePrCurve([true], new Float32Array([0.5]), 1), {
    message: 'eventlog: numThresholds 1, expected an integer ≥ 2; use the default 127',
  });
});

test('a probability matrix that does not match the labels is refused with the exact message', () => {
  assert.throws(() => computeClassPrCurves(new Uint8Array(3), new Float32Array(20), 10), {
    message: 'evaluate: 20 probabilities for 3 labels, expected 10 per label (30); pass a rows × classes probability matrix',
  });
});

test('each golden curve, logged the way the stage logs it (addPrCurveRaw → prCurveValue), encodes to torch’s event bytes', async () => {
  const { encodeEvent, prCurveValue } = await import('@tbpipe/eventlog');
  for (const c of golden.curves) {
    const curve = computePrCurve(c.labels, typedPredictions(c), c.num_thresholds_requested);
    const { wall_time, event_hex } = c.expected as unknown as { wall_time: number; event_hex: string };
    const event = encodeEvent({ wallTime: wall_time, step: 0, summary: { value: [prCurveValue(c.tag, curve, curve.numThresholds)] } });
    assert.equal(Buffer.from(event).toString('hex'), event_hex, c.tag);
  }
});
