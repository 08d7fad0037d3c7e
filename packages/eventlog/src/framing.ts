import { crc32cRange, maskCrc } from './crc32c.ts';

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

function putU32(out: Uint8Array, at: number, v: number): void {
  out[at] = v & 0xff;
  out[at + 1] = (v >>> 8) & 0xff;
  out[at + 2] = (v >>> 16) & 0xff;
  out[at + 3] = (v >>> 24) & 0xff;
}

/** Write the framed record for `data` into `out` at `offset`; returns the offset after it. */
export function writeRecordInto(out: Uint8Array, offset: number, data: Uint8Array): number {
  out.set(data, offset + RECORD_HEADER_BYTES);
  return frameInPlace(out, offset, data.length);
}

/**
 * Add header and footer around `length` Event bytes already at `out[offset + 12 …]`; returns the offset after the
 * record.
 */
export function frameInPlace(out: Uint8Array, offset: number, length: number): number {
  putU32(out, offset, length >>> 0);
  putU32(out, offset + 4, Math.floor(length / 2 ** 32));
  putU32(out, offset + 8, maskCrc(crc32cRange(out, offset, offset + 8)));
  const end = offset + RECORD_HEADER_BYTES + length;
  putU32(out, end, maskCrc(crc32cRange(out, offset + RECORD_HEADER_BYTES, end)));
  return end + RECORD_FOOTER_BYTES;
}
