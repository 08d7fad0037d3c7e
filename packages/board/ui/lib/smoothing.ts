/**
 * TensorBoard's scalar smoothing (its `classicSmoothing` in line_chart_v2/data_transformer.ts): a debiased exponential
 * moving average. A constant series is returned as is; a non-finite value passes through unsmoothed and does not enter
 * the average; the weight is clamped to [0, 1] (non-finite → 0); at weight 1 there is no debiasing.
 */
export function smoothEma(values: ArrayLike<number>, weight: number): Float64Array {
  const w = Number.isFinite(weight) ? Math.max(0, Math.min(1, weight)) : 0;
  const out = new Float64Array(values.length);
  if (values.length === 0) return out;
  const first = values[0]!;
  let constant = true;
  for (let i = 1; i < values.length; i++) {
    if (values[i] != first) { constant = false; break; }
  }
  if (constant) {
    out.set(Array.from(values));
    return out;
  }
  let last = 0;
  let n = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (!Number.isFinite(v)) {
      out[i] = v;
      continue;
    }
    last = last * w + (1 - w) * v;
    n++;
    out[i] = w === 1 ? last : last / (1 - Math.pow(w, n));
  }
  return out;
}
