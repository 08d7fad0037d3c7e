import { open, type FileHandle } from 'node:fs/promises';
import { crc32c, maskCrc } from './crc32c.ts';
import { eventlogError, hex32 } from './errors.ts';
import { RECORD_FOOTER_BYTES, RECORD_HEADER_BYTES } from './framing.ts';
import { decodeEventUnchecked, type Event } from './proto/messages.ts';

/**
 * Largest record `readEvents` accepts by default: 256 MiB. A length above it is treated as corruption (a damaged
 * length would otherwise make the reader allocate gigabytes); raise `maxRecordBytes` for files with larger records.
 */
export const DEFAULT_MAX_RECORD_BYTES = 256 * 1024 * 1024;
const READ_CHUNK_BYTES = 1 << 20;

/** Options of {@link readEvents}. */
export interface ReadEventsOptions {
  /** Skip corrupt records (counted in the final warning) instead of throwing. Default false. */
  lenient?: boolean;
  /** Called for recoverable problems: a truncated last record, skipped records in lenient mode. */
  onWarning?: (warning: ReadWarning) => void;
  /** Optional logger; warnings are logged at `warn` with their fields. */
  logger?: { warn: (obj: object, msg: string) => void };
  /** See {@link DEFAULT_MAX_RECORD_BYTES}. */
  maxRecordBytes?: number;
}

/** A recoverable problem found while reading. */
export interface ReadWarning {
  code: 'EVENTLOG_TRUNCATED' | 'EVENTLOG_SKIPPED';
  message: string;
  path: string;
  /** Byte offset of the record concerned (truncation) or of the first skipped record. */
  offset: number;
  /** Records skipped (lenient mode). */
  skipped?: number;
}

/** One decoded event and where it was found. */
export interface EventRecord {
  event: Event;
  /** Byte offset of the record's header in the file. */
  offset: number;
}

const msg = {
  badCrc: (which: 'length' | 'data', path: string, offset: number, seen: number, expected: number) =>
    eventlogError(
      'EVENTLOG_CORRUPT',
      `${path}: record at byte ${offset} has ${which} CRC ${hex32(seen)}`,
      `${hex32(expected)}`,
      'the file is corrupt; read it with { lenient: true } (CLI --lenient) to skip damaged records',
    ),
  tooLong: (path: string, offset: number, length: number, max: number) =>
    eventlogError(
      'EVENTLOG_CORRUPT',
      `${path}: record at byte ${offset} claims ${length} bytes`,
      `at most ${max} (maxRecordBytes)`,
      'the file is corrupt, or raise maxRecordBytes if it really holds records this large',
    ),
  badEvent: (path: string, offset: number, cause: unknown) =>
    eventlogError(
      'EVENTLOG_BAD_EVENT',
      `${path}: record at byte ${offset} is not a valid Event (${(cause as Error).message})`,
      'a serialized tensorboard.Event',
      'is this a TensorBoard event file? read it with { lenient: true } to skip such records',
      cause,
    ),
};

/** Reads a file sequentially with a sliding buffer, so files larger than memory stream through. */
class ChunkReader {
  private buf = new Uint8Array(0);
  /** File offset of buf[0]. */
  private base = 0;
  private eof = false;
  constructor(private readonly fh: FileHandle) {}

  /** Ensure bytes [offset, offset + n) are buffered; returns how many of them are available (< n only at EOF). */
  async ensure(offset: number, n: number): Promise<number> {
    // The reader only moves forward: drop what lies before `offset`.
    if (offset > this.base) {
      const drop = Math.min(offset - this.base, this.buf.length);
      this.buf = this.buf.subarray(drop);
      this.base += drop;
    }
    while (offset + n > this.base + this.buf.length && !this.eof) {
      const want = Math.max(READ_CHUNK_BYTES, offset + n - (this.base + this.buf.length));
      const next = new Uint8Array(this.buf.length + want);
      next.set(this.buf);
      const { bytesRead } = await this.fh.read(next, this.buf.length, want, this.base + this.buf.length);
      if (bytesRead === 0) this.eof = true;
      this.buf = next.subarray(0, this.buf.length + bytesRead);
    }
    return Math.max(0, Math.min(n, this.base + this.buf.length - offset));
  }

  bytes(offset: number, n: number): Uint8Array {
    return this.buf.subarray(offset - this.base, offset - this.base + n);
  }
}

/**
 * Read the events of a TensorBoard event file in order, checking both CRCs of every record.
 * - A record cut short at the end of the file (a writer killed mid-write) ends the iteration with an
 *   `EVENTLOG_TRUNCATED` warning (via `onWarning`/`logger`), not an error.
 * - A corrupt record elsewhere (bad CRC, absurd length, undecodable Event) throws an {@link EventlogError} naming the
 *   file and byte offset; with `lenient` it is skipped — the reader resynchronises on the next offset where a record
 *   with valid CRCs starts — and one `EVENTLOG_SKIPPED` warning with the count is emitted at the end.
 * Records longer than `maxRecordBytes` (default 256 MiB) count as corrupt.
 * @example for await (const { event } of readEvents('runs/exp/events.out.tfevents.1700000000.host.1.0')) console.log(event.step);
 */
export async function* readEvents(path: string, options: ReadEventsOptions = {}): AsyncGenerator<EventRecord> {
  const max = options.maxRecordBytes ?? DEFAULT_MAX_RECORD_BYTES;
  const warn = (w: ReadWarning) => {
    options.onWarning?.(w);
    options.logger?.warn({ code: w.code, path: w.path, offset: w.offset, skipped: w.skipped }, w.message);
  };
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    throw eventlogError('EVENTLOG_OPEN', `cannot open ${path} (${(err as NodeJS.ErrnoException).code ?? err})`, 'a readable event file', 'check the path', err);
  }
  const reader = new ChunkReader(fh);
  let offset = 0;
  let skipped = 0;
  let firstSkipped = -1;
  const skip = (at: number) => {
    skipped++;
    if (firstSkipped < 0) firstSkipped = at;
  };
  try {
    for (;;) {
      const have = await reader.ensure(offset, RECORD_HEADER_BYTES);
      if (have === 0) break;
      if (have < RECORD_HEADER_BYTES) {
        warn({ code: 'EVENTLOG_TRUNCATED', path, offset, message: `eventlog: ${path}: last record at byte ${offset} is truncated (${have} of ${RECORD_HEADER_BYTES} header bytes); ignored` });
        break;
      }
      const header = reader.bytes(offset, RECORD_HEADER_BYTES);
      const view = new DataView(header.buffer, header.byteOffset, RECORD_HEADER_BYTES);
      const length = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
      const lengthCrc = view.getUint32(8, true);
      const expectedLengthCrc = maskCrc(crc32c(header.subarray(0, 8)));
      let error: Error | undefined;
      if (lengthCrc !== expectedLengthCrc) error = msg.badCrc('length', path, offset, lengthCrc, expectedLengthCrc);
      else if (length > max) error = msg.tooLong(path, offset, length, max);
      if (error) {
        if (!options.lenient) throw error;
        skip(offset);
        offset = await resync(reader, offset + 1, max);
        continue;
      }
      const total = RECORD_HEADER_BYTES + length + RECORD_FOOTER_BYTES;
      const got = await reader.ensure(offset, total);
      if (got < total) {
        warn({ code: 'EVENTLOG_TRUNCATED', path, offset, message: `eventlog: ${path}: last record at byte ${offset} is truncated (${got} of ${total} bytes); ignored` });
        break;
      }
      const data = reader.bytes(offset + RECORD_HEADER_BYTES, length);
      const footer = reader.bytes(offset + RECORD_HEADER_BYTES + length, RECORD_FOOTER_BYTES);
      const dataCrc = new DataView(footer.buffer, footer.byteOffset, 4).getUint32(0, true);
      const expectedDataCrc = maskCrc(crc32c(data));
      if (dataCrc !== expectedDataCrc) {
        if (!options.lenient) throw msg.badCrc('data', path, offset, dataCrc, expectedDataCrc);
        skip(offset);
        // The length was CRC-checked, so the next record most likely starts right after this one.
        offset += total;
        continue;
      }
      let event: Event;
      try {
        event = decodeEventUnchecked(data);
      } catch (err) {
        if (!options.lenient) throw msg.badEvent(path, offset, err);
        skip(offset);
        offset += total;
        continue;
      }
      yield { event, offset };
      offset += total;
    }
  } finally {
    await fh.close();
  }
  if (skipped > 0) {
    warn({ code: 'EVENTLOG_SKIPPED', path, offset: firstSkipped, skipped, message: `eventlog: ${path}: skipped ${skipped} corrupt record(s), the first at byte ${firstSkipped}` });
  }
}

// Scan forward for the next offset whose header CRC checks out and whose data CRC does too (or runs past EOF,
// which then reads as a truncated last record).
async function resync(reader: ChunkReader, from: number, max: number): Promise<number> {
  for (let at = from; ; at++) {
    const have = await reader.ensure(at, RECORD_HEADER_BYTES);
    if (have < RECORD_HEADER_BYTES) return at;
    const header = reader.bytes(at, RECORD_HEADER_BYTES);
    const view = new DataView(header.buffer, header.byteOffset, RECORD_HEADER_BYTES);
    if (view.getUint32(8, true) !== maskCrc(crc32c(header.subarray(0, 8)))) continue;
    const length = view.getUint32(0, true) + view.getUint32(4, true) * 2 ** 32;
    if (length > max) continue;
    const total = RECORD_HEADER_BYTES + length + RECORD_FOOTER_BYTES;
    if ((await reader.ensure(at, total)) < total) return at;
    const data = reader.bytes(at + RECORD_HEADER_BYTES, length);
    const footer = reader.bytes(at + RECORD_HEADER_BYTES + length, RECORD_FOOTER_BYTES);
    if (new DataView(footer.buffer, footer.byteOffset, 4).getUint32(0, true) === maskCrc(crc32c(data))) return at;
  }
}

/** Read a whole event file into an array of events (see {@link readEvents} for the rules). */
export async function readAllEvents(path: string, options: ReadEventsOptions = {}): Promise<Event[]> {
  const out: Event[] = [];
  for await (const { event } of readEvents(path, options)) out.push(event);
  return out;
}
