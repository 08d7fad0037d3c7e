import { eventlogError } from './errors.ts';
import { uniformHistogram } from './numpy.ts';
import { fieldSize, float32Bytes, putDouble, putVarint, varintSize } from './proto/bytes.ts';
import { DataType, type SummaryValue } from './proto/messages.ts';

/** torch 1.13 silently caps `num_thresholds` at 127 (its comment: "value > 127 breaks protobuf"); so do we. */
export const MAX_PR_THRESHOLDS = 127;
/** Default `num_thresholds` of `add_pr_curve`. */
export const DEFAULT_PR_THRESHOLDS = 127;
const MINIMUM_COUNT = 1e-7;

/** The six rows of a PR-curve tensor, each `numThresholds` long (float64 before narrowing to the float32 tensor). */
export interface PrCurveData {
  truePositives: ArrayLike<number>;
  falsePositives: ArrayLike<number>;
  trueNegatives: ArrayLike<number>;
  falseNegatives: ArrayLike<number>;
  precision: ArrayLike<number>;
  recall: ArrayLike<number>;
}

/** {@link PrCurveData} as {@link computePrCurve} returns it: float64 rows, as torch computes them. */
export type PrCurveRows = { [K in keyof PrCurveData]: Float64Array };

/**
 * torch's `compute_curve`: bucket each prediction with `int32(floor(p * (N-1)))` in the prediction's own precision
 * (a `Float32Array` multiplies in float32 via `Math.fround`, like a float32 tensor; other inputs in float64, like a
 * float64 NumPy array), histogram the buckets over [0, N-1] with N bins weighted by `label·w` and `(1-label)·w`,
 * then take reverse cumulative sums. Predictions outside [0, 1] land outside the range and are dropped, as in torch.
 */
export function computePrCurve(
  labels: ArrayLike<number | boolean>,
  predictions: ArrayLike<number>,
  numThresholds: number,
  weights?: ArrayLike<number>,
): PrCurveRows {
  const n = predictions.length;
  if (labels.length !== n) {
    throw eventlogError('EVENTLOG_PR_LENGTH', `${labels.length} labels for ${n} predictions`, 'one label per prediction', 'pass arrays of equal length');
  }
  if (weights !== undefined && weights.length !== n) {
    throw eventlogError('EVENTLOG_PR_LENGTH', `${weights.length} weights for ${n} predictions`, 'one weight per prediction', 'pass arrays of equal length');
  }
  const scale = numThresholds - 1;
  // Every in-range bucket index is an integer k in [0, N-1]; NumPy's equal-width binning of k over [0, N-1] with N
  // bins is a fixed map k → bin, computed once with NumPy's own procedure.
  const binOf = uniformBinTable(numThresholds);
  const tpBuckets = new Float64Array(numThresholds);
  const fpBuckets = new Float64Array(numThresholds);
  const f32 = predictions instanceof Float32Array;
  if (weights === undefined && isBinary(labels)) {
    // 0/1 labels without weights: np.bincount adds 1.0s and 0.0s, whose float64 sums are exact integers, so
    // integer counts give bit-identical buckets several times faster.
    const positives = new Int32Array(numThresholds);
    const totals = new Int32Array(numThresholds);
    for (let i = 0; i < n; i++) {
      const scaled = f32 ? Math.fround(predictions[i] * scale) : predictions[i] * scale;
      // np.int32(np.floor(x)) then the histogram's [0, N-1] range: negatives, NaN and > N-1 are dropped.
      if (!(scaled >= 0 && scaled < numThresholds)) continue;
      const bin = binOf[scaled | 0];
      totals[bin]++;
      if (labels[i]) positives[bin]++;
    }
    for (let b = 0; b < numThresholds; b++) {
      tpBuckets[b] = positives[b];
      fpBuckets[b] = totals[b] - positives[b];
    }
  } else {
    // Weighted sums accumulate per bin in input order, as np.bincount does, so they are bit-identical.
    for (let i = 0; i < n; i++) {
      const p = predictions[i];
      const scaled = f32 ? Math.fround(p * scale) : p * scale;
      const k = Math.floor(scaled);
      if (!(k >= 0 && k <= scale)) continue;
      const label = +labels[i];
      const w = weights === undefined ? 1 : weights[i];
      const bin = binOf[k];
      tpBuckets[bin] += label * w;
      fpBuckets[bin] += (1 - label) * w;
    }
  }
  return prCurveFromBuckets(tpBuckets, fpBuckets);
}

/**
 * The end of torch's `compute_curve` from per-threshold bucket sums (weighted positives and negatives whose
 * prediction falls in each bucket): reverse cumulative sums give TP and FP, then TN, FN, precision and recall in
 * torch's order of operations. For callers that bucket many curves in one pass (evaluate's per-class curves).
 */
export function prCurveFromBuckets(tpBuckets: Float64Array, fpBuckets: Float64Array): PrCurveRows {
  const numThresholds = tpBuckets.length;
  const tp = reverseCumsum(tpBuckets);
  const fp = reverseCumsum(fpBuckets);
  const tn = new Float64Array(numThresholds);
  const fn = new Float64Array(numThresholds);
  const precision = new Float64Array(numThresholds);
  const recall = new Float64Array(numThresholds);
  for (let i = 0; i < numThresholds; i++) {
    tn[i] = fp[0] - fp[i];
    fn[i] = tp[0] - tp[i];
    precision[i] = tp[i] / Math.max(MINIMUM_COUNT, tp[i] + fp[i]);
    recall[i] = tp[i] / Math.max(MINIMUM_COUNT, tp[i] + fn[i]);
  }
  return { truePositives: tp, falsePositives: fp, trueNegatives: tn, falseNegatives: fn, precision, recall };
}

function isBinary(labels: ArrayLike<number | boolean>): boolean {
  if (labels instanceof Uint8Array) {
    for (let i = 0; i < labels.length; i++) if (labels[i] > 1) return false;
    return true;
  }
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    if (!(l === true || l === false || l === 0 || l === 1)) return false;
  }
  return true;
}

const binTables = new Map<number, Int32Array>();
function uniformBinTable(numThresholds: number): Int32Array {
  let table = binTables.get(numThresholds);
  if (!table) {
    table = new Int32Array(numThresholds);
    const ks = Float64Array.from({ length: numThresholds }, (_, k) => k);
    for (let k = 0; k < numThresholds; k++) {
      const { counts } = uniformHistogram(ks.subarray(k, k + 1), numThresholds, 0, numThresholds - 1);
      table[k] = counts.findIndex((c) => c > 0);
    }
    binTables.set(numThresholds, table);
  }
  return table;
}

function reverseCumsum(a: Float64Array): Float64Array {
  const out = new Float64Array(a.length);
  let acc = 0;
  for (let i = a.length - 1; i >= 0; i--) out[i] = acc += a[i];
  return out;
}

/** Clamp `numThresholds` like torch (≤ 127) and reject values TensorBoard cannot plot. */
export function checkThresholds(numThresholds: number): number {
  if (!Number.isInteger(numThresholds) || numThresholds < 2) {
    throw eventlogError('EVENTLOG_PR_THRESHOLDS', `numThresholds ${numThresholds}`, 'an integer ≥ 2', 'use the default 127');
  }
  return Math.min(numThresholds, MAX_PR_THRESHOLDS);
}

/** Flatten the six rows into the row-major float32 tensor body, checking their lengths. */
export function prCurveTensor(data: PrCurveData, numThresholds: number): Float32Array {
  const rows = [data.truePositives, data.falsePositives, data.trueNegatives, data.falseNegatives, data.precision, data.recall];
  const flat = new Float32Array(6 * numThresholds);
  rows.forEach((row, r) => {
    if (row.length !== numThresholds) {
      throw eventlogError('EVENTLOG_PR_LENGTH', `PR row ${r} has ${row.length} values`, `numThresholds = ${numThresholds}`, 'pass six rows of numThresholds values each');
    }
    for (let i = 0; i < numThresholds; i++) flat[r * numThresholds + i] = row[i];
  });
  return flat;
}

const PR_PLUGIN = new TextEncoder().encode('pr_curves');

function prSizes(wallTime: number, step: number, tagLength: number, n: number) {
  const content = 1 + varintSize(n);
  const pluginData = fieldSize(PR_PLUGIN.length) + fieldSize(content);
  const metadata = fieldSize(pluginData);
  const dims = [fieldSize(1 + varintSize(6)), fieldSize(1 + varintSize(n))];
  const shape = dims[0] + dims[1];
  const tensor = 2 + fieldSize(shape) + fieldSize(24 * n);
  const value = (tagLength > 0 ? fieldSize(tagLength) : 0) + fieldSize(tensor) + fieldSize(metadata);
  const summary = fieldSize(value);
  const hasWall = wallTime !== 0 || Object.is(wallTime, -0);
  const event = (hasWall ? 9 : 0) + (step !== 0 ? 1 + varintSize(step) : 0) + fieldSize(summary);
  return { content, pluginData, metadata, shape, tensor, value, summary, event, hasWall };
}

/** Size of {@link encodePrCurveEventInto}'s output (`step` a non-negative safe integer). */
export function prCurveEventSize(wallTime: number, step: number, tagLength: number, numThresholds: number): number {
  return prSizes(wallTime, step, tagLength, numThresholds).event;
}

/**
 * Hot path of `addPrCurve`: write the whole `Event` of a PR curve into `out` at `pos`, byte-identical to
 * `encodeEvent({ wallTime, step, summary: { value: [prCurveValue(…)] } })` (tests compare) without the generic
 * writer's growing buffers. Returns the position after it.
 */
export function encodePrCurveEventInto(out: Uint8Array, pos: number, wallTime: number, step: number, tagBytes: Uint8Array, flat: Float32Array, numThresholds: number): number {
  const n = numThresholds;
  const z = prSizes(wallTime, step, tagBytes.length, n);
  let p = pos;
  if (z.hasWall) {
    out[p++] = 0x09;
    p = putDouble(out, p, wallTime);
  }
  if (step !== 0) {
    out[p++] = 0x10;
    p = putVarint(out, p, step);
  }
  out[p++] = 0x2a; // Event.summary
  p = putVarint(out, p, z.summary);
  out[p++] = 0x0a; // Summary.value
  p = putVarint(out, p, z.value);
  if (tagBytes.length > 0) {
    out[p++] = 0x0a; // Value.tag
    p = putVarint(out, p, tagBytes.length);
    out.set(tagBytes, p);
    p += tagBytes.length;
  }
  out[p++] = 0x42; // Value.tensor
  p = putVarint(out, p, z.tensor);
  out[p++] = 0x08; // TensorProto.dtype = DT_FLOAT
  out[p++] = DataType.DT_FLOAT;
  out[p++] = 0x12; // TensorProto.tensor_shape
  p = putVarint(out, p, z.shape);
  for (const size of [6, n]) {
    out[p++] = 0x12; // TensorShapeProto.dim
    p = putVarint(out, p, 1 + varintSize(size));
    out[p++] = 0x08; // Dim.size
    p = putVarint(out, p, size);
  }
  out[p++] = 0x2a; // TensorProto.float_val, packed
  p = putVarint(out, p, 24 * n);
  out.set(float32Bytes(flat), p);
  p += 24 * n;
  out[p++] = 0x4a; // Value.metadata
  p = putVarint(out, p, z.metadata);
  out[p++] = 0x0a; // SummaryMetadata.plugin_data
  p = putVarint(out, p, z.pluginData);
  out[p++] = 0x0a; // PluginData.plugin_name
  p = putVarint(out, p, PR_PLUGIN.length);
  out.set(PR_PLUGIN, p);
  p += PR_PLUGIN.length;
  out[p++] = 0x12; // PluginData.content = PrCurvePluginData{num_thresholds}
  p = putVarint(out, p, z.content);
  out[p++] = 0x10;
  return putVarint(out, p, n);
}

/**
 * The `Summary.Value` of a PR curve: plugin `pr_curves` with `PrCurvePluginData{version: 0, num_thresholds}` and a
 * DT_FLOAT tensor of shape [6, N], rows TP, FP, TN, FN, precision, recall.
 */
export function prCurveValue(tag: string, data: PrCurveData, numThresholds: number): SummaryValue {
  const flat = prCurveTensor(data, numThresholds);
  // PrCurvePluginData: version (field 1) = 0 is omitted; num_thresholds is field 2, a varint.
  const content = numThresholds < 128 ? new Uint8Array([0x10, numThresholds]) : new Uint8Array([0x10, (numThresholds & 0x7f) | 0x80, numThresholds >> 7]);
  return {
    tag,
    metadata: { pluginData: { pluginName: 'pr_curves', content } },
    tensor: { dtype: DataType.DT_FLOAT, tensorShape: { dim: [{ size: 6 }, { size: numThresholds }] }, floatVal: flat },
  };
}
