import { crc32c as nativeCrc32c } from '@node-rs/crc32';

/** TFRecord's mask delta (tensorflow/core/lib/hash/crc32c.h, `kMaskDelta`). */
const MASK_DELTA = 0xa282ead8;

// Below this size a table-driven JS CRC beats the cost of crossing into the native addon (SSE4.2/ARM CRC32C).
const NATIVE_MIN_BYTES = 256;
const TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    t[n] = c;
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

/** CRC-32C of `bytes[start, end)` without a subarray (the small-record hot path). */
export function crc32cRange(bytes: Uint8Array, start: number, end: number): number {
  if (end - start >= NATIVE_MIN_BYTES) return nativeCrc32c(bytes.subarray(start, end)) >>> 0;
  let c = -1;
  for (let i = start; i < end; i++) c = TABLE[(c ^ bytes[i]) & 0xff] ^ (c >>> 8);
  return ~c >>> 0;
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
