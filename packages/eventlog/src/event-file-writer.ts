import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, write, writeFileSync, writeSync, fsync, close } from 'node:fs';
import { hostname as osHostname } from 'node:os';
import { join } from 'node:path';
import { TEMP_SUFFIX } from '@tbpipe/core';
import { eventlogError } from './errors.ts';
import { crc32cRange, maskCrc } from './crc32c.ts';
import { RECORD_FOOTER_BYTES, RECORD_HEADER_BYTES, frameInPlace, frameRecord, writeRecordInto } from './framing.ts';
import { decodeEventUnchecked, encodeEvent, type Event } from './proto/messages.ts';

/** What the first record of every file says: TensorBoard's current event-file version and torch's writer name. */
export const FILE_VERSION = 'brain.Event:2';
/** `source_metadata.writer` torch 1.13 (via tensorboard's EventFileWriter) puts in the first record. */
export const SOURCE_WRITER = 'tensorboard.summary.writer.event_file_writer';

/** Options of {@link EventFileWriter}; the defaults live in `DEFAULT_SUMMARY_WRITER_OPTIONS`. */
export interface EventFileWriterOptions {
  /** Records queued before a write starts (torch's `max_queue`). */
  maxQueue: number;
  /** A write starts at least this often while records wait (torch's `flush_secs`, in ms). */
  flushMillis: number;
  /** Appended to the file name (torch's `filename_suffix`). */
  filenameSuffix: string;
  /** Clock in seconds since the epoch (float), like Python's `time.time()`. */
  now: () => number;
  /** Host name in the file name; default `os.hostname()`. */
  hostname?: string;
  /**
   * Queued bytes above which the writer stops waiting for the disk and writes synchronously — the back-pressure
   * torch gets from its blocking queue. Default 16 MiB.
   */
  maxPendingBytes?: number;
  /**
   * A fixed file name instead of torch's time/host/pid name (see {@link stableEventFileName}); it must start with
   * `events.out.tfevents.` (TensorBoard reads no other file) and end with `filenameSuffix`. An existing file of that
   * name is replaced, so a rerun — or a cache restoring an older run's file — overwrites it instead of adding a file
   * beside it whose points TensorBoard would show too.
   */
  fileName?: string;
  /**
   * With `fileName`: continue the existing file instead of replacing it, keeping its complete records whose step is
   * below this one and dropping the rest (a record cut off by a crash, and every point a resumed run will write
   * again) — TensorBoard's `purge_step` applied to the file itself, so no `session_log START` is needed.
   */
  keepStepsBelow?: number;
}

/** Every event file name starts with this; TensorBoard ignores files without `tfevents` in the name. */
export const EVENT_FILE_PREFIX = 'events.out.tfevents.';

/**
 * A file name that is the same on every run for one `suffix`: `events.out.tfevents.0000000000.tbpipe.0.0<suffix>`,
 * shaped like torch's (`<10-digit seconds>.<host>.<pid>.<n>`) so tools that split names keep working. Pass it as
 * `fileName` so a rerun replaces the file rather than adding one.
 * @example new SummaryWriter(runDir, { filenameSuffix: '.train', fileName: stableEventFileName('.train') })
 */
export function stableEventFileName(suffix: string): string {
  return `${EVENT_FILE_PREFIX}0000000000.tbpipe.0.0${suffix}`;
}

const badFileName = (name: string, suffix: string) =>
  eventlogError(
    'EVENTLOG_FILE_NAME',
    `fileName ${JSON.stringify(name)}`,
    `a plain name starting with ${EVENT_FILE_PREFIX}${suffix ? ` and ending with ${suffix}` : ''}`,
    `use stableEventFileName(${JSON.stringify(suffix)})`,
  );

/**
 * The bytes of the complete, intact records at the start of `bytes` whose Event's step is below `stepLimit`, in order.
 * Stops at the first record that is cut off or fails a CRC (what a crash leaves at the end of a file).
 */
function keptRecords(bytes: Uint8Array, stepLimit: number): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const kept: Uint8Array[] = [];
  let total = 0;
  for (let at = 0; at + RECORD_HEADER_BYTES <= bytes.length; ) {
    const length = view.getUint32(at, true) + view.getUint32(at + 4, true) * 2 ** 32;
    const end = at + RECORD_HEADER_BYTES + length + RECORD_FOOTER_BYTES;
    if (view.getUint32(at + 8, true) !== maskCrc(crc32cRange(bytes, at, at + 8)) || end > bytes.length) break;
    if (view.getUint32(end - 4, true) !== maskCrc(crc32cRange(bytes, at + RECORD_HEADER_BYTES, end - 4))) break;
    let step: number;
    try {
      step = Number(decodeEventUnchecked(bytes.subarray(at + RECORD_HEADER_BYTES, end - 4)).step ?? 0);
    } catch {
      break;
    }
    if (step < stepLimit) {
      kept.push(bytes.subarray(at, end));
      total += end - at;
    }
    at = end;
  }
  const out = new Uint8Array(total);
  let off = 0;
  for (const k of kept) {
    out.set(k, off);
    off += k.length;
  }
  return out;
}

// tensorboard's `_global_uid`: a process-wide counter that makes file names unique within a second.
let globalUid = 0;

// Writers with queued bytes still to write when the process exits normally; flushed synchronously then.
const openWriters = new Set<EventFileWriter>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on('exit', () => {
    for (const w of openWriters) w.flushSyncOnExit();
  });
}

/**
 * One event file: a TFRecord stream of `Event`s, named `events.out.tfevents.<10-digit seconds>.<host>.<pid>.<n><suffix>`
 * like tensorboard's `EventFileWriter`. The `file_version` record is written synchronously by the constructor, so the
 * file is valid from the start. Later records are queued and written in order by one asynchronous write at a time,
 * started when `maxQueue` records wait, every `flushMillis`, or on {@link flush}; a crash loses at most the queue.
 */
export class EventFileWriter {
  /** Absolute or logdir-relative path of the file. */
  readonly path: string;
  private readonly fd: number;
  private readonly maxQueue: number;
  private readonly maxPendingBytes: number;
  private pending: Uint8Array;
  private pendingBytes = 0;
  private pendingRecords = 0;
  /** File offset the next chunk is written at. */
  private position = 0;
  /** End of the prefix of the file known to be written. */
  private durable = 0;
  private readonly doneOutOfOrder = new Map<number, number>();
  private inFlight: { chunk: Uint8Array; start: number } | undefined;
  private tail: Promise<void> = Promise.resolve();
  private failure: Error | undefined;
  private closed = false;
  private readonly timer: NodeJS.Timeout;

  constructor(logdir: string, options: EventFileWriterOptions) {
    this.maxQueue = Math.max(1, options.maxQueue);
    this.maxPendingBytes = options.maxPendingBytes ?? 16 * 1024 * 1024;
    const fixed = options.fileName;
    if (fixed !== undefined && (!fixed.startsWith(EVENT_FILE_PREFIX) || !fixed.endsWith(options.filenameSuffix) || /[/\\]/.test(fixed))) {
      throw badFileName(fixed, options.filenameSuffix);
    }
    const seconds = Math.floor(options.now());
    const host = options.hostname ?? osHostname();
    const name = fixed ?? `${EVENT_FILE_PREFIX}${String(seconds).padStart(10, '0')}.${host}.${process.pid}.${globalUid++}${options.filenameSuffix}`;
    this.path = join(logdir, name);
    let kept: Uint8Array = new Uint8Array(0);
    // core's temp-file form, so removeRunFiles and removeTempDebris recognise what a crash leaves.
    const temp = join(logdir, `.${name}${TEMP_SUFFIX}${process.pid}`);
    try {
      mkdirSync(logdir, { recursive: true });
      if (fixed !== undefined && options.keepStepsBelow !== undefined) {
        kept = keptRecords(readExisting(this.path), options.keepStepsBelow);
        // Rewritten through a temporary file and a rename: a crash now leaves the old file or the new one.
        writeFileSync(temp, kept);
        renameSync(temp, this.path);
        this.fd = openSync(this.path, 'r+');
      } else {
        this.fd = openSync(this.path, fixed === undefined ? 'wx' : 'w');
      }
    } catch (err) {
      if (fixed !== undefined) rmSync(temp, { force: true });
      throw eventlogError('EVENTLOG_OPEN', `cannot create ${this.path} (${(err as NodeJS.ErrnoException).code ?? err})`, 'a writable log directory', 'check the path and its permissions', err);
    }
    if (kept.length === 0) {
      const first = frameRecord(encodeEvent({ wallTime: options.now(), step: 0, fileVersion: FILE_VERSION, sourceMetadata: { writer: SOURCE_WRITER } }));
      writeSync(this.fd, first, 0, first.length, 0);
      this.position = this.durable = first.length;
    } else {
      this.position = this.durable = kept.length;
    }
    this.pending = new Uint8Array(4096);
    this.timer = setInterval(() => this.kick(), Math.max(1, options.flushMillis));
    this.timer.unref();
    openWriters.add(this);
    installExitHook();
  }

  /** Queue one `Event` (encoded with {@link encodeEvent}). */
  addEvent(event: Event): void {
    this.addEventBytes(encodeEvent(event));
  }

  /** Queue one already-serialized `Event`; it is framed (length, CRCs) here. */
  addEventBytes(data: Uint8Array): void {
    this.reserve(data.length);
    writeRecordInto(this.pending, this.pendingBytes, data);
    this.commit(data.length);
  }

  /**
   * Encode-in-place protocol for hot paths: `reserve(n)` makes room for a record with an `n`-byte Event and returns
   * the offset in {@link pendingBuffer} where the Event goes; write exactly `n` bytes there, then `commit(n)`.
   */
  reserve(dataLength: number): number {
    if (this.failure) throw this.failure;
    if (this.closed) {
      throw eventlogError('EVENTLOG_CLOSED', `write to closed event file ${this.path}`, 'an open writer', 'create a new SummaryWriter (close() ends a writer for good)');
    }
    const size = RECORD_HEADER_BYTES + dataLength + RECORD_FOOTER_BYTES;
    if (this.pendingBytes + size > this.pending.length) {
      let cap = this.pending.length * 2;
      while (cap < this.pendingBytes + size) cap *= 2;
      const grown = new Uint8Array(cap);
      grown.set(this.pending.subarray(0, this.pendingBytes));
      this.pending = grown;
    }
    return this.pendingBytes + RECORD_HEADER_BYTES;
  }

  /** The queue buffer {@link reserve} offsets refer to (valid until the next call on this writer). */
  get pendingBuffer(): Uint8Array {
    return this.pending;
  }

  /** Frame the Event written after {@link reserve} (length and CRCs) and queue it. */
  commit(dataLength: number): void {
    frameInPlace(this.pending, this.pendingBytes, dataLength);
    this.pendingBytes += RECORD_HEADER_BYTES + dataLength + RECORD_FOOTER_BYTES;
    this.pendingRecords += 1;
    if (this.pendingRecords >= this.maxQueue) {
      if (this.inFlight && this.pendingBytes > this.maxPendingBytes) this.writePendingSync();
      else this.kick();
    }
  }

  private takePending(): { chunk: Uint8Array; start: number } {
    // Hand the buffer itself to the write (no copy) and start a fresh one of the same size, unless a burst made it huge.
    const chunk = this.pending.subarray(0, this.pendingBytes);
    const start = this.position;
    this.position += chunk.length;
    this.pendingBytes = 0;
    this.pendingRecords = 0;
    this.pending = new Uint8Array(Math.min(this.pending.length, 1 << 20));
    return { chunk, start };
  }

  private markDone(start: number, end: number): void {
    if (start !== this.durable) {
      this.doneOutOfOrder.set(start, end);
      return;
    }
    this.durable = end;
    for (let next = this.doneOutOfOrder.get(this.durable); next !== undefined; next = this.doneOutOfOrder.get(this.durable)) {
      this.doneOutOfOrder.delete(this.durable);
      this.durable = next;
    }
  }

  /** Start an asynchronous write of everything queued, unless one is in flight (it restarts when that ends). */
  private kick(): void {
    if (this.inFlight || this.pendingBytes === 0 || this.failure) return;
    const job = this.takePending();
    this.inFlight = job;
    this.tail = new Promise<void>((resolve) => {
      const writeFrom = (offset: number): void => {
        write(this.fd, job.chunk, offset, job.chunk.length - offset, job.start + offset, (err, written) => {
          if (err) {
            this.failure ??= eventlogError('EVENTLOG_WRITE', `write to ${this.path} failed (${err.code ?? err.message})`, 'a writable disk', 'free disk space or fix the path; queued events are lost', err);
            this.inFlight = undefined;
            resolve();
            return;
          }
          if (offset + written < job.chunk.length) return writeFrom(offset + written);
          this.inFlight = undefined;
          this.markDone(job.start, job.start + job.chunk.length);
          if (this.pendingRecords >= this.maxQueue) this.kick();
          resolve();
        });
      };
      writeFrom(0);
    });
  }

  // Back-pressure: the disk is slower than the producer; write this batch now, at its own offset.
  private writePendingSync(): void {
    const job = this.takePending();
    try {
      writeAllSync(this.fd, job.chunk, job.start);
    } catch (err) {
      this.failure ??= eventlogError('EVENTLOG_WRITE', `write to ${this.path} failed (${(err as NodeJS.ErrnoException).code ?? err})`, 'a writable disk', 'free disk space or fix the path', err);
      throw this.failure;
    }
    this.markDone(job.start, job.start + job.chunk.length);
  }

  /** Called on process exit: rewrite the in-flight chunk (idempotent, same bytes and offset) and the queue. */
  flushSyncOnExit(): void {
    try {
      if (this.inFlight) writeAllSync(this.fd, this.inFlight.chunk, this.inFlight.start);
      if (this.pendingBytes > 0) writeAllSync(this.fd, this.pending.subarray(0, this.pendingBytes), this.position);
    } catch {
      // Exiting anyway; nothing sensible to do.
    }
  }

  /** Resolves once every record queued before the call is written to the file (not yet fsynced). */
  async flush(): Promise<void> {
    const target = this.position + this.pendingBytes;
    while (this.durable < target && !this.failure) {
      if (!this.inFlight) this.kick();
      await this.tail;
    }
    if (this.failure) throw this.failure;
  }

  /** Flush, fsync and close the file. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return;
    try {
      await this.flush();
    } finally {
      this.closed = true;
      clearInterval(this.timer);
      openWriters.delete(this);
      await new Promise<void>((resolve) => fsync(this.fd, () => close(this.fd, () => resolve())));
    }
  }

  /** Synchronous close for tests and exit paths: writes the queue, fsyncs and closes. */
  closeSync(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.timer);
    openWriters.delete(this);
    this.flushSyncOnExit();
    fsyncSync(this.fd);
    closeSync(this.fd);
  }
}

/** The file's bytes, or none if it does not exist. */
function readExisting(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return new Uint8Array(0);
    throw err;
  }
}

function writeAllSync(fd: number, chunk: Uint8Array, start: number): void {
  let off = 0;
  while (off < chunk.length) off += writeSync(fd, chunk, off, chunk.length - off, start + off);
}
