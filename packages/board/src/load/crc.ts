/**
 * CRC-32C of a byte range for the loader's hot path. Event files are mostly records of 30–60 bytes, where crossing
 * into the native addon costs more than the CRC itself, so short ranges use a slicing-by-8 table in JS (about 8× the
 * byte-at-a-time table eventlog's writer uses) and long ranges eventlog's `crc32c` (@node-rs/crc32, hardware CRC).
 */
import { crc32c } from '@tbpipe/eventlog';

const NATIVE_MIN_BYTES = 256;
const T = (() => {
  const t = new Int32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[n] = c;
  }
  for (let n = 0; n < 256; n++) {
    let c = t[n];
    for (let s = 1; s < 8; s++) {
      c = t[c & 0xff] ^ (c >>> 8);
      t[s * 256 + n] = c;
    }
  }
  return t;
})();

/** Unsigned CRC-32C of `bytes[start, end)`. */
export function crc32cOf(bytes: Uint8Array, start: number, end: number): number {
  if (end - start >= NATIVE_MIN_BYTES) return crc32c(bytes.subarray(start, end));
  let c = -1;
  let i = start;
  for (; i + 8 <= end; i += 8) {
    const a = c ^ (bytes[i] | (bytes[i + 1] << 8) | (bytes[i + 2] << 16) | (bytes[i + 3] << 24));
    c =
      T[1792 + (a & 0xff)] ^
      T[1536 + ((a >>> 8) & 0xff)] ^
      T[1280 + ((a >>> 16) & 0xff)] ^
      T[1024 + (a >>> 24)] ^
      T[768 + bytes[i + 4]] ^
      T[512 + bytes[i + 5]] ^
      T[256 + bytes[i + 6]] ^
      T[bytes[i + 7]];
  }
  for (; i < end; i++) c = T[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

/** TFRecord's masked CRC of the 8 bytes at `p` (a record's length field): one slicing-by-8 step, no loop. */
export function maskedCrc32cOf8(b: Uint8Array, p: number): number {
  const a = -1 ^ (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16) | (b[p + 3] << 24));
  const c = ~(T[1792 + (a & 0xff)] ^ T[1536 + ((a >>> 8) & 0xff)] ^ T[1280 + ((a >>> 16) & 0xff)] ^ T[1024 + (a >>> 24)] ^ T[768 + b[p + 4]] ^ T[512 + b[p + 5]] ^ T[256 + b[p + 6]] ^ T[b[p + 7]]) >>> 0;
  return ((((c >>> 15) | (c << 17)) >>> 0) + 0xa282ead8) >>> 0;
}

/** TFRecord's masked CRC of `bytes[start, end)`. */
export function maskedCrc32cOf(bytes: Uint8Array, start: number, end: number): number {
  const crc = crc32cOf(bytes, start, end);
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;
}
