import { crc32c as nativeCrc32c } from '@node-rs/crc32';

/** TFRecord's mask delta (tensorflow/core/lib/hash/crc32c.h, `kMaskDelta`). */
const MASK_DELTA = 0xa282ead8;

// Below this size a table-driven JS CRC beats the cost of crossing into the native addon (SSE4.2/ARM CRC32C).
const NATIVE_MIN_BYTES = 256;
/** Slicing-by-8 tables: TABLE[k * 256 + n] is the CRC of byte n followed by k zero bytes (about 8× byte-at-a-time). */
const TABLE = (() => {
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

/**
 * CRC-32C (Castagnoli: reflected polynomial 0x82F63B78, init and xorout 0xFFFFFFFF) of `bytes`, as an unsigned
 * 32-bit number. `crc32c(utf8('123456789')) === 0xe3069283`. Large inputs go to `@node-rs/crc32`'s hardware CRC.
 */
export function crc32c(bytes: Uint8Array): number {
  if (bytes.length >= NATIVE_MIN_BYTES) return nativeCrc32c(bytes) >>> 0;
  return crc32cRange(bytes, 0, bytes.length);
}

/** One slicing-by-8 step: the running CRC `c` advanced over the 8 bytes at `i`. */
function step8(c: number, b: Uint8Array, i: number): number {
  const a = c ^ (b[i] | (b[i + 1] << 8) | (b[i + 2] << 16) | (b[i + 3] << 24));
  return (
    TABLE[1792 + (a & 0xff)] ^
    TABLE[1536 + ((a >>> 8) & 0xff)] ^
    TABLE[1280 + ((a >>> 16) & 0xff)] ^
    TABLE[1024 + (a >>> 24)] ^
    TABLE[768 + b[i + 4]] ^
    TABLE[512 + b[i + 5]] ^
    TABLE[256 + b[i + 6]] ^
    TABLE[b[i + 7]]
  );
}

/** CRC-32C of `bytes[start, end)` without a subarray (the small-record hot path of the writer and the readers). */
export function crc32cRange(bytes: Uint8Array, start: number, end: number): number {
  if (end - start >= NATIVE_MIN_BYTES) return nativeCrc32c(bytes.subarray(start, end)) >>> 0;
  let c = -1;
  let i = start;
  for (; i + 8 <= end; i += 8) c = step8(c, bytes, i);
  for (; i < end; i++) c = TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
}

/** TFRecord's masked CRC of the 8 bytes at `p` (a record's length field): one slicing-by-8 step, no loop. */
export function maskedCrc32c8(bytes: Uint8Array, p: number): number {
  return maskCrc(~step8(-1, bytes, p) >>> 0);
}

/**
 * TFRecord's masked CRC: `((crc >>> 15) | (crc << 17)) + 0xa282ead8 (mod 2^32)`. TensorFlow masks stored CRCs because
 * a CRC of data that itself embeds CRCs is weak; every CRC in an event file is masked.
 */
export function maskCrc(crc: number): number {
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + MASK_DELTA) >>> 0;
}

/** Inverse of {@link maskCrc}. */
export function unmaskCrc(masked: number): number {
  const rot = (masked - MASK_DELTA) >>> 0;
  return ((rot >>> 17) | (rot << 15)) >>> 0;
}
