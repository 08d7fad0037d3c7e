import { formatFixed1 } from '@tbpipe/core';
import { evaluateError } from './errors.ts';

/** What {@link computeMetrics} needs: one row per test image. */
export interface MetricsInput {
  /** True class per row, in [0, classNames.length). */
  labels: ArrayLike<number>;
  /** Predicted class per row (argmax of the logits). */
  predicted: ArrayLike<number>;
  /** rows × classes softmax probabilities (scores for average precision). */
  probabilities: Float32Array;
  /**
   * rows × classes logits, for the loss (`logsumexp(z) - z[label]`, exact even where a float32 probability
   * underflows to 0). Without them the loss is `-log(p[label])` with p floored at the smallest positive double.
   */
  logits?: Float32Array;
  classNames: readonly string[];
}

/** Metrics of one class, one-vs-rest. Ratios are in [0, 1]; a ratio with a zero denominator is 0 (never NaN). */
export interface ClassMetrics {
  /** Class index. */
  class: number;
  name: string;
  /** Test images of this class. */
  support: number;
  /** Of those, predicted correctly. */
  correct: number;
  /** `correct / support`: the tutorial's "Accuracy for class: X is Y %" (as a fraction; equal to recall). */
  accuracy: number;
  /** Correct / all predicted as this class. */
  precision: number;
  recall: number;
  /** Harmonic mean of precision and recall. */
  f1: number;
  /**
   * Average precision of the class's probability as a score: Σ (Rₖ − Rₖ₋₁)·Pₖ over the distinct scores, highest
   * first (scikit-learn's `average_precision_score`, no interpolation). `null` when the class has no test images.
   */
  averagePrecision: number | null;
}

/** `metrics.json`. Deterministic: the same predictions give the same bytes. */
export interface Metrics {
  /** Test images evaluated. */
  count: number;
  /** Correct predictions / count, in [0, 1]. */
  accuracy: number;
  /** Mean cross-entropy (natural log) over the test images: the tutorial's training loss, on the test split. */
  loss: number;
  classNames: string[];
  perClass: ClassMetrics[];
  /** Unweighted means over the classes (`averagePrecision` over the classes that have test images). */
  macro: { precision: number; recall: number; f1: number; averagePrecision: number | null };
  /** `confusionMatrix[trueClass][predictedClass]` = number of test images. */
  confusionMatrix: number[][];
}

const ratio = (a: number, b: number) => (b === 0 ? 0 : a / b);
/** Equality under which NaN scores (sorted last, i.e. swept first) form one tie group instead of looping forever. */
const same = (a: number, b: number) => a === b || (a !== a && b !== b);
const mean = (xs: readonly number[]) => (xs.length === 0 ? 0 : xs.reduce((s, x) => s + x, 0) / xs.length);

/** `matrix[trueClass][predictedClass]`: how many rows have that (label, prediction) pair. */
export function computeConfusionMatrix(labels: ArrayLike<number>, predicted: ArrayLike<number>, classCount: number): number[][] {
  const flat = new Uint32Array(classCount * classCount);
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    const p = predicted[i];
    if (y >= classCount || p >= classCount) {
      const [what, value] = y >= classCount ? ['label', y] : ['prediction', p];
      throw evaluateError('EVALUATE_CLASS_RANGE', `${what} ${value} at row ${i}`, `a class in [0, ${classCount})`, 'check that the model and the test set have the same classes');
    }
    flat[y * classCount + p]++;
  }
  return Array.from({ length: classCount }, (_, r) => Array.from(flat.subarray(r * classCount, (r + 1) * classCount)));
}

/**
 * Average precision of `scores` for the rows whose `positive` flag is set (see {@link ClassMetrics.averagePrecision}).
 * Tied scores form one threshold. `null` when there is no positive row.
 */
export function computeAveragePrecision(scores: Float32Array, positive: (row: number) => boolean): number | null {
  const all = Float32Array.from(scores);
  const positives: number[] = [];
  for (let i = 0; i < scores.length; i++) if (positive(i)) positives.push(scores[i]);
  if (positives.length === 0) return null;
  const pos = Float32Array.from(positives);
  // Ascending native sorts, swept from the top: the thresholds are the distinct scores, highest first.
  all.sort();
  pos.sort();
  let ap = 0;
  let previousRecall = 0;
  let i = all.length - 1;
  let j = pos.length - 1;
  while (i >= 0) {
    const threshold = all[i];
    while (i >= 0 && same(all[i], threshold)) i--;
    while (j >= 0 && same(pos[j], threshold)) j--;
    const predictedPositive = all.length - 1 - i;
    const truePositive = pos.length - 1 - j;
    const recall = truePositive / pos.length;
    ap += (recall - previousRecall) * (truePositive / predictedPositive);
    previousRecall = recall;
  }
  return ap;
}

/** Mean softmax cross-entropy of the rows, in float64. */
function meanLoss(input: MetricsInput, classCount: number): number {
  const { labels, logits, probabilities } = input;
  let sum = 0;
  for (let i = 0, row = 0; i < labels.length; i++, row += classCount) {
    if (logits) {
      let max = -Infinity;
      for (let c = 0; c < classCount; c++) max = Math.max(max, logits[row + c]);
      let exp = 0;
      for (let c = 0; c < classCount; c++) exp += Math.exp(logits[row + c] - max);
      sum += Math.log(exp) + max - logits[row + labels[i]];
    } else {
      sum -= Math.log(Math.max(probabilities[row + labels[i]], Number.MIN_VALUE));
    }
  }
  return ratio(sum, labels.length);
}

/**
 * Overall accuracy and loss; per-class accuracy, precision, recall, F1 and average precision; the confusion matrix.
 * @example
 * const m = computeMetrics({ labels, predicted, probabilities, logits, classNames });
 * console.log(m.accuracy, m.perClass[0].accuracy);
 */
export function computeMetrics(input: MetricsInput): Metrics {
  const { labels, predicted, probabilities, logits, classNames } = input;
  const classCount = classNames.length;
  const n = labels.length;
  if (predicted.length !== n || probabilities.length !== n * classCount || (logits && logits.length !== n * classCount)) {
    throw evaluateError(
      'EVALUATE_METRICS_SHAPE',
      `${n} labels, ${predicted.length} predictions, ${probabilities.length} probabilities${logits ? `, ${logits.length} logits` : ''}`,
      `one prediction and ${classCount} probabilities${logits ? ' and logits' : ''} per label`,
      'pass arrays from the same rows',
    );
  }
  const confusionMatrix = computeConfusionMatrix(labels, predicted, classCount);
  const column = new Float32Array(n);
  const perClass: ClassMetrics[] = classNames.map((name, c) => {
    const support = confusionMatrix[c].reduce((s, x) => s + x, 0);
    const correct = confusionMatrix[c][c];
    const predictedAs = confusionMatrix.reduce((s, row) => s + row[c], 0);
    const precision = ratio(correct, predictedAs);
    const recall = ratio(correct, support);
    for (let i = 0; i < n; i++) column[i] = probabilities[i * classCount + c];
    return {
      class: c,
      name,
      support,
      correct,
      accuracy: recall,
      precision,
      recall,
      f1: ratio(2 * precision * recall, precision + recall),
      averagePrecision: computeAveragePrecision(column, (i) => labels[i] === c),
    };
  });
  const aps = perClass.map((m) => m.averagePrecision).filter((x): x is number => x !== null);
  const correct = perClass.reduce((s, m) => s + m.correct, 0);
  return {
    count: n,
    accuracy: ratio(correct, n),
    loss: meanLoss(input, classCount),
    classNames: [...classNames],
    perClass,
    macro: {
      precision: mean(perClass.map((m) => m.precision)),
      recall: mean(perClass.map((m) => m.recall)),
      f1: mean(perClass.map((m) => m.f1)),
      averagePrecision: aps.length === 0 ? null : mean(aps),
    },
    confusionMatrix,
  };
}

/** Python's `'{:5s}'.format(name)`: left-aligned, padded to at least 5 characters. */
const pad5 = (name: string) => name.padEnd(5);

/** The tutorial's lines, e.g. `Accuracy for class: T-shirt/top is 86.2 %`, one per class. */
export function describeClassAccuracy(metrics: Metrics): string[] {
  return metrics.perClass.map((m) => `Accuracy for class: ${pad5(m.name)} is ${formatFixed1(100 * m.accuracy)} %`);
}

/** Escape what would break a Markdown table cell. */
const cell = (text: string) => text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\n/g, ' ');
const percent = (x: number | null) => (x === null ? '–' : `${formatFixed1(100 * x)} %`);

/**
 * The per-class table shown in TensorBoard's TEXT tab: overall accuracy and loss, then one Markdown table row per
 * class (accuracy, precision, recall, F1, average precision as percentages with one decimal, and support).
 */
export function renderMetricsMarkdown(metrics: Metrics): string {
  const lines = [
    `Accuracy of the network on the ${metrics.count} test images: ${percent(metrics.accuracy)} (mean cross-entropy loss ${metrics.loss.toFixed(4)})`,
    '',
    '| class | accuracy | precision | recall | F1 | average precision | test images |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...metrics.perClass.map(
      (m) =>
        `| ${cell(m.name)} | ${percent(m.accuracy)} | ${percent(m.precision)} | ${percent(m.recall)} | ${percent(m.f1)} | ${percent(m.averagePrecision)} | ${m.support} |`,
    ),
    `| **macro average** | | ${percent(metrics.macro.precision)} | ${percent(metrics.macro.recall)} | ${percent(metrics.macro.f1)} | ${percent(metrics.macro.averagePrecision)} | ${metrics.count} |`,
  ];
  return `${lines.join('\n')}\n`;
}
