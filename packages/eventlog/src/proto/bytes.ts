// Byte-level helpers for the hand-rolled hot-path encoders (scalar and PR-curve events), which write straight into
// the writer's queue. They must produce exactly what the generic encoder in messages.ts produces; tests compare.

const scratch = new ArrayBuffer(8);
const scratchF64 = new Float64Array(scratch);
const scratchF32 = new Float32Array(scratch);
const scratchU8 = new Uint8Array(scratch);
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/** Bytes of a non-negative integer (< 2^53) as a protobuf varint. */
export function varintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

/** Write a non-negative integer (< 2^53) as a varint; returns the position after it. */
export function putVarint(out: Uint8Array, pos: number, n: number): number {
  while (n >= 0x80) {
    out[pos++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 128);
  }
  out[pos++] = n;
  return pos;
}

function putScratch(out: Uint8Array, pos: number, n: number): number {
  if (LITTLE_ENDIAN_HOST) for (let i = 0; i < n; i++) out[pos + i] = scratchU8[i];
  else for (let i = 0; i < n; i++) out[pos + i] = scratchU8[n - 1 - i];
  return pos + n;
}

/** Little-endian float64. */
export function putDouble(out: Uint8Array, pos: number, x: number): number {
  scratchF64[0] = x;
  return putScratch(out, pos, 8);
}

/** Little-endian float32 (narrowed like a C++ `float` assignment: overflow → ±Inf). */
export function putFloat(out: Uint8Array, pos: number, x: number): number {
  scratchF32[0] = x;
  return putScratch(out, pos, 4);
}

/** Bytes of a length-delimited field `tag len payload` with a one-byte tag. */
export function fieldSize(payloadLength: number): number {
  return 1 + varintSize(payloadLength) + payloadLength;
}

/** Little-endian bytes of a Float32Array (a view on little-endian hosts). */
export function float32Bytes(a: Float32Array): Uint8Array {
  if (LITTLE_ENDIAN_HOST) return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const out = new Uint8Array(a.byteLength);
  for (let i = 0; i < a.length; i++) putFloat(out, i * 4, a[i]);
  return out;
}
