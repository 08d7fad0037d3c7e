/**
 * TFRecord framing over a buffer of event-file bytes: `u64le length | u32le masked_crc(length) | data |
 * u32le masked_crc(data)`. The length CRC of every record is checked here. The data CRC is checked here too unless
 * the caller takes it over (`checkData = false`): the loader then checks it, with {@link dataCrcOk}, before using a
 * record it cannot cheaply undo, and for the scalar hot path only on the records still kept when a chunk is done
 * (most scalar records are sampled away; see run-loader.ts).
 *
 * Unlike TensorBoard, which stops reading a file at its first bad record, a corrupt record is skipped: the scanner
 * resynchronises at the next byte offset where a record with a valid length CRC and a valid data CRC starts.
 */

/** A length above this (256 MiB, eventlog's default) is treated as corruption. */
export const MAX_RECORD_BYTES = 256 * 1024 * 1024;
const HEADER = 12;
const FOOTER = 4;

import { crc32cRange, maskCrc, maskedCrc32c8 } from '@tbpipe/eventlog';

/** Where {@link scanRecords} stopped. */
export interface ScanStop {
  /** Buffer position of the first byte not consumed: the start of an incomplete record, or `end`. */
  stop: number;
  /** Bytes the incomplete record at `stop` needs in all (header + data + footer; 12 when the header is cut). */
  wanted: number;
  /** Corrupt records skipped in this scan, and the buffer position of the first one (-1 if none). */
  corrupt: number;
  firstCorrupt: number;
}

function readLength(buf: Uint8Array, p: number): number {
  return (buf[p] | (buf[p + 1] << 8) | (buf[p + 2] << 16)) + buf[p + 3] * 0x1000000 + (buf[p + 4] | (buf[p + 5] << 8) | (buf[p + 6] << 16) | (buf[p + 7] << 24)) * 2 ** 32;
}
function readU32(buf: Uint8Array, p: number): number {
  return (buf[p] | (buf[p + 1] << 8) | (buf[p + 2] << 16)) + buf[p + 3] * 0x1000000;
}
function headerOk(buf: Uint8Array, p: number): boolean {
  return readU32(buf, p + 8) === maskedCrc32c8(buf, p);
}

/** Whether the data CRC stored after `buf[dataStart, dataEnd)` matches. */
export function dataCrcOk(buf: Uint8Array, dataStart: number, dataEnd: number): boolean {
  return readU32(buf, dataEnd) === maskCrc(crc32cRange(buf, dataStart, dataEnd));
}

/**
 * Walk the records in `buf[start, end)`, calling `onRecord(dataStart, dataEnd, recordStart)` for each intact one.
 * Stops at the first record that is not complete in the buffer (the caller reads more, or at the end of the file
 * leaves it for the next reload: a record being written is "not complete yet", not an error).
 */
export function scanRecords(buf: Uint8Array, start: number, end: number, onRecord: (dataStart: number, dataEnd: number, recordStart: number) => boolean, checkData = true): ScanStop {
  let p = start;
  let corrupt = 0;
  let firstCorrupt = -1;
  const skip = (at: number) => {
    corrupt++;
    if (firstCorrupt < 0) firstCorrupt = at;
  };
  while (p < end) {
    if (end - p < HEADER) return { stop: p, wanted: HEADER, corrupt, firstCorrupt };
    const length = readLength(buf, p);
    if (!headerOk(buf, p) || length > MAX_RECORD_BYTES) {
      skip(p);
      const r = resync(buf, p + 1, end);
      if (r.found) {
        p = r.at;
        continue;
      }
      return { stop: r.at, wanted: r.wanted, corrupt, firstCorrupt };
    }
    const total = HEADER + length + FOOTER;
    if (end - p < total) return { stop: p, wanted: total, corrupt, firstCorrupt };
    const dataStart = p + HEADER;
    const dataEnd = dataStart + length;
    if (checkData && !dataCrcOk(buf, dataStart, dataEnd)) {
      skip(p);
      // The length was CRC-checked, so the next record most likely starts right after this one.
      p += total;
      continue;
    }
    if (!onRecord(dataStart, dataEnd, p)) skip(p);
    p += total;
  }
  return { stop: p, wanted: 0, corrupt, firstCorrupt };
}

// The next position at or after `from` where a whole valid record starts (found), or where a record with a valid
// header starts whose data is not all in the buffer yet (not found: read more there), or `end`.
function resync(buf: Uint8Array, from: number, end: number): { found: boolean; at: number; wanted: number } {
  for (let at = from; at + HEADER <= end; at++) {
    if (!headerOk(buf, at)) continue;
    const length = readLength(buf, at);
    if (length > MAX_RECORD_BYTES) continue;
    const total = HEADER + length + FOOTER;
    if (end - at < total) return { found: false, at, wanted: total };
    if (readU32(buf, at + HEADER + length) === maskCrc(crc32cRange(buf, at + HEADER, at + HEADER + length))) return { found: true, at, wanted: 0 };
  }
  const at = Math.max(from, end - HEADER + 1);
  return { found: false, at, wanted: HEADER };
}
