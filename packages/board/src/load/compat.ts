/**
 * TensorBoard's two migrations, applied as records are loaded (tensorboard/data_compat.py, then
 * tensorboard/dataclass_compat.py), so that everything past the loader is in plugin form:
 * - data_compat: an old-style `simple_value`, `Summary.Image`, `HistogramProto` or `Summary.Audio` becomes a tensor
 *   with fresh plugin metadata (display name = the value's display name or else its tag).
 * - dataclass_compat: the data class of a series comes from the plugin of its first value in each file; `graph_def`
 *   and `tagged_run_metadata` events become `graphs` / `graph_tagged_run_metadata` blob sequences.
 */
import type { TensorValue } from '../store/provider.ts';
import { DT, decodeTensor } from './tensor.ts';
import { float64At, lengthDelimited, skipField, utf8At, varint, wire } from './wire.ts';
import { Kind } from './event-scan.ts';

/** `SummaryMetadata.DataClass`. */
export const DataClass = { UNKNOWN: 0, SCALAR: 1, TENSOR: 2, BLOB_SEQUENCE: 3 } as const;

/** Plugin names (each plugin's metadata.py PLUGIN_NAME). */
export const Plugin = {
  scalars: 'scalars',
  images: 'images',
  audio: 'audio',
  histograms: 'histograms',
  text: 'text',
  prCurves: 'pr_curves',
  hparams: 'hparams',
  graphs: 'graphs',
  graphRunMetadata: 'graph_run_metadata',
  graphRunMetadataGraph: 'graph_run_metadata_graph',
  graphKerasModel: 'graph_keras_model',
  graphTaggedRunMetadata: 'graph_tagged_run_metadata',
} as const;

/** The parts of `SummaryMetadata` the loader keeps. */
export interface Metadata {
  plugin: string;
  content: Uint8Array;
  displayName: string;
  description: string;
  dataClass: number;
}

const EMPTY: Uint8Array = new Uint8Array(0);
/** ImagePluginData{converted_to_tensor: true} (image/plugin_data.proto field 2). */
const IMAGE_CONVERTED = Uint8Array.of(0x10, 0x01);
/** AudioPluginData{encoding: WAV (11), converted_to_tensor: true} (audio/plugin_data.proto fields 2, 3). */
const AUDIO_CONVERTED = Uint8Array.of(0x10, 0x0b, 0x18, 0x01);

/** Parse `SummaryMetadata` bytes `buf[start, end)`. */
export function parseMetadata(buf: Uint8Array, start: number, end: number): Metadata {
  const m: Metadata = { plugin: '', content: EMPTY, displayName: '', description: '', dataClass: 0 };
  wire.pos = start;
  while (wire.pos < end) {
    const k = varint(buf, end);
    const f = k >>> 3;
    const wt = k & 7;
    if (f === 4 && wt === 0) {
      m.dataClass = varint(buf, end);
      continue;
    }
    if (wt !== 2 || f < 1 || f > 3) {
      skipField(buf, end, wt);
      continue;
    }
    const stop = lengthDelimited(buf, end);
    if (f === 1) {
      while (wire.pos < stop) {
        const pk = varint(buf, stop);
        if (pk === 0x0a || pk === 0x12) {
          const ps = lengthDelimited(buf, stop);
          if (pk === 0x0a) m.plugin = utf8At(buf, wire.pos, ps);
          else m.content = buf.slice(wire.pos, ps);
          wire.pos = ps;
        } else skipField(buf, stop, pk & 7);
      }
    } else if (f === 2) m.displayName = utf8At(buf, wire.pos, stop);
    else m.description = utf8At(buf, wire.pos, stop);
    wire.pos = stop;
  }
  return m;
}

/**
 * data_compat's metadata for an old-style value of `kind`, or undefined for kinds it leaves alone (tensors and the
 * obsolete histogram). `own` is the value's own metadata, if any.
 */
export function migratedMetadata(kind: number, tag: string, own: Metadata | undefined): Metadata | undefined {
  let plugin: string;
  let content = EMPTY;
  switch (kind) {
    case Kind.simpleValue:
      plugin = Plugin.scalars;
      break;
    case Kind.image:
      plugin = Plugin.images;
      content = IMAGE_CONVERTED;
      break;
    case Kind.histo:
      plugin = Plugin.histograms;
      break;
    case Kind.audio:
      plugin = Plugin.audio;
      content = AUDIO_CONVERTED;
      break;
    default:
      return undefined;
  }
  return { plugin, content, displayName: own?.displayName || tag, description: own?.description ?? '', dataClass: 0 };
}

/** dataclass_compat's data class for a series whose first value in a file had plugin `plugin`, or 0. */
export function dataClassOf(plugin: string): number {
  switch (plugin) {
    case Plugin.scalars:
      return DataClass.SCALAR;
    case Plugin.histograms:
    case Plugin.text:
    case Plugin.hparams:
    case Plugin.prCurves:
      return DataClass.TENSOR;
    case Plugin.images:
    case Plugin.audio:
    case Plugin.graphRunMetadata:
    case Plugin.graphRunMetadataGraph:
    case Plugin.graphKerasModel:
      return DataClass.BLOB_SEQUENCE;
  }
  return DataClass.UNKNOWN;
}

/** How a kept value's bytes become a tensor when read. */
export const Form = {
  tensor: 0,
  image: 1,
  histo: 2,
  audio: 3,
  /** hparams value without a tensor: dataclass_compat's NULL_TENSOR. */
  nullTensor: 4,
  /** A `graph_def` or tagged `run_metadata`: one string. */
  blob: 5,
  /** A tensor whose leading axis only is kept (dataclass_compat's audio migration). */
  tensorFirstAxis: 6,
  /** A tensor given shape [1] when it has none (graph sub-plugins). */
  tensorAtLeast1: 7,
} as const;

/** A kept non-scalar point's raw bytes; decoded on first read and cached. */
export interface RawValue {
  form: number;
  bytes: Uint8Array;
  decoded?: TensorValue;
}

const ascii = new TextEncoder();

/** The tensor a {@link RawValue} stands for. */
export function decodeRaw(raw: RawValue): TensorValue {
  if (raw.decoded === undefined) raw.decoded = convert(raw);
  return raw.decoded;
}

function convert(raw: RawValue): TensorValue {
  const b = raw.bytes;
  switch (raw.form) {
    case Form.tensor:
      return decodeTensor(b, 0, b.length);
    case Form.tensorFirstAxis: {
      const t = decodeTensor(b, 0, b.length);
      let stride = 1;
      for (let i = 1; i < t.shape.length; i++) stride *= t.shape[i];
      const shape = t.shape.slice(0, 1);
      if (t.strings) return { dtype: t.dtype, shape, strings: t.strings.filter((_, i) => i % stride === 0) };
      return { dtype: t.dtype, shape, numbers: t.numbers?.filter((_, i) => i % stride === 0) };
    }
    case Form.tensorAtLeast1: {
      const t = decodeTensor(b, 0, b.length);
      return t.shape.length === 0 ? { ...t, shape: [1] } : t;
    }
    case Form.nullTensor:
      return { dtype: DT.FLOAT, shape: [], numbers: new Float64Array(1) };
    case Form.blob:
      return { dtype: DT.STRING, shape: [1], strings: [b] };
    case Form.image:
      return imageTensor(b);
    case Form.histo:
      return histogramTensor(b);
    case Form.audio:
      return audioTensor(b);
  }
  throw new Error(`unknown value form ${raw.form}`);
}

// Summary.Image{height=1, width=2, colorspace=3, encoded_image_string=4} → [width, height, png] as strings.
function imageTensor(b: Uint8Array): TensorValue {
  let width = 0;
  let height = 0;
  let png = EMPTY;
  wire.pos = 0;
  while (wire.pos < b.length) {
    const k = varint(b, b.length);
    if (k === 0x08) height = varint(b, b.length);
    else if (k === 0x10) width = varint(b, b.length);
    else if (k === 0x22) {
      const stop = lengthDelimited(b, b.length);
      png = b.subarray(wire.pos, stop);
      wire.pos = stop;
    } else skipField(b, b.length, k & 7);
  }
  return { dtype: DT.STRING, shape: [3], strings: [ascii.encode(String(width)), ascii.encode(String(height)), png] };
}

// Summary.Audio → [[encoded_audio_string, ""]], then dataclass_compat keeps the first axis: [audio].
function audioTensor(b: Uint8Array): TensorValue {
  let audio = EMPTY;
  wire.pos = 0;
  while (wire.pos < b.length) {
    const k = varint(b, b.length);
    if (k === 0x22) {
      const stop = lengthDelimited(b, b.length);
      audio = b.subarray(wire.pos, stop);
      wire.pos = stop;
    } else skipField(b, b.length, k & 7);
  }
  return { dtype: DT.STRING, shape: [1], strings: [audio] };
}

// HistogramProto{min=1, max=2, num=3, sum=4, sum_squares=5, bucket_limit=6, bucket=7} → float32 [k, 3] of
// (left, right, count) with the empty buckets at both ends dropped. N.B. data_compat takes the left edges as
// bucket_limit[start:end] — the *right* edges of the previous buckets shifted by one — with `min` in front; kept.
function histogramTensor(b: Uint8Array): TensorValue {
  let min = 0;
  let max = 0;
  const limits: number[] = [];
  const counts: number[] = [];
  wire.pos = 0;
  while (wire.pos < b.length) {
    const k = varint(b, b.length);
    const f = k >>> 3;
    const wt = k & 7;
    if ((f === 1 || f === 2) && wt === 1) {
      const v = float64At(b, wire.pos);
      wire.pos += 8;
      if (f === 1) min = v;
      else max = v;
    } else if ((f === 6 || f === 7) && (wt === 1 || wt === 2)) {
      const into = f === 6 ? limits : counts;
      if (wt === 1) {
        into.push(float64At(b, wire.pos));
        wire.pos += 8;
      } else {
        const stop = lengthDelimited(b, b.length);
        for (let p = wire.pos; p + 8 <= stop; p += 8) into.push(float64At(b, p));
        wire.pos = stop;
      }
    } else skipField(b, b.length, wt);
  }
  const n = counts.length;
  let start = 0;
  while (start < n && !(counts[start] > 0)) start++;
  let end = n - 1;
  while (end >= 0 && !(counts[end] > 0)) end--;
  let lefts = limits.slice(start, Math.max(start, end));
  let rights = limits.slice(start, Math.max(start, end));
  const cs = counts.slice(start, end + 1);
  if (start <= end) {
    lefts = [min, ...lefts];
    rights = [...rights, max];
  }
  const rows = Math.min(lefts.length, rights.length, cs.length);
  const numbers = new Float64Array(rows * 3);
  for (let i = 0; i < rows; i++) {
    numbers[i * 3] = Math.fround(lefts[i]);
    numbers[i * 3 + 1] = Math.fround(rights[i]);
    numbers[i * 3 + 2] = Math.fround(cs[i]);
  }
  return { dtype: DT.FLOAT, shape: [rows, 3], numbers };
}
