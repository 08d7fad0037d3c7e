/**
 * One run's loader: TensorBoard's `EventAccumulator` (plugin_event_accumulator.py) for the files of one directory.
 * Files are read in name order, each from the byte where the last reload stopped; records go through the compat
 * migrations (compat.ts), the orphaned-data purge, and into a reservoir per tag (reservoir.ts). Values are decoded
 * only as far as needed: a scalar's number is read in place, any other value is kept as raw bytes (copied out of the
 * read buffer once it is known to be kept, see `largeValue`) and converted on first read.
 */
import { open, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { DataClass, Form, Plugin, dataClassOf, migratedMetadata, parseMetadata, type Metadata, type RawValue } from './compat.ts';
import { Kind, What, ev, scanEvent, scanNextValue, sessionStatus, taggedRunMetadata, val } from './event-scan.ts';
import { dataCrcOk, scanRecords } from './records.ts';
import { Reservoir } from './reservoir.ts';
import { tensorScalar } from './tensor.ts';
import { utf8At, wire, WireError } from './wire.ts';

/** TensorBoard 2.20's load-time reservoir sizes (data_ingester.py); any other plugin gets {@link DEFAULT_SAMPLES}. */
export const DEFAULT_SAMPLES_PER_PLUGIN: Readonly<Record<string, number>> = { scalars: 1000, images: 10, audio: 10, histograms: 500, pr_curves: 100 };
/** Reservoir size of plugins missing from the table, and of tensors with no metadata (TensorBoard's TENSORS: 10). */
export const DEFAULT_SAMPLES = 10;
/** `SessionLog.START`. */
const SESSION_START = 1;
/** Bytes read per `read()` call; a larger record gets a buffer of its own size. */
const CHUNK_BYTES = 16 * 1024 * 1024;
/** Records at least this large take {@link RunLoader.largeValue}'s deferred CRC check and copy when they can. */
const LARGE_VALUE_BYTES = 1024;
/** First bytes of a file remembered to notice it was replaced by another of at least the same size. */
const HEAD_BYTES = 64;

/** What the loader keeps of one tag of a run. */
export interface TagState {
  tag: string;
  bytes: Uint8Array;
  /** TensorBoard's `summary_metadata[tag]`: the first metadata seen in the run, after migration. */
  meta: Metadata | null;
  /** Reservoir of its points, created with the first point. */
  points: Reservoir | null;
  /** Plugin and data class of the tag's first value in each file (dataclass_compat's `initial_metadata`). */
  fileInit: Map<number, { plugin: string; dataClass: number }>;
  /** The last file whose `fileInit` entry is known to exist (saves the Map lookup per record). */
  lastFile: number;
  /** Sequence number of the last chunk that offered it a point whose CRC check was deferred. */
  chunkSeq: number;
  /** Listed in the loader's changes since the last `takeChanges`. */
  changed: boolean;
}

/** The state of one event file. */
interface FileState {
  id: number;
  name: string;
  /** Bytes consumed: the next record starts here. */
  offset: number;
  ino: number;
  size: number;
  mtimeMs: number;
  ctimeMs: number;
  head: Uint8Array;
}

/** Counters of one reload, shared by the runs, and the read buffer they take turns with. */
export interface CycleStats {
  bytesRead: number;
  skippedRecords: number;
  /** Reused between reads (runs load one after another); grown for a record larger than {@link CHUNK_BYTES}. */
  buffer: { bytes: Uint8Array };
}

/** Where warnings go. */
export interface LoaderLog {
  warn(o: object, m: string): void;
}

let nextFileId = 1;

const decoder = new TextDecoder();

export class RunLoader {
  /** Wall time of the run's first event, or null before one was read. */
  startTime: number | null = null;
  readonly tags = new Map<string, TagState>();
  /** Tags that gained or lost points since the last {@link takeChanges} (each also has `changed` set). */
  private changed: TagState[] = [];
  private readonly byHash = new Map<number, TagState[]>();
  private readonly files = new Map<string, FileState>();
  private fileVersion: number | null = null;
  /** `file_version >= 2`: purges follow SessionLog START, not out-of-order steps. */
  private purgeBySession = false;
  /** The tags the hot path matched last, tried before the hash lookup (runs log a handful of tags in turn). */
  private recent: TagState[] = [];
  private seenSessionStart = false;
  private mostRecentStep = -1;
  /** File offset of the chunk being scanned, its sequence number, and the tags it gave deferred-CRC points. */
  private chunkBase = 0;
  private chunkSeq = 0;
  private chunkTouched: TagState[] = [];
  /** While a large value is offered by {@link largeValue}: its record's file offset, else -1. */
  private deferredOrigin = -1;
  /** A DataView over the chunk buffer, for the hot path's float reads. */
  private view: DataView = new DataView(new ArrayBuffer(8));

  constructor(
    readonly name: string,
    readonly path: string,
    private readonly samplesPerPlugin: Readonly<Record<string, number>>,
    private readonly log: LoaderLog,
  ) {}

  /** Read what is new in the run's event files (`names`, in name order); files no longer listed lose their points. */
  async reload(names: readonly string[], stats: CycleStats): Promise<void> {
    const present = new Set(names);
    for (const [name, f] of this.files) {
      if (!present.has(name)) {
        this.dropFile(f.id);
        this.files.delete(name);
      }
    }
    for (const name of names) {
      try {
        await this.loadFile(name, stats);
      } catch (err) {
        // An I/O error on one file (EIO, EACCES after a chmod, ...) must not stop the others; the next cycle retries.
        this.log.warn({ run: this.name, file: join(this.path, name), err }, 'cannot read event file; will retry');
      }
    }
  }

  /** Tags changed since the last call. */
  takeChanges(): TagState[] {
    const out = this.changed;
    for (const t of out) t.changed = false;
    this.changed = [];
    return out;
  }

  private markChanged(t: TagState): void {
    t.changed = true;
    this.changed.push(t);
  }

  /** Plugins with at least one tag (TensorBoard's `ActivePlugins`). */
  plugins(): Set<string> {
    const out = new Set<string>();
    for (const t of this.tags.values()) if (t.meta && t.meta.plugin) out.add(t.meta.plugin);
    return out;
  }

  private async loadFile(name: string, stats: CycleStats): Promise<void> {
    const path = join(this.path, name);
    let st;
    try {
      st = await stat(path);
    } catch {
      return; // gone between the scan and now: the next scan drops it
    }
    let f = this.files.get(name);
    if (f && f.ino === st.ino && f.size === st.size && f.mtimeMs === st.mtimeMs && f.ctimeMs === st.ctimeMs) return;
    if (f && (f.ino !== st.ino || st.size < f.offset || !(await this.sameHead(path, f.head)))) {
      this.log.warn({ run: this.name, file: path }, 'event file was replaced or truncated; reading it again from the start');
      this.dropFile(f.id);
      f = undefined;
    }
    if (!f) {
      f = { id: nextFileId++, name, offset: 0, ino: st.ino, size: 0, mtimeMs: 0, ctimeMs: 0, head: new Uint8Array(0) };
      this.files.set(name, f);
    }
    f.ino = st.ino;
    f.size = st.size;
    f.mtimeMs = st.mtimeMs;
    f.ctimeMs = st.ctimeMs;
    if (st.size > f.offset) await this.readFrom(path, f, st.size, stats);
  }

  private async sameHead(path: string, head: Uint8Array): Promise<boolean> {
    if (head.length === 0) return true;
    const fh = await open(path, 'r');
    try {
      const now = new Uint8Array(head.length);
      const { bytesRead } = await fh.read(now, 0, head.length, 0);
      if (bytesRead !== head.length) return false;
      for (let i = 0; i < head.length; i++) if (now[i] !== head[i]) return false;
      return true;
    } finally {
      await fh.close();
    }
  }

  private async readFrom(path: string, f: FileState, size: number, stats: CycleStats): Promise<void> {
    let fh;
    try {
      fh = await open(path, 'r');
    } catch {
      return;
    }
    try {
      let want = CHUNK_BYTES;
      while (f.offset < size) {
        const n = Math.min(size - f.offset, Math.max(want, CHUNK_BYTES));
        if (stats.buffer.bytes.length < n) stats.buffer.bytes = new Uint8Array(Math.max(n, Math.min(CHUNK_BYTES, 1 << 20)));
        const buf = stats.buffer.bytes;
        const { bytesRead } = await fh.read(buf, 0, n, f.offset);
        if (bytesRead === 0) break;
        stats.bytesRead += bytesRead;
        if (f.offset === 0 && f.head.length < HEAD_BYTES) f.head = buf.slice(0, Math.min(HEAD_BYTES, bytesRead));
        const fileId = f.id;
        this.chunkBase = f.offset;
        this.chunkSeq++;
        this.chunkTouched = [];
        if (this.view.buffer !== buf.buffer) this.view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
        const r = scanRecords(buf, 0, bytesRead, (s, e, rs) => this.record(buf, s, e, fileId, rs), false);
        const late = this.verifyDeferred(buf, r.stop, fileId);
        const corrupt = r.corrupt + late.count;
        if (corrupt > 0) {
          stats.skippedRecords += corrupt;
          const first = Math.min(r.firstCorrupt < 0 ? Infinity : r.firstCorrupt, late.first);
          this.log.warn({ run: this.name, file: path, offset: f.offset + first, skipped: corrupt }, 'corrupt event record(s) skipped');
        }
        f.offset += r.stop;
        if (r.stop < bytesRead) {
          // An incomplete record: at the end of the file it is still being written; else read on from it.
          if (f.offset + r.wanted > size) break;
          want = r.wanted;
        }
      }
    } finally {
      await fh.close();
    }
  }

  // ------------------------------------------------------------------------------------------------ records

  /**
   * Check the data CRC of the points the chunk just scanned offered through the hot path and that are still kept;
   * drop those that fail (they count as corrupt records). Returns their number and the first one's chunk position.
   */
  private verifyDeferred(buf: Uint8Array, scanned: number, file: number): { count: number; first: number } {
    let count = 0;
    let first = Infinity;
    for (const t of this.chunkTouched) {
      const r = t.points!;
      let bad: Set<number> | undefined;
      for (let i = 0; i < r.length; i++) {
        const slot = r.order[i];
        const at = r.origins[slot] - this.chunkBase;
        if (r.origins[slot] < 0 || r.files[slot] !== file || at < 0 || at >= scanned) continue;
        const length = buf[at] | (buf[at + 1] << 8) | (buf[at + 2] << 16) | (buf[at + 3] << 24);
        if (dataCrcOk(buf, at + 12, at + 12 + length)) {
          r.origins[slot] = -1;
          const raw = r.raws?.[slot];
          if (raw !== undefined && raw.bytes.buffer === buf.buffer) raw.bytes = raw.bytes.slice();
        } else {
          (bad ??= new Set()).add(slot);
          count++;
          first = Math.min(first, at);
        }
      }
      if (bad) {
        const seen = r.seen;
        r.filter((slot) => !bad.has(slot));
        r.seen = seen;
      }
    }
    this.chunkTouched = [];
    return { count, first };
  }

  /** Process one record's Event bytes; false if they are not an Event (counted as corrupt). */
  private record(buf: Uint8Array, start: number, end: number, file: number, recordStart: number): boolean {
    if (this.startTime !== null && this.fastScalar(buf, start, end, file, recordStart)) return true;
    if (this.startTime !== null && end - start >= LARGE_VALUE_BYTES && this.largeValue(buf, start, end, file, recordStart)) return true;
    if (!dataCrcOk(buf, start, end)) return false;
    try {
      scanEvent(buf, start, end);
    } catch (err) {
      if (err instanceof WireError) return false;
      throw err;
    }
    if (this.startTime === null) this.startTime = ev.wallTime;
    const { step, wallTime, what, whatStart, whatEnd } = ev;
    try {
      switch (what) {
        case What.fileVersion: {
          const text = utf8At(buf, whatStart, whatEnd);
          const v = Number(text.split('brain.Event:').pop());
          this.fileVersion = Number.isFinite(v) && text.split('brain.Event:').pop()!.trim() !== '' ? v : -1;
          this.purgeBySession = this.fileVersion !== 0 && this.fileVersion >= 2;
          this.maybePurge(false, false, step, buf, 0, 0);
          return true;
        }
        case What.sessionLog:
          this.maybePurge(false, sessionStatus(buf, whatStart, whatEnd) === SESSION_START, step, buf, 0, 0);
          return true;
        case What.graphDef:
          // dataclass_compat keeps the graph_def event (no summary) and adds a `__run_graph__` summary event.
          this.maybePurge(false, false, step, buf, 0, 0);
          this.syntheticBlob('__run_graph__', Plugin.graphs, buf.slice(whatStart, whatEnd), step, wallTime, file);
          return true;
        case What.taggedRunMetadata: {
          const t = taggedRunMetadata(buf, whatStart, whatEnd);
          this.syntheticBlob(utf8At(buf, t.tag[0], t.tag[1]), Plugin.graphTaggedRunMetadata, buf.slice(t.data[0], t.data[1]), step, wallTime, file);
          return true;
        }
        case What.summary:
          this.maybePurge(true, false, step, buf, whatStart, whatEnd);
          this.summary(buf, whatStart, whatEnd, step, wallTime, file);
          return true;
        default:
          this.maybePurge(false, false, step, buf, 0, 0);
          return true;
      }
    } catch (err) {
      if (err instanceof WireError) return false;
      throw err;
    }
  }

  // _MaybePurgeOrphanedData: with file_version >= 2 a second SessionLog START purges every tag's points at or after
  // its step; without, a summary event whose step is below the last summary step purges its own tags.
  private maybePurge(isSummary: boolean, isStart: boolean, step: number, buf: Uint8Array, sStart: number, sEnd: number): void {
    if (this.purgeBySession) {
      if (isStart) {
        if (!this.seenSessionStart) this.seenSessionStart = true;
        else this.purge(step, null);
      }
    } else if (isSummary && step < this.mostRecentStep) {
      this.purge(step, sEnd > sStart ? this.summaryTags(buf, sStart, sEnd) : ['__run_graph__']);
    }
    if (isSummary) this.mostRecentStep = step;
  }

  private summaryTags(buf: Uint8Array, start: number, end: number): string[] {
    const tags: string[] = [];
    wire.pos = start;
    while (wire.pos < end) if (scanNextValue(buf, end)) tags.push(utf8At(buf, val.tagStart, val.tagEnd));
    return tags;
  }

  private purge(step: number, tags: string[] | null): void {
    const states = tags === null ? [...this.tags.values()] : tags.map((t) => this.tags.get(t)).filter((t): t is TagState => t !== undefined);
    let expired = 0;
    for (const t of states) {
      if (!t.points) continue;
      const steps = t.points.steps;
      const n = t.points.filter((i) => steps[i] < step);
      if (n > 0) if (!t.changed) this.markChanged(t);
      expired += n;
    }
    if (expired > 0) this.log.warn({ run: this.name, step, expired }, 'out-of-order step (a restart): purged later points, as TensorBoard does');
  }

  private syntheticBlob(tag: string, plugin: string, bytes: Uint8Array, step: number, wallTime: number, file: number): void {
    if (!this.purgeBySession && step < this.mostRecentStep) this.purge(step, [tag]);
    this.mostRecentStep = step;
    const t = this.tagOf(new TextEncoder().encode(tag), 0, -1);
    if (!t.fileInit.has(file)) t.fileInit.set(file, { plugin, dataClass: DataClass.BLOB_SEQUENCE });
    t.meta ??= { plugin, content: new Uint8Array(0), displayName: '', description: '', dataClass: DataClass.BLOB_SEQUENCE };
    this.offer(t, step, wallTime, NaN, { form: Form.blob, bytes }, file);
  }

  private summary(buf: Uint8Array, start: number, end: number, step: number, wallTime: number, file: number): void {
    wire.pos = start;
    while (wire.pos < end) {
      if (!scanNextValue(buf, end)) continue;
      const after = wire.pos;
      this.value(buf, step, wallTime, file);
      wire.pos = after;
    }
  }

  /**
   * The hot path: an event that is exactly `{wall_time, step, summary{value{tag, simple_value | tensor}}}` (what every
   * `add_scalar` and TF2's `tf.summary.scalar` write after a tag's first record, byte layout as protobuf serializers
   * emit it) for a tag already known as a scalar in this file, with no purge to consider. Anything else returns false
   * and takes the general path.
   */
  private fastScalar(buf: Uint8Array, start: number, end: number, file: number, recordStart: number): boolean {
    let p = start;
    let wallTime = 0;
    if (buf[p] === 0x09) {
      if (p + 9 > end) return false;
      wallTime = this.view.getFloat64(p + 1, true);
      p += 9;
    }
    let step = 0;
    if (buf[p] === 0x10) {
      // Steps below 2^28 (four varint bytes) in small-integer arithmetic; anything longer takes the general path.
      let b = buf[p + 1];
      step = b & 0x7f;
      p += 2;
      if (b >= 0x80) {
        b = buf[p++];
        step |= (b & 0x7f) << 7;
        if (b >= 0x80) {
          b = buf[p++];
          step |= (b & 0x7f) << 14;
          if (b >= 0x80) {
            b = buf[p++];
            step |= (b & 0x7f) << 21;
            if (b >= 0x80) return false;
          }
        }
      }
      if (p > end) return false;
    }
    // summary (field 5), then one value (field 1), each with a one-byte length ending exactly at the record's end
    if (buf[p] !== 0x2a || buf[p + 1] >= 0x80 || p + 2 + buf[p + 1] !== end) return false;
    p += 2;
    if (buf[p] !== 0x0a || buf[p + 1] >= 0x80 || p + 2 + buf[p + 1] !== end) return false;
    p += 2;
    if (buf[p] !== 0x0a || buf[p + 1] >= 0x80) return false;
    const tagStart = p + 2;
    const tagEnd = tagStart + buf[p + 1];
    // simple_value (field 2, fixed32), or a tensor (field 8) with a one-byte length: a scalar tensor (TF2, new_style)
    let value: number | undefined;
    if (buf[tagEnd] === 0x15 && tagEnd + 5 === end) value = this.view.getFloat32(tagEnd + 1, true);
    else if (buf[tagEnd] === 0x42 && buf[tagEnd + 1] < 0x80 && tagEnd + 2 + buf[tagEnd + 1] === end) value = NaN;
    else return false;
    if (step < this.mostRecentStep && !this.purgeBySession) return false;
    const t = this.recentTag(buf, tagStart, tagEnd);
    if (t.lastFile !== file || t.meta === null || t.meta.dataClass !== DataClass.SCALAR || t.points === null) return false;
    if (buf[tagEnd] === 0x42) {
      value = tensorScalar(buf, tagEnd + 2, end);
      if (value === undefined) return false;
    }
    this.mostRecentStep = step;
    t.points.offer(step, wallTime, value, undefined, file, this.chunkBase + recordStart);
    if (!t.changed) this.markChanged(t);
    if (t.chunkSeq !== this.chunkSeq) {
      t.chunkSeq = this.chunkSeq;
      this.chunkTouched.push(t);
    }
    return true;
  }

  private value(buf: Uint8Array, step: number, wallTime: number, file: number): void {
    const kind = val.kind;
    const t = this.tagOf(buf, val.tagStart, val.tagEnd);
    let init = t.fileInit.get(file);
    if (init !== undefined) t.lastFile = file;
    const hasMeta = val.metaStart >= 0 || (kind !== Kind.tensor && kind !== Kind.none && kind !== Kind.obsoleteHisto);
    let form: number = Form.tensor;
    // Metadata matters only for a tag's first value in a file and until the run has metadata for the tag.
    if (init === undefined || (t.meta === null && hasMeta)) {
      const own = val.metaStart >= 0 ? parseMetadata(buf, val.metaStart, val.metaEnd) : undefined;
      const meta = migratedMetadata(kind, t.tag, own) ?? own;
      if (init === undefined) {
        init = { plugin: meta?.plugin ?? '', dataClass: meta?.dataClass ?? 0 };
        t.fileInit.set(file, init);
        t.lastFile = file;
      }
      if (meta !== undefined && t.meta === null) {
        const cls = init.dataClass === 0 ? dataClassOf(init.plugin) : 0;
        t.meta = { plugin: meta.plugin, content: meta.content, displayName: meta.displayName, description: meta.description, dataClass: cls !== 0 ? cls : meta.dataClass };
      }
    }
    if (init.dataClass === 0) {
      const p = init.plugin;
      if (kind === Kind.tensor) {
        if (p === Plugin.audio) form = Form.tensorFirstAxis;
        else if (p === Plugin.graphRunMetadata || p === Plugin.graphRunMetadataGraph || p === Plugin.graphKerasModel) form = Form.tensorAtLeast1;
      } else if ((kind === Kind.none || kind === Kind.obsoleteHisto) && p === Plugin.hparams) form = Form.nullTensor;
    }
    let target = t;
    if (val.tagEnd === val.tagStart && val.nodeEnd > val.nodeStart) target = this.tagOf(buf, val.nodeStart, val.nodeEnd);
    const scalar = target.meta !== null && target.meta.dataClass === DataClass.SCALAR;
    switch (kind) {
      case Kind.simpleValue:
        if (scalar) this.offer(target, step, wallTime, val.simple, undefined, file);
        else this.offer(target, step, wallTime, NaN, { form: Form.tensor, bytes: floatTensorBytes(val.simple) }, file);
        return;
      case Kind.tensor: {
        if (scalar && form === Form.tensor) {
          const v = tensorScalar(buf, val.start, val.end);
          if (v !== undefined) {
            this.offer(target, step, wallTime, v, undefined, file);
            return;
          }
        }
        this.offer(target, step, wallTime, NaN, { form, bytes: this.valueBytes(buf) }, file);
        return;
      }
      case Kind.image:
        this.offer(target, step, wallTime, NaN, { form: Form.image, bytes: this.valueBytes(buf) }, file);
        return;
      case Kind.histo:
        this.offer(target, step, wallTime, NaN, { form: Form.histo, bytes: this.valueBytes(buf) }, file);
        return;
      case Kind.audio:
        this.offer(target, step, wallTime, NaN, { form: Form.audio, bytes: this.valueBytes(buf) }, file);
        return;
      default:
        if (form === Form.nullTensor) this.offer(target, step, wallTime, NaN, { form, bytes: new Uint8Array(0) }, file);
    }
  }

  private offer(t: TagState, step: number, wallTime: number, value: number, raw: RawValue | undefined, file: number): void {
    if (t.points === null) {
      const plugin = t.meta?.plugin;
      const size = plugin !== undefined && plugin in this.samplesPerPlugin ? this.samplesPerPlugin[plugin] : DEFAULT_SAMPLES;
      t.points = new Reservoir(size);
    }
    t.points.offer(step, wallTime, value, raw, file, this.deferredOrigin);
    if (!t.changed) this.markChanged(t);
    if (this.deferredOrigin >= 0 && t.chunkSeq !== this.chunkSeq) {
      t.chunkSeq = this.chunkSeq;
      this.chunkTouched.push(t);
    }
  }

  /** The current value's bytes: a view into the chunk while its CRC check and copy are deferred, else a copy. */
  private valueBytes(buf: Uint8Array): Uint8Array {
    return this.deferredOrigin >= 0 ? buf.subarray(val.start, val.end) : buf.slice(val.start, val.end);
  }

  /**
   * The hot path for large values (images, histograms, ...): a summary event of one value of a tag already known in
   * this file, with no purge to consider, only adds a point. Its data CRC check and the copy of its bytes out of the
   * chunk are deferred to the end of the chunk, for the points still kept then (see {@link verifyDeferred}).
   */
  private largeValue(buf: Uint8Array, start: number, end: number, file: number, recordStart: number): boolean {
    try {
      scanEvent(buf, start, end);
      if (ev.what !== What.summary || (ev.step < this.mostRecentStep && !this.purgeBySession)) return false;
      wire.pos = ev.whatStart;
      if (!scanNextValue(buf, ev.whatEnd) || wire.pos !== ev.whatEnd || val.tagEnd === val.tagStart) return false;
    } catch (err) {
      if (err instanceof WireError) return false;
      throw err;
    }
    const k = val.kind;
    if (k !== Kind.tensor && k !== Kind.image && k !== Kind.histo && k !== Kind.audio) return false;
    const t = this.tagOf(buf, val.tagStart, val.tagEnd);
    if (t.lastFile !== file || t.meta === null || t.points === null || t.meta.dataClass === DataClass.SCALAR) return false;
    this.mostRecentStep = ev.step;
    this.deferredOrigin = this.chunkBase + recordStart;
    try {
      this.value(buf, ev.step, ev.wallTime, file);
    } finally {
      this.deferredOrigin = -1;
    }
    return true;
  }

  private recentTag(buf: Uint8Array, start: number, end: number): TagState {
    const recent = this.recent;
    const len = end - start;
    outer: for (let k = 0; k < recent.length; k++) {
      const b = recent[k].bytes;
      if (b.length !== len) continue;
      for (let i = 0; i < len; i++) if (b[i] !== buf[start + i]) continue outer;
      return recent[k];
    }
    const t = this.tagOf(buf, start, end);
    if (recent.length >= 8) recent.shift();
    recent.push(t);
    return t;
  }

  /** The tag state for the UTF-8 tag `buf[start, end)` (`end < 0`: `buf` is the whole tag). */
  private tagOf(buf: Uint8Array, start: number, end: number): TagState {
    if (end < 0) {
      end = buf.length;
      start = 0;
    }
    let h = 0x811c9dc5;
    for (let i = start; i < end; i++) h = Math.imul(h ^ buf[i], 0x01000193);
    const list = this.byHash.get(h);
    if (list !== undefined) {
      outer: for (const t of list) {
        const b = t.bytes;
        if (b.length !== end - start) continue;
        for (let i = 0; i < b.length; i++) if (b[i] !== buf[start + i]) continue outer;
        return t;
      }
    }
    const bytes = buf.slice(start, end);
    const tag = decoder.decode(bytes);
    let t = this.tags.get(tag);
    if (t === undefined) {
      // Invalid UTF-8 spellings that decode to the same tag share a state, as Python's str keys do not, but harmlessly.
      t = { tag, bytes, meta: null, points: null, fileInit: new Map(), lastFile: 0, chunkSeq: 0, changed: false };
      this.tags.set(tag, t);
    }
    if (list) list.push(t);
    else this.byHash.set(h, [t]);
    return t;
  }

  /** Forget the points that came from file `id` (it was replaced, truncated or deleted). */
  private dropFile(id: number): void {
    for (const t of this.tags.values()) {
      t.fileInit.delete(id);
      if (t.lastFile === id) t.lastFile = 0;
      if (!t.points) continue;
      const files = t.points.files;
      if (t.points.filter((i) => files[i] !== id) > 0) if (!t.changed) this.markChanged(t);
    }
  }
}

// A DT_FLOAT scalar TensorProto: dtype (1) = 1, float_val (5) packed with one value — for a simple_value that lands
// in a tag whose data class is not scalar.
function floatTensorBytes(v: number): Uint8Array {
  const out = new Uint8Array(8);
  out[0] = 0x08;
  out[1] = 0x01;
  out[2] = 0x2a;
  out[3] = 0x04;
  new DataView(out.buffer).setFloat32(4, v, true);
  return out;
}

