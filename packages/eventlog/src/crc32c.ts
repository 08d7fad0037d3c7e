import { crc32c as nativeCrc32c } from '@node-rs/crc32';

/** TFRecord's mask delta (tensorflow/core/lib/hash/crc32c.h, `kMaskDelta`). */
const MASK_DELTA = 0xa282ead8;

/**
 * CRC-32C (Castagnoli: reflected polynomial 0x82F63B78, init and xorout 0xFFFFFFFF) of `bytes`, as an unsigned
 * 32-bit number. `crc32c(utf8('123456789')) === 0xe3069283`.
 */
export function crc32c(bytes: Uint8Array): number {
  return nativeCrc32c(bytes) >>> 0;
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
