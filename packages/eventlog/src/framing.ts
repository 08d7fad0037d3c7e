import { crc32c, maskCrc } from './crc32c.ts';

/** Bytes of a TFRecord header: u64le length + u32le masked CRC of those 8 bytes. */
export const RECORD_HEADER_BYTES = 12;
/** Bytes of a TFRecord footer: u32le masked CRC of the data. */
export const RECORD_FOOTER_BYTES = 4;

/**
 * Frame one serialized `Event` as a TFRecord:
 * `u64le length | u32le masked_crc32c(length bytes) | data | u32le masked_crc32c(data)`.
 * @example frameRecord(encodeEvent({ wallTime: 1700000000, step: 0, fileVersion: 'brain.Event:2' }))
 */
export function frameRecord(data: Uint8Array): Uint8Array {
  const out = new Uint8Array(RECORD_HEADER_BYTES + data.length + RECORD_FOOTER_BYTES);
  writeRecordInto(out, 0, data);
  return out;
}

/** Write the framed record for `data` into `out` at `offset`; returns the offset after it. */
export function writeRecordInto(out: Uint8Array, offset: number, data: Uint8Array): number {
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  // Records are < 2^32 bytes in practice; the high word of the u64 stays 0.
  view.setUint32(offset, data.length, true);
  view.setUint32(offset + 4, Math.floor(data.length / 2 ** 32), true);
  view.setUint32(offset + 8, maskCrc(crc32c(out.subarray(offset, offset + 8))), true);
  out.set(data, offset + RECORD_HEADER_BYTES);
  const end = offset + RECORD_HEADER_BYTES + data.length;
  view.setUint32(end, maskCrc(crc32c(data)), true);
  return end + RECORD_FOOTER_BYTES;
}
