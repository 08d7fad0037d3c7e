// Float64 reductions and histogram binning that reproduce NumPy 1.24 bit for bit, because torch's summaries are
// computed with NumPy and TensorBoard users compare our numbers with theirs. Each function names the NumPy code path
// it mirrors; the order of floating-point operations is the whole point, so don't "simplify" the loops.

/** NumPy's reduction buffer: `np.sum` adds the pairwise sums of consecutive 8192-element blocks. */
const REDUCE_BLOCK = 8192;

/**
 * `np.sum` of a contiguous float64 array: the block-wise accumulation of `pairwise_sum` (numpy/core/src/umath/
 * loops_utils.h: 8 accumulators up to 128 elements, halving above that).
 */
export function pairwiseSum(values: ArrayLike<number>): number {
  let acc = 0;
  for (let i = 0; i < values.length; i += REDUCE_BLOCK) {
    acc += pairwise(values, i, Math.min(REDUCE_BLOCK, values.length - i));
  }
  return acc;
}

function pairwise(a: ArrayLike<number>, lo: number, n: number): number {
  if (n < 8) {
    let r = 0;
    for (let i = 0; i < n; i++) r += a[lo + i];
    return r;
  }
  if (n <= 128) {
    let r0 = a[lo], r1 = a[lo + 1], r2 = a[lo + 2], r3 = a[lo + 3];
    let r4 = a[lo + 4], r5 = a[lo + 5], r6 = a[lo + 6], r7 = a[lo + 7];
    const end = n - (n % 8);
    let i = 8;
    for (; i < end; i += 8) {
      r0 += a[lo + i];
      r1 += a[lo + i + 1];
      r2 += a[lo + i + 2];
      r3 += a[lo + i + 3];
      r4 += a[lo + i + 4];
      r5 += a[lo + i + 5];
      r6 += a[lo + i + 6];
      r7 += a[lo + i + 7];
    }
    let res = (r0 + r1 + (r2 + r3)) + (r4 + r5 + (r6 + r7));
    for (; i < n; i++) res += a[lo + i];
    return res;
  }
  let n2 = Math.floor(n / 2);
  n2 -= n2 % 8;
  return pairwise(a, lo, n2) + pairwise(a, lo + n2, n - n2);
}

/**
 * `values.dot(values)` as NumPy computes it through OpenBLAS's `ddot` on an AVX-512 CPU (SkylakeX kernel, what
 * Debian's OpenBLAS picks on current Xeon/EPYC servers and what the golden corpus agrees with): blocks of 32 into four
 * 8-wide accumulators, folded to four 4-wide ones, the rest of the 16-aligned prefix 16 at a time, a fixed reduction,
 * then the last n mod 16 in order. Squares of float32-derived values are exact in float64, so FMA versus
 * multiply-add makes no difference for them.
 * N.B. the last bits of torch's own `sum_squares` depend on the CPU (OpenBLAS's Haswell/Zen kernel sums in another
 * order) and, above 10 000 values, on the thread count; they are not reproducible across machines even in PyTorch.
 */
export function sumOfSquares(values: ArrayLike<number>): number {
  const n = values.length;
  const n16 = n - (n % 16);
  const n32 = n16 - (n16 % 32);
  let dot = 0;
  if (n16 > 0) {
    const z = new Float64Array(32);
    let i = 0;
    for (; i < n32; i += 32) {
      for (let j = 0; j < 32; j++) {
        const x = values[i + j];
        z[j] += x * x;
      }
    }
    // Fold each 8-wide accumulator k into 4 lanes: a[k][j] = z[8k + j] + z[8k + 4 + j].
    const a = new Float64Array(16);
    for (let k = 0; k < 4; k++) for (let j = 0; j < 4; j++) a[4 * k + j] = z[8 * k + j] + z[8 * k + 4 + j];
    for (; i < n16; i += 16) {
      for (let j = 0; j < 16; j++) {
        const x = values[i + j];
        a[j] += x * x;
      }
    }
    const lane = (j: number) => a[j] + a[4 + j] + a[8 + j] + a[12 + j];
    const l0 = lane(0), l1 = lane(1), l2 = lane(2), l3 = lane(3);
    dot = (l0 + l2) + (l1 + l3);
  }
  for (let i = n16; i < n; i++) dot += values[i] * values[i];
  return dot;
}

/** `np.linspace(start, stop, num)` (endpoint=True) in float64: `i * step + start`, last element exactly `stop`. */
export function linspace(start: number, stop: number, num: number): Float64Array {
  const out = new Float64Array(num);
  const div = num - 1;
  const delta = stop - start;
  const step = delta / div;
  for (let i = 0; i < num; i++) out[i] = step === 0 ? (i / div) * delta + start : i * step + start;
  if (num > 1) out[num - 1] = stop;
  return out;
}

/**
 * `np.histogram(a, bins=nBins, range=[first, last], weights)` — NumPy's equal-width fast path: values outside
 * [first, last] (and NaN) are dropped, the index is `trunc((x - first) * nBins / (last - first))` corrected by one
 * against the `linspace` edges, and the last bin is closed. Counts are accumulated in input order (np.bincount).
 */
export function uniformHistogram(
  a: ArrayLike<number>,
  nBins: number,
  first: number,
  last: number,
  weights?: ArrayLike<number>,
): { counts: Float64Array; edges: Float64Array } {
  if (first === last) {
    first -= 0.5;
    last += 0.5;
  }
  const edges = linspace(first, last, nBins + 1);
  const counts = new Float64Array(nBins);
  const norm = nBins / (last - first);
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    if (!(x >= first && x <= last)) continue;
    let idx = Math.trunc((x - first) * norm);
    if (idx === nBins) idx -= 1;
    if (x < edges[idx]) idx -= 1;
    else if (idx !== nBins - 1 && x >= edges[idx + 1]) idx += 1;
    counts[idx] += weights === undefined ? 1 : weights[i];
  }
  return { counts, edges };
}

/**
 * `np.histogram(a, bins=edges)` for explicit, increasing edges: bin i holds `edges[i] ≤ x < edges[i+1]`, the last
 * bin is closed, values outside (and NaN) are dropped.
 * @param guess optional first guess of a value's bin (any integer): the bin is then found by stepping from it against
 *   the edges themselves instead of by binary search, so the counts are the same whatever it returns; a guess off by
 *   at most one or two bins makes it several times faster (see `tensorflowBinGuess`).
 */
export function edgesHistogram(a: ArrayLike<number>, edges: ArrayLike<number>, guess?: (x: number) => number): Float64Array {
  const nBins = edges.length - 1;
  const counts = new Float64Array(nBins);
  const lastEdge = edges[nBins];
  for (let i = 0; i < a.length; i++) {
    const x = a[i];
    if (!(x >= edges[0] && x <= lastEdge)) continue;
    if (x === lastEdge) {
      counts[nBins - 1] += 1;
      continue;
    }
    // Largest i with edges[i] <= x (then edges[i + 1] > x, since x < lastEdge).
    let lo: number;
    if (guess) {
      lo = Math.min(Math.max(guess(x), 0), nBins - 1);
      while (edges[lo] > x) lo -= 1;
      while (edges[lo + 1] <= x) lo += 1;
    } else {
      lo = 0;
      let hi = nBins;
      while (hi - lo > 1) {
        const mid = (lo + hi) >>> 1;
        if (edges[mid] <= x) lo = mid;
        else hi = mid;
      }
    }
    counts[lo] += 1;
  }
  return counts;
}
