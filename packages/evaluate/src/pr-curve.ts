import { evaluateError } from './errors.ts';

/** torch caps `num_thresholds` at 127 (summary.py: "value > 127 breaks protobuf"); so do we, silently, like torch. */
export const MAX_PR_THRESHOLDS = 127;

/** `add_pr_curve`'s default `num_thresholds`. */
export const DEFAULT_PR_THRESHOLDS = 127;

/** torch's `_MINIMUM_COUNT`: the floor of the precision and recall denominators. */
const MINIMUM_COUNT = 1e-7;

/** np.histogram accumulates weights per block of this many values (numpy/lib/histograms.py `_range_block`). */
const NUMPY_HISTOGRAM_BLOCK = 65536;

/**
 * One precision–recall curve as TensorBoard's `pr_curves` plugin stores it: six rows of `numThresholds` values,
 * threshold `i` being `i / (numThresholds - 1)`. Rows are float64, as torch computes them; the event file holds them
 * narrowed to float32 ({@link prCurveTensor}).
 */
export interface PrCurve {
  numThresholds: number;
  truePositives: Float64Array;
  falsePositives: Float64Array;
  trueNegatives: Float64Array;
  falseNegatives: Float64Array;
  precision: Float64Array;
  recall: Float64Array;
}

/** `min(numThresholds, 127)`, rejecting values TensorBoard cannot plot (not an integer, or below 2). */
export function clampThresholds(numThresholds: number): number {
  if (!Number.isInteger(numThresholds) || numThresholds < 2) {
    throw evaluateError('EVALUATE_THRESHOLDS', `numThresholds ${numThresholds}`, 'an integer ≥ 2 (at most 127 are used)', 'use the default 127');
  }
  return Math.min(numThresholds, MAX_PR_THRESHOLDS);
}

/**
 * torch's `compute_curve` (torch/utils/tensorboard/summary.py), the computation behind `add_pr_curve`: each
 * prediction goes to bucket `floor(p * (N - 1))`, computed in the prediction's own precision (a `Float32Array` is
 * multiplied in float32, like a float32 tensor; anything else in float64, like a float64 NumPy array); the buckets
 * are histogrammed weighted by `label` and `1 - label`; reverse cumulative sums give TP and FP per threshold.
 * Predictions outside [0, 1] (and NaN) fall outside the histogram's range and are dropped, as in torch.
 * `numThresholds` is capped at 127.
 * @param labels truth per prediction: booleans or 0/1 (other numbers act as torch's float weights).
 * @example computePrCurve([true, false, true, false, false], new Float32Array([0.8, 0.2, 0.3, 0.1, 0.1]))
 */
export function computePrCurve(
  labels: ArrayLike<number | boolean>,
  predictions: ArrayLike<number>,
  numThresholds: number = DEFAULT_PR_THRESHOLDS,
): PrCurve {
  const n = predictions.length;
  if (labels.length !== n) {
    throw evaluateError('EVALUATE_PR_LENGTH', `${labels.length} labels for ${n} predictions`, 'one label per prediction', 'pass arrays of equal length');
  }
  const thresholds = clampThresholds(numThresholds);
  const scale = thresholds - 1;
  const float32 = predictions instanceof Float32Array;
  const tpBuckets = new Float64Array(thresholds);
  const fpBuckets = new Float64Array(thresholds);
  // Integral weights (booleans, 0/1) sum exactly in any order; general weights are summed block by block as NumPy does.
  const tpBlock = new Float64Array(thresholds);
  const fpBlock = new Float64Array(thresholds);
  for (let start = 0; start < n; start += NUMPY_HISTOGRAM_BLOCK) {
    tpBlock.fill(0);
    fpBlock.fill(0);
    const end = Math.min(n, start + NUMPY_HISTOGRAM_BLOCK);
    for (let i = start; i < end; i++) {
      const scaled = float32 ? Math.fround(predictions[i] * scale) : predictions[i] * scale;
      const bucket = Math.floor(scaled);
      // np.int32 of NaN/±Inf is INT32_MIN, outside the range like every bucket < 0 or > N - 1: dropped.
      if (!(bucket >= 0 && bucket <= scale)) continue;
      const label = Number(labels[i]);
      tpBlock[bucket] += label;
      fpBlock[bucket] += 1 - label;
    }
    for (let b = 0; b < thresholds; b++) {
      tpBuckets[b] += tpBlock[b];
      fpBuckets[b] += fpBlock[b];
    }
  }
  return finishCurve(tpBuckets, fpBuckets);
}

/**
 * One-vs-rest PR curves for every class in a single pass over the predictions, exactly as the tutorial's
 * `add_pr_curve(classes[i], test_label == i, test_probs[:, i], global_step=0)` computes them for each `i`.
 * @param labels true class per row, in [0, classCount).
 * @param probabilities rows × classCount float32 probabilities, row-major.
 * @returns one curve per class, in class order.
 */
export function computeClassPrCurves(
  labels: Uint8Array,
  probabilities: Float32Array,
  classCount: number,
  numThresholds: number = DEFAULT_PR_THRESHOLDS,
): PrCurve[] {
  const n = labels.length;
  if (probabilities.length !== n * classCount) {
    throw evaluateError(
      'EVALUATE_PR_LENGTH',
      `${probabilities.length} probabilities for ${n} labels`,
      `${classCount} per label (${n * classCount})`,
      'pass a rows × classes probability matrix',
    );
  }
  const thresholds = clampThresholds(numThresholds);
  const scale = thresholds - 1;
  // Counts per (class, bucket): all buckets of all positives, then of all predictions (FP = all - TP).
  const positives = new Int32Array(classCount * thresholds);
  const all = new Int32Array(classCount * thresholds);
  for (let i = 0, row = 0; i < n; i++, row += classCount) {
    const label = labels[i];
    for (let c = 0; c < classCount; c++) {
      // p is a float32 and scale < 2^7, so the double product is exact and fround gives the float32 product.
      const bucket = Math.floor(Math.fround(probabilities[row + c] * scale));
      if (!(bucket >= 0 && bucket <= scale)) continue;
      all[c * thresholds + bucket]++;
      if (c === label) positives[c * thresholds + bucket]++;
    }
  }
  const curves: PrCurve[] = [];
  for (let c = 0; c < classCount; c++) {
    const tp = new Float64Array(thresholds);
    const fp = new Float64Array(thresholds);
    for (let b = 0; b < thresholds; b++) {
      tp[b] = positives[c * thresholds + b];
      fp[b] = all[c * thresholds + b] - tp[b];
    }
    curves.push(finishCurve(tp, fp));
  }
  return curves;
}

/** Reverse cumulative sums of the bucket counts, then TN, FN, precision and recall, in torch's order of operations. */
function finishCurve(tpBuckets: Float64Array, fpBuckets: Float64Array): PrCurve {
  const n = tpBuckets.length;
  const truePositives = new Float64Array(n);
  const falsePositives = new Float64Array(n);
  let tpSum = 0;
  let fpSum = 0;
  for (let i = n - 1; i >= 0; i--) {
    truePositives[i] = tpSum += tpBuckets[i];
    falsePositives[i] = fpSum += fpBuckets[i];
  }
  const trueNegatives = new Float64Array(n);
  const falseNegatives = new Float64Array(n);
  const precision = new Float64Array(n);
  const recall = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const tp = truePositives[i];
    trueNegatives[i] = falsePositives[0] - falsePositives[i];
    falseNegatives[i] = truePositives[0] - tp;
    precision[i] = tp / Math.max(MINIMUM_COUNT, tp + falsePositives[i]);
    recall[i] = tp / Math.max(MINIMUM_COUNT, tp + falseNegatives[i]);
  }
  return { numThresholds: n, truePositives, falsePositives, trueNegatives, falseNegatives, precision, recall };
}

/**
 * The curve as the event file stores it: a [6, N] float32 tensor, rows TP, FP, TN, FN, precision, recall
 * (row-major), i.e. torch's `np.stack(...)` narrowed to `float_val`.
 */
export function prCurveTensor(curve: PrCurve): Float32Array {
  const n = curve.numThresholds;
  const out = new Float32Array(6 * n);
  const rows = [curve.truePositives, curve.falsePositives, curve.trueNegatives, curve.falseNegatives, curve.precision, curve.recall];
  rows.forEach((row, r) => out.set(row, r * n));
  return out;
}
