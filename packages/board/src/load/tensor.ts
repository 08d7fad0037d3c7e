/**
 * `TensorProto` bytes → {@link TensorValue}, as numpy's `tensor_util.make_ndarray` reads them in TensorBoard:
 * `tensor_content` when present, else the typed `*_val` field; fewer values than the shape holds are padded with
 * the last one (none at all: zeros), so a one-value tensor of shape [3] is three copies.
 */
import type { TensorValue } from '../store/provider.ts';
import { float32At, float64At, lengthDelimited, skipField, varint, wire, WireError } from './wire.ts';

/** TensorFlow DataType values the loader reads. */
export const DT = { FLOAT: 1, DOUBLE: 2, INT32: 3, UINT8: 4, INT16: 5, INT8: 6, STRING: 7, INT64: 9, BOOL: 10, UINT16: 17, HALF: 19, UINT32: 22, UINT64: 23 } as const;

/** IEEE binary16 bits → number. */
export function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exp = (h >>> 10) & 0x1f;
  const frac = h & 0x3ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 31) return frac ? NaN : sign * Infinity;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

function readPackedOrSingle(buf: Uint8Array, end: number, wt: number, width: 0 | 4 | 8, read: (p: number) => number, out: number[]): void {
  if (wt === 2) {
    const stop = lengthDelimited(buf, end);
    if (width === 0) {
      while (wire.pos < stop) out.push(varint(buf, stop));
    } else {
      for (let p = wire.pos; p + width <= stop; p += width) out.push(read(p));
      wire.pos = stop;
    }
    return;
  }
  if (width === 0) out.push(varint(buf, end));
  else {
    if (wire.pos + width > end) throw new WireError('truncated value');
    out.push(read(wire.pos));
    wire.pos += width;
  }
}

const f32At = (buf: Uint8Array) => (p: number) => float32At(buf, p);
const f64At = (buf: Uint8Array) => (p: number) => float64At(buf, p);

function fromContent(dtype: number, c: Uint8Array): number[] | undefined {
  const view = new DataView(c.buffer, c.byteOffset, c.byteLength);
  const out: number[] = [];
  const each = (w: number, get: (p: number) => number) => {
    for (let p = 0; p + w <= c.length; p += w) out.push(get(p));
  };
  switch (dtype) {
    case DT.FLOAT: each(4, (p) => view.getFloat32(p, true)); break;
    case DT.DOUBLE: each(8, (p) => view.getFloat64(p, true)); break;
    case DT.INT32: each(4, (p) => view.getInt32(p, true)); break;
    case DT.UINT32: each(4, (p) => view.getUint32(p, true)); break;
    case DT.UINT8: each(1, (p) => view.getUint8(p)); break;
    case DT.INT8: each(1, (p) => view.getInt8(p)); break;
    case DT.BOOL: each(1, (p) => (view.getUint8(p) ? 1 : 0)); break;
    case DT.INT16: each(2, (p) => view.getInt16(p, true)); break;
    case DT.UINT16: each(2, (p) => view.getUint16(p, true)); break;
    case DT.HALF: each(2, (p) => halfToNumber(view.getUint16(p, true))); break;
    case DT.INT64: each(8, (p) => Number(view.getBigInt64(p, true))); break;
    case DT.UINT64: each(8, (p) => Number(view.getBigUint64(p, true))); break;
    default: return undefined;
  }
  return out;
}

/** Decode TensorProto bytes `buf[start, end)`. Unsupported numeric dtypes (complex, bfloat16, ...) give no numbers. */
export function decodeTensor(buf: Uint8Array, start: number, end: number): TensorValue {
  let dtype = 0;
  const shape: number[] = [];
  let content: Uint8Array | undefined;
  const nums: number[] = [];
  const halves: number[] = [];
  const strings: Uint8Array[] = [];
  wire.pos = start;
  while (wire.pos < end) {
    const k = varint(buf, end);
    const f = k >>> 3;
    const wt = k & 7;
    switch (f) {
      case 1:
        dtype = varint(buf, end);
        continue;
      case 2: {
        if (wt !== 2) break;
        const stop = lengthDelimited(buf, end);
        while (wire.pos < stop) {
          const dk = varint(buf, stop);
          if (dk !== 0x12) {
            skipField(buf, stop, dk & 7);
            continue;
          }
          const dimEnd = lengthDelimited(buf, stop);
          let size = 0;
          while (wire.pos < dimEnd) {
            const sk = varint(buf, dimEnd);
            if (sk === 0x08) size = varint(buf, dimEnd);
            else skipField(buf, dimEnd, sk & 7);
          }
          shape.push(size);
        }
        continue;
      }
      case 4: {
        if (wt !== 2) break;
        const stop = lengthDelimited(buf, end);
        content = buf.slice(wire.pos, stop);
        wire.pos = stop;
        continue;
      }
      case 5:
        readPackedOrSingle(buf, end, wt, 4, f32At(buf), nums);
        continue;
      case 6:
        readPackedOrSingle(buf, end, wt, 8, f64At(buf), nums);
        continue;
      case 7:
      case 10:
      case 11:
      case 16:
      case 17:
        readPackedOrSingle(buf, end, wt, 0, () => 0, nums);
        continue;
      case 13:
        readPackedOrSingle(buf, end, wt, 0, () => 0, halves);
        continue;
      case 8: {
        if (wt !== 2) break;
        const stop = lengthDelimited(buf, end);
        strings.push(buf.slice(wire.pos, stop));
        wire.pos = stop;
        continue;
      }
    }
    skipField(buf, end, wt);
  }
  const size = shape.reduce((a, b) => a * b, 1);
  if (dtype === DT.STRING) {
    const padded = strings.slice(0, size);
    const last = strings.length > 0 ? strings[strings.length - 1] : new Uint8Array(0);
    while (padded.length < size) padded.push(last);
    return { dtype, shape, strings: padded };
  }
  let values: number[] | undefined;
  if (content !== undefined && content.length > 0) values = fromContent(dtype, content);
  else if (dtype === DT.HALF) values = halves.map(halfToNumber);
  else values = nums;
  if (values === undefined) return { dtype, shape };
  const numbers = new Float64Array(size);
  if (values.length > 0) {
    const n = Math.min(size, values.length);
    for (let i = 0; i < n; i++) numbers[i] = values[i];
    numbers.fill(values[values.length - 1], n);
  }
  return { dtype, shape, numbers };
}

/** The single value of a scalar tensor (`make_ndarray(...).item()`), or undefined when it holds none. */
export function tensorScalar(buf: Uint8Array, start: number, end: number): number | undefined {
  // What TF2 and torch's new_style write: dtype FLOAT or DOUBLE, an empty shape or none, one float_val/double_val,
  // packed or not — read in place; anything else is decoded in full.
  let p = start;
  if (buf[p] === 0x08 && (buf[p + 1] === DT.FLOAT || buf[p + 1] === DT.DOUBLE)) {
    const dtype = buf[p + 1];
    p += 2;
    if (buf[p] === 0x12 && buf[p + 1] === 0x00) p += 2;
    if (dtype === DT.FLOAT) {
      if (p + 6 === end && buf[p] === 0x2a && buf[p + 1] === 4) return float32At(buf, p + 2);
      if (p + 5 === end && buf[p] === 0x2d) return float32At(buf, p + 1);
    } else {
      if (p + 10 === end && buf[p] === 0x32 && buf[p + 1] === 8) return float64At(buf, p + 2);
      if (p + 9 === end && buf[p] === 0x31) return float64At(buf, p + 1);
    }
  }
  const t = decodeTensor(buf, start, end);
  return t.numbers !== undefined && t.numbers.length >= 1 ? t.numbers[0] : undefined;
}

/** Number of elements of the tensor's shape (TensorBoard's `_tensor_size`), without decoding values. */
export function tensorSize(value: TensorValue): number {
  return value.shape.reduce((a, b) => a * b, 1);
}
