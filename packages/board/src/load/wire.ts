/**
 * Minimal protobuf wire reading over a Uint8Array for the loader's hot path: no objects per field, positions only.
 * `pos` is module state (the loader is single-threaded and never re-enters), so a varint read allocates nothing.
 * Malformed input throws {@link WireError}.
 */
export class WireError extends Error {}

export const wire = { pos: 0 };

/** Read a varint at `wire.pos` as a number (int64 two's complement for 10-byte negatives). */
export function varint(buf: Uint8Array, end: number): number {
  let p = wire.pos;
  if (p >= end) throw new WireError('truncated varint');
  let b = buf[p++];
  if (b < 0x80) {
    wire.pos = p;
    return b;
  }
  let result = b & 0x7f;
  let mul = 0x80;
  for (let i = 1; i < 10; i++) {
    if (p >= end) throw new WireError('truncated varint');
    b = buf[p++];
    // Past 49 bits: re-read exactly with BigInt (negative int64 steps and other rarities).
    if (i >= 7) return slowVarint(buf, end);
    result += (b & 0x7f) * mul;
    mul *= 0x80;
    if (b < 0x80) {
      wire.pos = p;
      return result;
    }
  }
  throw new WireError('varint too long');
}

function slowVarint(buf: Uint8Array, end: number): number {
  let p = wire.pos;
  let v = 0n;
  let shift = 0n;
  for (let i = 0; i < 10; i++) {
    if (p >= end) throw new WireError('truncated varint');
    const b = buf[p++];
    v |= BigInt(b & 0x7f) << shift;
    shift += 7n;
    if (b < 0x80) {
      wire.pos = p;
      return Number(BigInt.asIntN(64, v));
    }
  }
  throw new WireError('varint too long');
}

/** Skip a field's payload of wire type `wt` at `wire.pos`. */
export function skipField(buf: Uint8Array, end: number, wt: number): void {
  switch (wt) {
    case 0:
      varint(buf, end);
      return;
    case 1:
      wire.pos += 8;
      break;
    case 2: {
      const n = varint(buf, end);
      wire.pos += n;
      break;
    }
    case 5:
      wire.pos += 4;
      break;
    default:
      throw new WireError(`wire type ${wt}`);
  }
  if (wire.pos > end) throw new WireError('field overruns its message');
}

/** Read a length prefix and return the end of the payload (the payload starts at `wire.pos`). */
export function lengthDelimited(buf: Uint8Array, end: number): number {
  const n = varint(buf, end);
  const stop = wire.pos + n;
  if (stop > end) throw new WireError('field overruns its message');
  return stop;
}

const f32 = new Float32Array(1);
const f32b = new Uint8Array(f32.buffer);
const f64 = new Float64Array(1);
const f64b = new Uint8Array(f64.buffer);

/** Little-endian float32 at `p`, widened. */
export function float32At(buf: Uint8Array, p: number): number {
  f32b[0] = buf[p];
  f32b[1] = buf[p + 1];
  f32b[2] = buf[p + 2];
  f32b[3] = buf[p + 3];
  return f32[0];
}

/** Little-endian float64 at `p`. */
export function float64At(buf: Uint8Array, p: number): number {
  for (let i = 0; i < 8; i++) f64b[i] = buf[p + i];
  return f64[0];
}

const utf8 = new TextDecoder('utf-8');
/** Lenient UTF-8 of `buf[start, end)`. */
export function utf8At(buf: Uint8Array, start: number, end: number): string {
  return utf8.decode(buf.subarray(start, end));
}
