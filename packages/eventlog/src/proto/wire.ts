import { BinaryReader, BinaryWriter, WireType } from '@bufbuild/protobuf/wire';

/** @bufbuild/protobuf's wire-format reader/writer (fork/join), re-exported for the hand-written messages. */
export { BinaryReader, BinaryWriter, WireType };

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Visit every field of a message. `onField` returns false for fields it does not know (or whose wire type is not the
 * expected one); those are skipped the way the C++ parser treats them, as unknown fields.
 */
export function readFields(bytes: Uint8Array, onField: (r: BinaryReader, field: number, wire: WireType) => boolean): void {
  const r = new BinaryReader(bytes);
  while (r.pos < r.len) {
    const [field, wire] = r.tag();
    if (field === 0) throw new Error('field number 0');
    const start = r.pos;
    if (!onField(r, field, wire)) {
      r.pos = start;
      r.skip(wire, field);
    }
  }
  if (r.pos !== r.len) throw new Error('message overruns its length');
}

/** int64 varint as a JS number (exact below 2^53; TensorBoard steps never get near that). */
export function readInt64(r: BinaryReader): number {
  return Number(r.int64());
}

/** Write a packed repeated float (proto3 default for `repeated float`), narrowing each value to float32. */
export function writePackedFloat(w: BinaryWriter, field: number, values: ArrayLike<number>): void {
  if (values.length === 0) return;
  const f32 = values instanceof Float32Array ? values : Float32Array.from(values as ArrayLike<number>);
  w.tag(field, WireType.LengthDelimited).uint32(f32.length * 4);
  w.raw(littleEndianBytes(f32));
}

/** Write a packed repeated double. */
export function writePackedDouble(w: BinaryWriter, field: number, values: ArrayLike<number>): void {
  if (values.length === 0) return;
  const f64 = values instanceof Float64Array ? values : Float64Array.from(values as ArrayLike<number>);
  w.tag(field, WireType.LengthDelimited).uint32(f64.length * 8);
  w.raw(littleEndianBytes(f64));
}

/** Write a packed repeated varint (int32/int64/bool/enum). Negative values take 10 bytes, as in C++. */
export function writePackedVarint(w: BinaryWriter, field: number, values: ArrayLike<number>): void {
  if (values.length === 0) return;
  w.tag(field, WireType.LengthDelimited).fork();
  for (let i = 0; i < values.length; i++) w.int64(values[i]);
  w.join();
}

function littleEndianBytes(a: Float32Array | Float64Array): Uint8Array {
  if (LITTLE_ENDIAN_HOST) return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const out = new Uint8Array(a.byteLength);
  const view = new DataView(out.buffer);
  const size = a.BYTES_PER_ELEMENT;
  for (let i = 0; i < a.length; i++) {
    if (size === 4) view.setFloat32(i * 4, a[i], true);
    else view.setFloat64(i * 8, a[i], true);
  }
  return out;
}

/** Read a repeated float field in either packed or unpacked form, appending to `into`. */
export function readRepeatedFloat(r: BinaryReader, wire: WireType, into: number[]): boolean {
  if (wire === WireType.Bit32) {
    into.push(r.float());
    return true;
  }
  if (wire !== WireType.LengthDelimited) return false;
  const bytes = r.bytes();
  if (bytes.length % 4 !== 0) throw new Error('packed float length not a multiple of 4');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < bytes.length; i += 4) into.push(view.getFloat32(i, true));
  return true;
}

/** Read a repeated double field in either packed or unpacked form. */
export function readRepeatedDouble(r: BinaryReader, wire: WireType, into: number[]): boolean {
  if (wire === WireType.Bit64) {
    into.push(r.double());
    return true;
  }
  if (wire !== WireType.LengthDelimited) return false;
  const bytes = r.bytes();
  if (bytes.length % 8 !== 0) throw new Error('packed double length not a multiple of 8');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < bytes.length; i += 8) into.push(view.getFloat64(i, true));
  return true;
}

/** Read a repeated varint field (int32/int64/bool/enum) in either form. */
export function readRepeatedVarint(r: BinaryReader, wire: WireType, into: number[]): boolean {
  if (wire === WireType.Varint) {
    into.push(readInt64(r));
    return true;
  }
  if (wire !== WireType.LengthDelimited) return false;
  const sub = new BinaryReader(r.bytes());
  while (sub.pos < sub.len) into.push(readInt64(sub));
  return true;
}

const utf8 = new TextDecoder('utf-8', { fatal: false });
/** Decode UTF-8 leniently (invalid sequences become U+FFFD) so a reader never fails on a foreign writer's text. */
export function decodeUtf8(bytes: Uint8Array): string {
  return utf8.decode(bytes);
}
/** Read a length-delimited string field (lenient UTF-8). */
export function readString(r: BinaryReader): string {
  return decodeUtf8(r.bytes());
}
