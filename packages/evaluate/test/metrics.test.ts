import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  computeAveragePrecision,
  computeConfusionMatrix,
  computeMetrics,
  describeClassAccuracy,
  renderMetricsMarkdown,
} from '../src/metrics.ts';

/** 3 classes, 8 images: class 0 ×3 (2 right), class 1 ×3 (all right), class 2 ×2 (none right). */
const classNames = ['cat', 'dog', 'bird'];
const labels = Uint8Array.from([0, 0, 0, 1, 1, 1, 2, 2]);
const predicted = Uint8Array.from([0, 0, 1, 1, 1, 1, 0, 1]);
/** Probabilities whose argmax is `predicted`; the winning class gets 0.6, the others 0.2. */
const probabilities = Float32Array.from(Array.from(predicted).flatMap((p) => [0, 1, 2].map((c) => (c === p ? 0.6 : 0.2))));

test('the confusion matrix counts images by [true class][predicted class]', () => {
  assert.deepEqual(computeConfusionMatrix(labels, predicted, 3), [
    [2, 1, 0],
    [0, 3, 0],
    [1, 1, 0],
  ]);
});

test('per-class accuracy, precision, recall and F1 follow from the confusion matrix; a never-predicted class scores 0, not NaN', () => {
  const m = computeMetrics({ labels, predicted, probabilities, classNames });
  assert.equal(m.count, 8);
  assert.equal(m.accuracy, 5 / 8);
  assert.deepEqual(
    m.perClass.map(({ name, support, correct, accuracy, precision, recall, f1 }) => ({ name, support, correct, accuracy, precision, recall, f1 })),
    [
      { name: 'cat', support: 3, correct: 2, accuracy: 2 / 3, precision: 2 / 3, recall: 2 / 3, f1: (2 * (2 / 3) * (2 / 3)) / (4 / 3) },
      { name: 'dog', support: 3, correct: 3, accuracy: 1, precision: 3 / 5, recall: 1, f1: (2 * 0.6) / 1.6 },
      { name: 'bird', support: 2, correct: 0, accuracy: 0, precision: 0, recall: 0, f1: 0 },
    ],
  );
  assert.equal(m.macro.recall, (2 / 3 + 1 + 0) / 3);
  assert.deepEqual(m.classNames, classNames);
});

test("the tutorial's per-class lines read 'Accuracy for class: <name padded to 5> is <x.x> %'", () => {
  const m = computeMetrics({ labels, predicted, probabilities, classNames });
  assert.deepEqual(describeClassAccuracy(m), [
    'Accuracy for class: cat   is 66.7 %',
    'Accuracy for class: dog   is 100.0 %',
    'Accuracy for class: bird  is 0.0 %',
  ]);
});

test('the loss is the mean cross-entropy of the logits, and matches -log(p) when only probabilities are given', () => {
  const logits = Float32Array.from([2, 0, -1, 0, 1, 3]);
  const lbl = Uint8Array.from([0, 2]);
  const softmax = (z: number[]) => z.map((v) => Math.exp(v) / z.reduce((s, x) => s + Math.exp(x), 0));
  const p = Float32Array.from([...softmax([2, 0, -1]), ...softmax([0, 1, 3])]);
  const expected = (-Math.log(softmax([2, 0, -1])[0]) - Math.log(softmax([0, 1, 3])[2])) / 2;
  const withLogits = computeMetrics({ labels: lbl, predicted: Uint8Array.from([0, 2]), probabilities: p, logits, classNames });
  const withoutLogits = computeMetrics({ labels: lbl, predicted: Uint8Array.from([0, 2]), probabilities: p, classNames });
  assert.ok(Math.abs(withLogits.loss - expected) < 1e-12);
  assert.ok(Math.abs(withoutLogits.loss - expected) < 1e-6);
});

test('average precision is scikit-learn’s step-wise sum, with tied scores as one threshold', () => {
  // sklearn.metrics.average_precision_score([1, 0, 1, 0, 0], [0.8, 0.2, 0.3, 0.1, 0.1]) = 1.0
  assert.equal(computeAveragePrecision(Float32Array.from([0.8, 0.2, 0.3, 0.1, 0.1]), (i) => [0, 2].includes(i)), 1);
  // average_precision_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) = 0.8333…
  assert.equal(computeAveragePrecision(Float32Array.from([0.1, 0.4, 0.35, 0.8]), (i) => i >= 2), 0.5 * 1 + 0.5 * (2 / 3));
  // All tied: one threshold, precision = prevalence.
  assert.equal(computeAveragePrecision(Float32Array.from([0.5, 0.5, 0.5, 0.5]), (i) => i === 0), 0.25);
  assert.equal(computeAveragePrecision(Float32Array.from([0.5, 0.5]), () => false), null);
  // NaN scores form one group instead of hanging the sweep.
  assert.equal(computeAveragePrecision(Float32Array.from([Number.NaN, 0.9, Number.NaN]), (i) => i === 1), 1 / 3);
});

test('a label outside the classes is refused with the exact message', () => {
  assert.throws(() => computeConfusionMatrix(Uint8Array.from([0, 3]), Uint8Array.from([0, 0]), 3), {
    message: 'evaluate: label 3 at row 1, expected a class in [0, 3); check that the model and the test set have the same classes',
  });
});

test('the Markdown table has one row per class, escapes pipes, and ends with the macro average', () => {
  const m = computeMetrics({ labels, predicted, probabilities, classNames: ['a|b', 'dog', 'bird'] });
  // AP of 'a|b': threshold 0.6 → P 2/3 at R 2/3, threshold 0.2 → P 3/8 at R 1: 4/9 + 1/8 = 56.9 %.
  const lines = renderMetricsMarkdown(m).trimEnd().split('\n');
  assert.equal(lines[0], 'Accuracy of the network on the 8 test images: 62.5 % (mean cross-entropy loss ' + m.loss.toFixed(4) + ')');
  assert.equal(lines[2], '| class | accuracy | precision | recall | F1 | average precision | test images |');
  assert.equal(lines[4], '| a\\|b | 66.7 % | 66.7 % | 66.7 % | 66.7 % | 56.9 % | 3 |');
  assert.equal(lines.length, 8);
  assert.match(lines[7], /^\| \*\*macro average\*\* \| \|/);
});
