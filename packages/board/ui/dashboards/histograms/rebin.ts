/**
 * TensorBoard draws histograms re-binned onto one uniform grid per chart (its `vz_histogram_timeseries` uses 30
 * bins), so that steps with different bucket edges (TensorFlow's exponential edges, trimmed per step) line up.
 * A bucket's count is spread over the grid bins it overlaps, in proportion to the overlap (uniform density inside a
 * bucket, as TensorBoard assumes).
 */

/** A histogram on a shared uniform grid. */
export interface RebinnedStep {
  step: number;
  wallTime: number;
  /** counts[i] belongs to [min + i·width, min + (i+1)·width). */
  counts: Float64Array;
}

/** The grid and the re-binned steps of one run × tag. */
export interface RebinnedSeries {
  min: number;
  max: number;
  binWidth: number;
  steps: RebinnedStep[];
  /** Largest count of any bin of any step (the y scale). */
  maxCount: number;
}

/** Re-bins every step of a `/histograms` response onto `bins` uniform bins spanning all steps' range. */
export function rebinSeries(series: readonly [number, number, readonly (readonly [number, number, number])[]][], bins = 30): RebinnedSeries {
  let min = Infinity;
  let max = -Infinity;
  for (const [, , buckets] of series) {
    for (const [left, right] of buckets) {
      if (left < min) min = left;
      if (right > max) max = right;
    }
  }
  if (!(min < max)) {
    // One value everywhere (e.g. a zero-initialised bias): a unit-wide grid around it.
    const c = Number.isFinite(min) ? min : 0;
    min = c - 0.5;
    max = c + 0.5;
  }
  const binWidth = (max - min) / bins;
  let maxCount = 0;
  const steps = series.map(([wallTime, step, buckets]) => {
    const counts = new Float64Array(bins);
    for (const [left, right, count] of buckets) {
      if (count === 0) continue;
      if (!(right > left)) {
        counts[Math.min(bins - 1, Math.max(0, Math.floor((left - min) / binWidth)))]! += count;
        continue;
      }
      const first = Math.max(0, Math.floor((left - min) / binWidth));
      const last = Math.min(bins - 1, Math.floor((right - min) / binWidth));
      for (let i = first; i <= last; i++) {
        const lo = Math.max(left, min + i * binWidth);
        const hi = Math.min(right, min + (i + 1) * binWidth);
        if (hi > lo) counts[i]! += (count * (hi - lo)) / (right - left);
      }
    }
    for (const c of counts) if (c > maxCount) maxCount = c;
    return { step, wallTime, counts };
  });
  return { min, max, binWidth, steps, maxCount };
}
