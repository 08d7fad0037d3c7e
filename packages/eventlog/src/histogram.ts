import { eventlogError } from './errors.ts';
import { edgesHistogram, pairwiseSum, sumOfSquares, uniformHistogram } from './numpy.ts';
import type { HistogramProto } from './proto/messages.ts';

/** How to bin a histogram: `'tensorflow'` (TensorFlow's exponential edges), a bin count, or explicit edges. */
export type HistogramBins = 'tensorflow' | number | ArrayLike<number>;

let tensorflowBins: Float64Array | undefined;

/**
 * torch's `SummaryWriter.default_bins` (TensorFlow's histogram edges): ±1e-12·1.1^k for k ≥ 0 while below 1e20,
 * computed by repeated float64 multiplication exactly as Python does, mirrored around 0 — 1549 edges.
 */
export function tensorflowDefaultBins(): Float64Array {
  if (tensorflowBins) return tensorflowBins;
  const pos: number[] = [];
  for (let v = 1e-12; v < 1e20; v *= 1.1) pos.push(v);
  const out = new Float64Array(pos.length * 2 + 1);
  for (let i = 0; i < pos.length; i++) {
    out[pos.length - 1 - i] = -pos[i];
    out[pos.length + 1 + i] = pos[i];
  }
  tensorflowBins = out;
  return out;
}

const TENSORFLOW_POSITIVE_EDGES = 774; // 1e-12·1.1^k for k = 0 … 773
const LOG_1_1 = Math.log(1.1);

/**
 * The bin of `x` among {@link tensorflowDefaultBins}, give or take one: k = ⌊log₁.₁(|x| / 1e-12)⌋ locates ±1e-12·1.1^k.
 * Only a starting point for `edgesHistogram`, which checks it against the edges (the repeated products drift from
 * the logarithm's values by a few ulps).
 */
function tensorflowBinGuess(x: number): number {
  if (x === 0) return TENSORFLOW_POSITIVE_EDGES;
  const k = Math.floor(Math.log(Math.abs(x) / 1e-12) / LOG_1_1);
  return x > 0 ? TENSORFLOW_POSITIVE_EDGES + 1 + k : TENSORFLOW_POSITIVE_EDGES - 2 - k;
}

/**
 * Build a `HistogramProto` the way torch 1.13's `make_histogram` does: `np.histogram(values as float64, bins)`,
 * optional down-sampling to `maxBins`, then the support trimmed to the non-empty bins with one empty bin in front
 * (TensorBoard stores right edges only, so that bin's edge is the left edge of the first non-empty bin).
 * `min`/`max`/`sum`/`sumSquares` are float64 like NumPy's (`sum` pairwise, `sumSquares` in OpenBLAS `ddot` order).
 */
export function makeHistogram(values: ArrayLike<number>, bins: HistogramBins = 'tensorflow', maxBins?: number): HistogramProto {
  const n = values.length;
  if (n === 0) throw eventlogError('EVENTLOG_EMPTY_HISTOGRAM', 'histogram of 0 values', 'at least one value', 'skip add_histogram for empty tensors');
  const a = values instanceof Float64Array ? values : Float64Array.from(values);
  let counts: Float64Array;
  let limits: Float64Array;
  if (typeof bins === 'number') {
    if (!Number.isInteger(bins) || bins < 1) {
      throw eventlogError('EVENTLOG_BAD_BINS', `bins ${bins}`, "a positive integer, 'tensorflow' or increasing edges", 'fix the bins argument');
    }
    let lo = Infinity;
    let hi = -Infinity;
    for (let i = 0; i < n; i++) {
      const x = a[i];
      if (Number.isNaN(x)) {
        lo = hi = NaN;
        break;
      }
      if (x < lo) lo = x;
      if (x > hi) hi = x;
    }
    if (!Number.isFinite(lo) || !Number.isFinite(hi)) {
      throw eventlogError(
        'EVENTLOG_NONFINITE_HISTOGRAM',
        `histogram values span [${lo}, ${hi}]`,
        'finite values when bins is a count (NumPy autodetects the range)',
        "drop NaN/Inf values first or pass explicit edges / bins: 'tensorflow'",
      );
    }
    ({ counts, edges: limits } = uniformHistogram(a, bins, lo, hi));
  } else {
    const edges = bins === 'tensorflow' ? tensorflowDefaultBins() : Float64Array.from(bins);
    for (let i = 1; i < edges.length; i++) {
      if (!(edges[i - 1] <= edges[i])) {
        throw eventlogError('EVENTLOG_BAD_BINS', `bin edges decrease at index ${i} (${edges[i - 1]} > ${edges[i]})`, 'increasing edges', 'sort the edges');
      }
    }
    if (edges.length < 2) throw eventlogError('EVENTLOG_BAD_BINS', `${edges.length} bin edge(s)`, 'at least 2', 'pass more edges');
    counts = edgesHistogram(a, edges, bins === 'tensorflow' ? tensorflowBinGuess : undefined);
    limits = edges;
  }
  if (maxBins !== undefined && counts.length > maxBins) ({ counts, limits } = subsample(counts, limits, maxBins));

  let start = -1;
  let last = -1;
  for (let i = 0; i < counts.length; i++) {
    if (counts[i] > 0) {
      if (start < 0) start = i;
      last = i;
    }
  }
  if (start < 0) {
    throw eventlogError(
      'EVENTLOG_EMPTY_HISTOGRAM',
      'every value falls outside the bin edges',
      'at least one value inside them',
      "widen the edges or use bins: 'tensorflow'",
    );
  }
  const end = last + 1;
  const bucket = start > 0 ? Array.from(counts.subarray(start - 1, end)) : [0, ...counts.subarray(0, end)];
  const bucketLimit = Array.from(limits.subarray(start, end + 1));

  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < n; i++) {
    const x = a[i];
    // np.min/np.max propagate NaN.
    if (x < min || Number.isNaN(x)) min = x;
    if (x > max || Number.isNaN(x)) max = x;
    if (Number.isNaN(x)) break;
  }
  return { min, max, num: n, sum: pairwiseSum(a), sumSquares: sumOfSquares(a), bucketLimit, bucket };
}

// torch's max_bins: sum groups of `floor(n / maxBins)` bins, padding the last group with zeros.
function subsample(counts: Float64Array, limits: Float64Array, maxBins: number): { counts: Float64Array; limits: Float64Array } {
  const k = Math.floor(counts.length / maxBins);
  const groups = Math.ceil(counts.length / k);
  const out = new Float64Array(groups);
  for (let i = 0; i < counts.length; i++) out[Math.floor(i / k)] += counts[i];
  const newLimits = new Float64Array(groups + 1);
  for (let g = 0; g < groups; g++) newLimits[g] = limits[g * k];
  newLimits[groups] = limits[limits.length - 1];
  return { counts: out, limits: newLimits };
}
