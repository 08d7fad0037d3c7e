/**
 * The data-provider questions answered over the loaded runs, as TensorBoard's `MultiplexerDataProvider`
 * (backend/event_processing/data_provider.py) answers them: a series belongs to a plugin by its first metadata's
 * plugin name and to scalars / tensors / blob sequences by its data class; list* report the max step and wall time of
 * the kept points; read* return the kept points in arrival order, downsampled with `random.Random(0)`; blob sequences
 * keep the first point of each step, sorted by step.
 */
import { DataClass, decodeRaw } from '../load/compat.ts';
import { downsampleIndices } from '../load/python-random.ts';
import type { Reservoir } from '../load/reservoir.ts';
import type { TagState } from '../load/run-loader.ts';
import { DT } from '../load/tensor.ts';
import type { BlobSequenceDatum, BlobSequenceInfo, RunTagFilter, RunTagMap, ScalarColumns, TensorDatum, TensorValue, TimeSeriesInfo } from './provider.ts';

/** What the reads need of a run. */
export interface ReadableRun {
  name: string;
  tags: ReadonlyMap<string, TagState>;
}

/** Every (run, tag) of `plugin` and `dataClass` that has points and passes `filter`. */
function* select(runs: Iterable<ReadableRun>, plugin: string, dataClass: number, filter: RunTagFilter | undefined): Generator<[string, TagState, Reservoir]> {
  const runSet = filter?.runs ? new Set(filter.runs) : undefined;
  const tagSet = filter?.tags ? new Set(filter.tags) : undefined;
  for (const run of runs) {
    if (runSet && !runSet.has(run.name)) continue;
    const tags = tagSet ? [...tagSet].map((t) => run.tags.get(t)).filter((t): t is TagState => t !== undefined) : run.tags.values();
    for (const t of tags) {
      if (t.meta === null || t.points === null || t.meta.plugin !== plugin || t.meta.dataClass !== dataClass) continue;
      yield [run.name, t, t.points];
    }
  }
}

function put<T>(map: RunTagMap<T>, run: string, tag: string, value: T): void {
  let m = map.get(run);
  if (!m) map.set(run, (m = new Map()));
  m.set(tag, value);
}

function info(t: TagState, r: Reservoir): TimeSeriesInfo {
  let maxStep = -Infinity;
  let maxWallTime = -Infinity;
  for (let i = 0; i < r.length; i++) {
    const s = r.order[i];
    if (r.steps[s] > maxStep) maxStep = r.steps[s];
    if (r.wallTimes[s] > maxWallTime) maxWallTime = r.wallTimes[s];
  }
  const m = t.meta!;
  return { maxStep, maxWallTime, pluginContent: m.content, description: m.description, displayName: m.displayName };
}

/** Index list of `downsample` points out of `n` (all when `downsample > n`, none when 0). */
function pick(n: number, downsample: number): number[] {
  const d = downsampleIndices(n, downsample);
  return d === 'all' ? Array.from({ length: n }, (_, i) => i) : d;
}

/** The value of the i-th kept point (oldest first) of a reservoir as a tensor. */
export function tensorAt(r: Reservoir, i: number): TensorValue {
  const s = r.order[i];
  const raw = r.raws?.[s];
  if (raw !== undefined) return decodeRaw(raw);
  return { dtype: DT.FLOAT, shape: [], numbers: Float64Array.of(r.values[s]) };
}

function scalarAt(r: Reservoir, i: number): number {
  const s = r.order[i];
  const raw = r.raws?.[s];
  if (raw === undefined) return r.values[s];
  const t = decodeRaw(raw);
  return t.numbers && t.numbers.length > 0 ? t.numbers[0] : NaN;
}

export function listScalars(runs: Iterable<ReadableRun>, plugin: string, filter?: RunTagFilter): RunTagMap<TimeSeriesInfo> {
  const out: RunTagMap<TimeSeriesInfo> = new Map();
  for (const [run, t, r] of select(runs, plugin, DataClass.SCALAR, filter)) put(out, run, t.tag, info(t, r));
  return out;
}

export function readScalars(runs: Iterable<ReadableRun>, plugin: string, downsample: number, filter?: RunTagFilter): RunTagMap<ScalarColumns> {
  const out: RunTagMap<ScalarColumns> = new Map();
  for (const [run, t, r] of select(runs, plugin, DataClass.SCALAR, filter)) {
    const d = downsampleIndices(r.length, downsample);
    const n = d === 'all' ? r.length : d.length;
    const cols: ScalarColumns = { steps: new Float64Array(n), wallTimes: new Float64Array(n), values: new Float64Array(n) };
    for (let k = 0; k < n; k++) {
      const i = d === 'all' ? k : d[k];
      const s = r.order[i];
      cols.steps[k] = r.steps[s];
      cols.wallTimes[k] = r.wallTimes[s];
      cols.values[k] = r.raws === null ? r.values[s] : scalarAt(r, i);
    }
    put(out, run, t.tag, cols);
  }
  return out;
}

export function listTensors(runs: Iterable<ReadableRun>, plugin: string, filter?: RunTagFilter): RunTagMap<TimeSeriesInfo> {
  const out: RunTagMap<TimeSeriesInfo> = new Map();
  for (const [run, t, r] of select(runs, plugin, DataClass.TENSOR, filter)) put(out, run, t.tag, info(t, r));
  return out;
}

export function readTensors(runs: Iterable<ReadableRun>, plugin: string, downsample: number, filter?: RunTagFilter): RunTagMap<TensorDatum[]> {
  const out: RunTagMap<TensorDatum[]> = new Map();
  for (const [run, t, r] of select(runs, plugin, DataClass.TENSOR, filter)) {
    put(out, run, t.tag, pick(r.length, downsample).map((i) => ({ step: r.steps[r.order[i]], wallTime: r.wallTimes[r.order[i]], value: tensorAt(r, i) })));
  }
  return out;
}

function size(v: TensorValue): number {
  return v.shape.reduce((a, b) => a * b, 1);
}

export function listBlobSequences(runs: Iterable<ReadableRun>, plugin: string, filter?: RunTagFilter): RunTagMap<BlobSequenceInfo> {
  const out: RunTagMap<BlobSequenceInfo> = new Map();
  for (const [run, t, r] of select(runs, plugin, DataClass.BLOB_SEQUENCE, filter)) {
    let maxLength = 0;
    for (let i = 0; i < r.length; i++) maxLength = Math.max(maxLength, size(tensorAt(r, i)));
    put(out, run, t.tag, { ...info(t, r), maxLength });
  }
  return out;
}

/** Indices of the first kept point of each step, sorted by step. */
function firstPerStep(r: Reservoir): number[] {
  const seen = new Map<number, number>();
  for (let i = 0; i < r.length; i++) if (!seen.has(r.steps[r.order[i]])) seen.set(r.steps[r.order[i]], i);
  return [...seen.entries()].sort((a, b) => a[0] - b[0]).map(([, i]) => i);
}

export function readBlobSequences(runs: Iterable<ReadableRun>, plugin: string, downsample: number, filter?: RunTagFilter): RunTagMap<BlobSequenceDatum[]> {
  const out: RunTagMap<BlobSequenceDatum[]> = new Map();
  for (const [run, t, r] of select(runs, plugin, DataClass.BLOB_SEQUENCE, filter)) {
    const firsts = firstPerStep(r);
    const data = pick(firsts.length, downsample).map((k) => {
      const i = firsts[k];
      const step = r.steps[r.order[i]];
      const n = size(tensorAt(r, i));
      return { step, wallTime: r.wallTimes[r.order[i]], blobKeys: Array.from({ length: n }, (_, index) => encodeBlobKey(plugin, run, t.tag, step, index)) };
    });
    put(out, run, t.tag, data);
  }
  return out;
}

/**
 * Blob keys are TensorBoard's own for the `/data/...` routes: URL-safe base64, unpadded, of the compact ASCII JSON
 * `["", plugin, run, tag, step, index]`. {@link readBlob} ignores the experiment id, so the same key with
 * `"defaultExperimentId"` works too.
 */
export function encodeBlobKey(plugin: string, run: string, tag: string, step: number, index: number): string {
  const json = JSON.stringify(['', plugin, run, tag, step, index]).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return Buffer.from(json, 'ascii').toString('base64url');
}

export function readBlob(runs: ReadonlyMap<string, ReadableRun>, key: string): Uint8Array | undefined {
  let parts: unknown;
  try {
    parts = JSON.parse(Buffer.from(key, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  if (!Array.isArray(parts) || parts.length !== 6) return undefined;
  const [, , run, tag, step, index] = parts as [unknown, unknown, unknown, unknown, unknown, unknown];
  if (typeof run !== 'string' || typeof tag !== 'string' || typeof step !== 'number' || typeof index !== 'number') return undefined;
  const t = runs.get(run)?.tags.get(tag);
  if (!t || !t.meta || !t.points || t.meta.dataClass !== DataClass.BLOB_SEQUENCE) return undefined;
  const r = t.points;
  for (let i = 0; i < r.length; i++) {
    if (r.steps[r.order[i]] !== step) continue;
    const v = tensorAt(r, i);
    return v.strings?.[index];
  }
  return undefined;
}
