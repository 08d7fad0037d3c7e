// Hand-written mirror of the .proto subset in ./event.proto. Encoders write fields in field-number order, skip proto3
// defaults outside oneofs and pack repeated scalars — exactly what the C++ serializer under torch 1.13 emits, so the
// bytes match PyTorch's files. Decoders accept packed and unpacked repeated fields and skip unknown fields.
import { eventlogError } from '../errors.ts';
import {
  BinaryReader,
  BinaryWriter,
  WireType,
  decodeUtf8,
  readFields,
  readInt64,
  readRepeatedDouble,
  readRepeatedFloat,
  readRepeatedVarint,
  readString,
  writePackedDouble,
  writePackedFloat,
  writePackedVarint,
} from './wire.ts';

const LD = WireType.LengthDelimited;

/** TensorFlow `DataType` values eventlog writes or names when dumping. */
export const DataType = {
  DT_INVALID: 0,
  DT_FLOAT: 1,
  DT_DOUBLE: 2,
  DT_INT32: 3,
  DT_UINT8: 4,
  DT_INT16: 5,
  DT_INT8: 6,
  DT_STRING: 7,
  DT_COMPLEX64: 8,
  DT_INT64: 9,
  DT_BOOL: 10,
  DT_HALF: 19,
} as const;

/** `SessionLog.SessionStatus`. */
export const SessionStatus = { STATUS_UNSPECIFIED: 0, START: 1, STOP: 2, CHECKPOINT: 3 } as const;

/** `tensorboard.Event`: one record of an event file. Exactly one of the `what` fields is normally set. */
export interface Event {
  /** Seconds since the epoch (float64). */
  wallTime: number;
  /** Global step (int64; 0 is not serialized). */
  step: number;
  fileVersion?: string;
  /** Serialized `GraphDef`. */
  graphDef?: Uint8Array;
  summary?: Summary;
  logMessage?: { level: number; message: string };
  sessionLog?: SessionLog;
  taggedRunMetadata?: { tag: string; runMetadata: Uint8Array };
  metaGraphDef?: Uint8Array;
  sourceMetadata?: { writer: string };
}

/** `tensorboard.SessionLog`; status START at step S makes TensorBoard purge earlier points with step ≥ S. */
export interface SessionLog {
  status: number;
  checkpointPath?: string;
  msg?: string;
}

/** `tensorboard.Summary`. */
export interface Summary {
  value: SummaryValue[];
}

/** `tensorboard.Summary.Value`: a tag, optional plugin metadata and one value. */
export interface SummaryValue {
  tag: string;
  nodeName?: string;
  metadata?: SummaryMetadata;
  /** float32 (stored narrowed). */
  simpleValue?: number;
  obsoleteOldStyleHistogram?: Uint8Array;
  image?: SummaryImage;
  histo?: HistogramProto;
  audio?: SummaryAudio;
  tensor?: TensorProto;
}

/** `tensorboard.SummaryMetadata`. */
export interface SummaryMetadata {
  pluginData?: { pluginName: string; content: Uint8Array };
  displayName?: string;
  summaryDescription?: string;
  dataClass?: number;
}

/** `tensorboard.Summary.Image`: an encoded PNG and its size; colorspace = channels (1 gray, 3 RGB, 4 RGBA). */
export interface SummaryImage {
  height: number;
  width: number;
  colorspace: number;
  encodedImageString: Uint8Array;
}

/** `tensorboard.Summary.Audio`. */
export interface SummaryAudio {
  sampleRate: number;
  numChannels: number;
  lengthFrames: number;
  encodedAudioString: Uint8Array;
  contentType: string;
}

/** `tensorboard.HistogramProto`: `bucketLimit[i]` is the right edge of `bucket[i]`. */
export interface HistogramProto {
  min: number;
  max: number;
  num: number;
  sum: number;
  sumSquares: number;
  bucketLimit: number[];
  bucket: number[];
}

/** `tensorboard.TensorShapeProto`. An absent shape means rank 0. */
export interface TensorShape {
  dim: { size: number; name?: string }[];
  unknownRank?: boolean;
}

/** `tensorboard.TensorProto` (the fields TensorBoard plugins use). */
export interface TensorProto {
  dtype: number;
  tensorShape?: TensorShape;
  versionNumber?: number;
  tensorContent?: Uint8Array;
  halfVal?: number[];
  floatVal?: ArrayLike<number>;
  doubleVal?: ArrayLike<number>;
  intVal?: number[];
  stringVal?: Uint8Array[];
  int64Val?: number[];
  boolVal?: boolean[];
  uint32Val?: number[];
  uint64Val?: number[];
}

// ---------------------------------------------------------------------------------------------------- encoding

function writeString(w: BinaryWriter, field: number, s: string | undefined): void {
  if (s) w.tag(field, LD).string(s);
}
function writeBytes(w: BinaryWriter, field: number, b: Uint8Array | undefined): void {
  if (b && b.length > 0) w.tag(field, LD).bytes(b);
}
function writeInt(w: BinaryWriter, field: number, v: number | undefined): void {
  if (v) w.tag(field, WireType.Varint).int64(v);
}
function writeDouble(w: BinaryWriter, field: number, v: number | undefined): void {
  // proto3 skips +0.0 only; -0.0 has a sign bit set and is written.
  if (v !== undefined && (v !== 0 || Object.is(v, -0))) w.tag(field, WireType.Bit64).double(v);
}

/** Serialize an {@link Event} to protobuf bytes, field for field as torch's C++ serializer does. */
export function encodeEvent(event: Event): Uint8Array {
  const w = new BinaryWriter();
  writeEvent(w, event);
  return w.finish();
}

function writeEvent(w: BinaryWriter, e: Event): void {
  writeDouble(w, 1, e.wallTime);
  writeInt(w, 2, e.step);
  if (e.fileVersion !== undefined) w.tag(3, LD).string(e.fileVersion);
  else if (e.graphDef !== undefined) w.tag(4, LD).bytes(e.graphDef);
  else if (e.summary !== undefined) {
    w.tag(5, LD).fork();
    writeSummary(w, e.summary);
    w.join();
  } else if (e.logMessage !== undefined) {
    w.tag(6, LD).fork();
    writeInt(w, 1, e.logMessage.level);
    writeString(w, 2, e.logMessage.message);
    w.join();
  } else if (e.sessionLog !== undefined) {
    w.tag(7, LD).fork();
    writeInt(w, 1, e.sessionLog.status);
    writeString(w, 2, e.sessionLog.checkpointPath);
    writeString(w, 3, e.sessionLog.msg);
    w.join();
  } else if (e.taggedRunMetadata !== undefined) {
    w.tag(8, LD).fork();
    writeString(w, 1, e.taggedRunMetadata.tag);
    writeBytes(w, 2, e.taggedRunMetadata.runMetadata);
    w.join();
  } else if (e.metaGraphDef !== undefined) w.tag(9, LD).bytes(e.metaGraphDef);
  if (e.sourceMetadata !== undefined) {
    w.tag(10, LD).fork();
    writeString(w, 1, e.sourceMetadata.writer);
    w.join();
  }
}

/** Serialize a {@link Summary} alone (the payload of `Event.summary`). */
export function encodeSummary(summary: Summary): Uint8Array {
  const w = new BinaryWriter();
  writeSummary(w, summary);
  return w.finish();
}

function writeSummary(w: BinaryWriter, s: Summary): void {
  for (const v of s.value) {
    w.tag(1, LD).fork();
    writeValue(w, v);
    w.join();
  }
}

function writeValue(w: BinaryWriter, v: SummaryValue): void {
  writeString(w, 1, v.tag);
  if (v.simpleValue !== undefined) w.tag(2, WireType.Bit32).float(Math.fround(v.simpleValue));
  else if (v.obsoleteOldStyleHistogram !== undefined) w.tag(3, LD).bytes(v.obsoleteOldStyleHistogram);
  else if (v.image !== undefined) {
    w.tag(4, LD).fork();
    writeInt(w, 1, v.image.height);
    writeInt(w, 2, v.image.width);
    writeInt(w, 3, v.image.colorspace);
    writeBytes(w, 4, v.image.encodedImageString);
    w.join();
  } else if (v.histo !== undefined) {
    w.tag(5, LD).fork();
    writeHistogram(w, v.histo);
    w.join();
  } else if (v.audio !== undefined) {
    w.tag(6, LD).fork();
    if (v.audio.sampleRate) w.tag(1, WireType.Bit32).float(Math.fround(v.audio.sampleRate));
    writeInt(w, 2, v.audio.numChannels);
    writeInt(w, 3, v.audio.lengthFrames);
    writeBytes(w, 4, v.audio.encodedAudioString);
    writeString(w, 5, v.audio.contentType);
    w.join();
  }
  writeString(w, 7, v.nodeName);
  if (v.tensor !== undefined) {
    w.tag(8, LD).fork();
    writeTensor(w, v.tensor);
    w.join();
  }
  if (v.metadata !== undefined) {
    w.tag(9, LD).fork();
    writeMetadata(w, v.metadata);
    w.join();
  }
}

function writeMetadata(w: BinaryWriter, m: SummaryMetadata): void {
  if (m.pluginData !== undefined) {
    w.tag(1, LD).fork();
    writeString(w, 1, m.pluginData.pluginName);
    writeBytes(w, 2, m.pluginData.content);
    w.join();
  }
  writeString(w, 2, m.displayName);
  writeString(w, 3, m.summaryDescription);
  writeInt(w, 4, m.dataClass);
}

function writeHistogram(w: BinaryWriter, h: HistogramProto): void {
  writeDouble(w, 1, h.min);
  writeDouble(w, 2, h.max);
  writeDouble(w, 3, h.num);
  writeDouble(w, 4, h.sum);
  writeDouble(w, 5, h.sumSquares);
  writePackedDouble(w, 6, h.bucketLimit);
  writePackedDouble(w, 7, h.bucket);
}

/** Write a TensorShapeProto body (shared with the graph encoder). */
export function writeShape(w: BinaryWriter, s: TensorShape): void {
  for (const d of s.dim) {
    w.tag(2, LD).fork();
    writeInt(w, 1, d.size);
    writeString(w, 2, d.name);
    w.join();
  }
  if (s.unknownRank) w.tag(3, WireType.Varint).bool(true);
}

function writeTensor(w: BinaryWriter, t: TensorProto): void {
  writeInt(w, 1, t.dtype);
  if (t.tensorShape !== undefined) {
    w.tag(2, LD).fork();
    writeShape(w, t.tensorShape);
    w.join();
  }
  writeInt(w, 3, t.versionNumber);
  writeBytes(w, 4, t.tensorContent);
  if (t.floatVal) writePackedFloat(w, 5, t.floatVal);
  if (t.doubleVal) writePackedDouble(w, 6, t.doubleVal);
  if (t.intVal) writePackedVarint(w, 7, t.intVal);
  for (const s of t.stringVal ?? []) w.tag(8, LD).bytes(s);
  if (t.int64Val) writePackedVarint(w, 10, t.int64Val);
  if (t.boolVal) writePackedVarint(w, 11, t.boolVal.map(Number));
  if (t.halfVal) writePackedVarint(w, 13, t.halfVal);
  if (t.uint32Val) writePackedVarint(w, 16, t.uint32Val);
  if (t.uint64Val) writePackedVarint(w, 17, t.uint64Val);
}

// ---------------------------------------------------------------------------------------------------- decoding

/**
 * Parse protobuf bytes into an {@link Event}; unknown fields are skipped. Throws an `EventlogError`
 * (`EVENTLOG_BAD_EVENT`) on malformed input.
 */
export function decodeEvent(bytes: Uint8Array): Event {
  try {
    return decodeEventUnchecked(bytes);
  } catch (err) {
    throw eventlogError('EVENTLOG_BAD_EVENT', `${bytes.length} bytes that are not a valid Event (${(err as Error).message})`, 'a serialized tensorboard.Event', 'check where the bytes came from', err);
  }
}

/** {@link decodeEvent} throwing the protobuf reader's plain `Error` (the file reader adds file and offset). */
export function decodeEventUnchecked(bytes: Uint8Array): Event {
  const e: Event = { wallTime: 0, step: 0 };
  readFields(bytes, (r, f, wt) => {
    switch (f) {
      case 1:
        if (wt !== WireType.Bit64) return false;
        e.wallTime = r.double();
        return true;
      case 2:
        if (wt !== WireType.Varint) return false;
        e.step = readInt64(r);
        return true;
    }
    if (wt !== LD) return false;
    if (f >= 3 && f <= 9) clearWhat(e);
    switch (f) {
      case 3:
        e.fileVersion = readString(r);
        return true;
      case 4:
        e.graphDef = r.bytes().slice();
        return true;
      case 5:
        e.summary = decodeSummary(r.bytes());
        return true;
      case 6: {
        const m = { level: 0, message: '' };
        readFields(r.bytes(), (s, g, w) => {
          if (g === 1 && w === WireType.Varint) m.level = s.int32();
          else if (g === 2 && w === LD) m.message = readString(s);
          else return false;
          return true;
        });
        e.logMessage = m;
        return true;
      }
      case 7: {
        const log: SessionLog = { status: 0 };
        readFields(r.bytes(), (s, g, w) => {
          if (g === 1 && w === WireType.Varint) log.status = s.int32();
          else if (g === 2 && w === LD) log.checkpointPath = readString(s);
          else if (g === 3 && w === LD) log.msg = readString(s);
          else return false;
          return true;
        });
        e.sessionLog = log;
        return true;
      }
      case 8: {
        const t = { tag: '', runMetadata: new Uint8Array(0) };
        readFields(r.bytes(), (s, g, w) => {
          if (g === 1 && w === LD) t.tag = readString(s);
          else if (g === 2 && w === LD) t.runMetadata = s.bytes().slice();
          else return false;
          return true;
        });
        e.taggedRunMetadata = t;
        return true;
      }
      case 9:
        e.metaGraphDef = r.bytes().slice();
        return true;
      case 10: {
        const m = { writer: '' };
        readFields(r.bytes(), (s, g, w) => {
          if (g === 1 && w === LD) m.writer = readString(s);
          else return false;
          return true;
        });
        e.sourceMetadata = m;
        return true;
      }
    }
    return false;
  });
  return e;
}

// A later member of a oneof replaces an earlier one, as in every protobuf runtime. Only fields 3..9 belong to `what`.
function clearWhat(e: Event): void {
  delete e.fileVersion;
  delete e.graphDef;
  delete e.summary;
  delete e.logMessage;
  delete e.sessionLog;
  delete e.taggedRunMetadata;
  delete e.metaGraphDef;
}

/** Parse `Summary` bytes. */
export function decodeSummary(bytes: Uint8Array): Summary {
  const s: Summary = { value: [] };
  readFields(bytes, (r, f, wt) => {
    if (f !== 1 || wt !== LD) return false;
    s.value.push(decodeValue(r.bytes()));
    return true;
  });
  return s;
}

function clearValue(v: SummaryValue): void {
  delete v.simpleValue;
  delete v.obsoleteOldStyleHistogram;
  delete v.image;
  delete v.histo;
  delete v.audio;
  delete v.tensor;
}

function decodeValue(bytes: Uint8Array): SummaryValue {
  const v: SummaryValue = { tag: '' };
  readFields(bytes, (r, f, wt) => {
    if (f === 2) {
      if (wt !== WireType.Bit32) return false;
      clearValue(v);
      v.simpleValue = r.float();
      return true;
    }
    if (wt !== LD) return false;
    switch (f) {
      case 1:
        v.tag = readString(r);
        return true;
      case 7:
        v.nodeName = readString(r);
        return true;
      case 9:
        v.metadata = decodeMetadata(r.bytes());
        return true;
      case 3:
        clearValue(v);
        v.obsoleteOldStyleHistogram = r.bytes().slice();
        return true;
      case 4:
        clearValue(v);
        v.image = decodeImage(r.bytes());
        return true;
      case 5:
        clearValue(v);
        v.histo = decodeHistogram(r.bytes());
        return true;
      case 6:
        clearValue(v);
        v.audio = decodeAudio(r.bytes());
        return true;
      case 8:
        clearValue(v);
        v.tensor = decodeTensor(r.bytes());
        return true;
    }
    return false;
  });
  return v;
}

function decodeMetadata(bytes: Uint8Array): SummaryMetadata {
  const m: SummaryMetadata = {};
  readFields(bytes, (r, f, wt) => {
    if (f === 1 && wt === LD) {
      const p = { pluginName: '', content: new Uint8Array(0) };
      readFields(r.bytes(), (s, g, w) => {
        if (g === 1 && w === LD) p.pluginName = readString(s);
        else if (g === 2 && w === LD) p.content = s.bytes().slice();
        else return false;
        return true;
      });
      m.pluginData = p;
    } else if (f === 2 && wt === LD) m.displayName = readString(r);
    else if (f === 3 && wt === LD) m.summaryDescription = readString(r);
    else if (f === 4 && wt === WireType.Varint) m.dataClass = r.int32();
    else return false;
    return true;
  });
  return m;
}

function decodeImage(bytes: Uint8Array): SummaryImage {
  const im: SummaryImage = { height: 0, width: 0, colorspace: 0, encodedImageString: new Uint8Array(0) };
  readFields(bytes, (r, f, wt) => {
    if (f === 1 && wt === WireType.Varint) im.height = r.int32();
    else if (f === 2 && wt === WireType.Varint) im.width = r.int32();
    else if (f === 3 && wt === WireType.Varint) im.colorspace = r.int32();
    else if (f === 4 && wt === LD) im.encodedImageString = r.bytes().slice();
    else return false;
    return true;
  });
  return im;
}

function decodeAudio(bytes: Uint8Array): SummaryAudio {
  const a: SummaryAudio = { sampleRate: 0, numChannels: 0, lengthFrames: 0, encodedAudioString: new Uint8Array(0), contentType: '' };
  readFields(bytes, (r, f, wt) => {
    if (f === 1 && wt === WireType.Bit32) a.sampleRate = r.float();
    else if (f === 2 && wt === WireType.Varint) a.numChannels = readInt64(r);
    else if (f === 3 && wt === WireType.Varint) a.lengthFrames = readInt64(r);
    else if (f === 4 && wt === LD) a.encodedAudioString = r.bytes().slice();
    else if (f === 5 && wt === LD) a.contentType = readString(r);
    else return false;
    return true;
  });
  return a;
}

function decodeHistogram(bytes: Uint8Array): HistogramProto {
  const h: HistogramProto = { min: 0, max: 0, num: 0, sum: 0, sumSquares: 0, bucketLimit: [], bucket: [] };
  readFields(bytes, (r, f, wt) => {
    if (f >= 1 && f <= 5) {
      if (wt !== WireType.Bit64) return false;
      const d = r.double();
      if (f === 1) h.min = d;
      else if (f === 2) h.max = d;
      else if (f === 3) h.num = d;
      else if (f === 4) h.sum = d;
      else h.sumSquares = d;
      return true;
    }
    if (f === 6) return readRepeatedDouble(r, wt, h.bucketLimit);
    if (f === 7) return readRepeatedDouble(r, wt, h.bucket);
    return false;
  });
  return h;
}

/** Parse TensorShapeProto bytes. */
export function decodeShape(bytes: Uint8Array): TensorShape {
  const s: TensorShape = { dim: [] };
  readFields(bytes, (r, f, wt) => {
    if (f === 2 && wt === LD) {
      const d: { size: number; name?: string } = { size: 0 };
      readFields(r.bytes(), (q, g, w) => {
        if (g === 1 && w === WireType.Varint) d.size = readInt64(q);
        else if (g === 2 && w === LD) d.name = readString(q);
        else return false;
        return true;
      });
      s.dim.push(d);
    } else if (f === 3 && wt === WireType.Varint) s.unknownRank = r.bool();
    else return false;
    return true;
  });
  return s;
}

function decodeTensor(bytes: Uint8Array): TensorProto {
  const t: TensorProto = { dtype: 0 };
  const floats: number[] = [];
  const doubles: number[] = [];
  const list = (key: 'intVal' | 'int64Val' | 'halfVal' | 'uint32Val' | 'uint64Val'): number[] => (t[key] ??= []);
  readFields(bytes, (r, f, wt) => {
    switch (f) {
      case 1:
        if (wt !== WireType.Varint) return false;
        t.dtype = r.int32();
        return true;
      case 2:
        if (wt !== LD) return false;
        t.tensorShape = decodeShape(r.bytes());
        return true;
      case 3:
        if (wt !== WireType.Varint) return false;
        t.versionNumber = r.int32();
        return true;
      case 4:
        if (wt !== LD) return false;
        t.tensorContent = r.bytes().slice();
        return true;
      case 5:
        return readRepeatedFloat(r, wt, floats);
      case 6:
        return readRepeatedDouble(r, wt, doubles);
      case 7:
        return readRepeatedVarint(r, wt, list('intVal'));
      case 8:
        if (wt !== LD) return false;
        (t.stringVal ??= []).push(r.bytes().slice());
        return true;
      case 10:
        return readRepeatedVarint(r, wt, list('int64Val'));
      case 11: {
        const b: number[] = [];
        if (!readRepeatedVarint(r, wt, b)) return false;
        (t.boolVal ??= []).push(...b.map((x) => x !== 0));
        return true;
      }
      case 13:
        return readRepeatedVarint(r, wt, list('halfVal'));
      case 16:
        return readRepeatedVarint(r, wt, list('uint32Val'));
      case 17:
        return readRepeatedVarint(r, wt, list('uint64Val'));
    }
    return false;
  });
  if (floats.length > 0) t.floatVal = floats;
  if (doubles.length > 0) t.doubleVal = doubles;
  return t;
}

/** Decode a tensor's `string_val` entries as UTF-8 text (how the text plugin reads them). */
export function tensorStrings(t: TensorProto): string[] {
  return (t.stringVal ?? []).map(decodeUtf8);
}

export { BinaryWriter, BinaryReader, WireType };
