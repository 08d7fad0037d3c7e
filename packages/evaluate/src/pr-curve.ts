import { checkThresholds, DEFAULT_PR_THRESHOLDS, prCurveFromBuckets, type PrCurveRows } from '@tbpipe/eventlog';
import { evaluateError } from './errors.ts';

/**
 * One precision–recall curve as TensorBoard's `pr_curves` plugin stores it: six float64 rows of `numThresholds`
 * values, threshold `i` being `i / (numThresholds - 1)` (eventlog's `computePrCurve` rule, torch's `compute_curve`).
 */
export type PrCurve = PrCurveRows & { numThresholds: number };

/**
 * One-vs-rest PR curves for every class in a single pass over the predictions, exactly as the tutorial's
 * `add_pr_curve(classes[i], test_label == i, test_probs[:, i], global_step=0)` computes them for each `i` (eventlog's
 * `computePrCurve`, which a test compares against): each float32 probability goes to bucket `floor(p · (N - 1))`,
 * counted per class, and eventlog's `prCurveFromBuckets` finishes each curve. `numThresholds` is capped at 127.
 * @param labels true class per row, in [0, classCount).
 * @param probabilities rows × classCount float32 probabilities, row-major.
 * @returns one curve per class, in class order.
 */
export function computeClassPrCurves(
  labels: ArrayLike<number>,
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
  const thresholds = checkThresholds(numThresholds);
  const scale = thresholds - 1;
  // Counts per (class, bucket): all buckets of all positives, then of all predictions (FP = all - TP). 0/1 labels
  // sum exactly, so integer counts equal torch's float64 histogram sums.
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
    curves.push({ ...prCurveFromBuckets(tp, fp), numThresholds: thresholds });
  }
  return curves;
}
