/**
 * Field positions of one serialized `tensorboard.Event` and of the `Summary.Value`s inside it, found without
 * decoding anything the loader may not keep. Fields follow event.proto / summary.proto; for a oneof the last member
 * present wins, as in every protobuf runtime; unknown fields are skipped.
 */
import { float32At, float64At, lengthDelimited, skipField, varint, wire, WireError } from './wire.ts';

/** Event field numbers of the `what` oneof. */
export const What = { none: 0, fileVersion: 3, graphDef: 4, summary: 5, logMessage: 6, sessionLog: 7, taggedRunMetadata: 8, metaGraphDef: 9 } as const;

/** The scanned event (one shared instance, overwritten by every {@link scanEvent}). */
export const ev = { wallTime: 0, step: 0, what: 0, whatStart: 0, whatEnd: 0 };

/** Scan an Event at `buf[start, end)` into {@link ev}. Throws {@link WireError} on malformed bytes. */
export function scanEvent(buf: Uint8Array, start: number, end: number): void {
  ev.wallTime = 0;
  ev.step = 0;
  ev.what = 0;
  wire.pos = start;
  while (wire.pos < end) {
    const key = varint(buf, end);
    const f = key >>> 3;
    const wt = key & 7;
    if (f === 1 && wt === 1) {
      if (wire.pos + 8 > end) throw new WireError('truncated wall_time');
      ev.wallTime = float64At(buf, wire.pos);
      wire.pos += 8;
    } else if (f === 2 && wt === 0) {
      ev.step = varint(buf, end);
    } else if (f >= 3 && f <= 9 && wt === 2) {
      const stop = lengthDelimited(buf, end);
      ev.what = f;
      ev.whatStart = wire.pos;
      ev.whatEnd = stop;
      wire.pos = stop;
    } else if (f === 0) {
      throw new WireError('field number 0');
    } else {
      skipField(buf, end, wt);
    }
  }
  if (wire.pos !== end) throw new WireError('event overruns its record');
}

/** Value oneof field numbers (summary.proto `Summary.Value`). */
export const Kind = { none: 0, simpleValue: 2, obsoleteHisto: 3, image: 4, histo: 5, audio: 6, tensor: 8 } as const;

/** The scanned value (one shared instance). Ranges are buffer positions; `metaStart` is -1 without metadata. */
export const val = { tagStart: 0, tagEnd: 0, nodeStart: 0, nodeEnd: 0, kind: 0, simple: 0, start: 0, end: 0, metaStart: -1, metaEnd: -1 };

/**
 * Scan the `Summary.Value` whose key byte is at `wire.pos` inside a Summary ending at `end`; returns false when the
 * next field is not a value (skipped). After it, `wire.pos` is past the value.
 */
export function scanNextValue(buf: Uint8Array, end: number): boolean {
  const key = varint(buf, end);
  if (key !== 0x0a) {
    if (key >>> 3 === 0) throw new WireError('field number 0');
    skipField(buf, end, key & 7);
    return false;
  }
  const vEnd = lengthDelimited(buf, end);
  val.tagStart = val.tagEnd = 0;
  val.nodeStart = val.nodeEnd = 0;
  val.kind = 0;
  val.metaStart = val.metaEnd = -1;
  while (wire.pos < vEnd) {
    const k = varint(buf, vEnd);
    const f = k >>> 3;
    const wt = k & 7;
    if (f === 2) {
      if (wt !== 5) {
        skipField(buf, vEnd, wt);
        continue;
      }
      if (wire.pos + 4 > vEnd) throw new WireError('truncated simple_value');
      val.kind = 2;
      val.simple = float32At(buf, wire.pos);
      wire.pos += 4;
      continue;
    }
    if (wt !== 2) {
      if (f === 0) throw new WireError('field number 0');
      skipField(buf, vEnd, wt);
      continue;
    }
    const stop = lengthDelimited(buf, vEnd);
    switch (f) {
      case 1:
        val.tagStart = wire.pos;
        val.tagEnd = stop;
        break;
      case 7:
        val.nodeStart = wire.pos;
        val.nodeEnd = stop;
        break;
      case 9:
        val.metaStart = wire.pos;
        val.metaEnd = stop;
        break;
      case 3:
      case 4:
      case 5:
      case 6:
      case 8:
        val.kind = f;
        val.start = wire.pos;
        val.end = stop;
        break;
    }
    wire.pos = stop;
  }
  if (wire.pos !== vEnd) throw new WireError('value overruns its summary');
  return true;
}

/** `SessionLog.status` of the session_log payload at `buf[start, end)`. */
export function sessionStatus(buf: Uint8Array, start: number, end: number): number {
  wire.pos = start;
  let status = 0;
  while (wire.pos < end) {
    const k = varint(buf, end);
    if (k === 0x08) status = varint(buf, end);
    else skipField(buf, end, k & 7);
  }
  return status;
}

/** `(tag, run_metadata)` ranges of a TaggedRunMetadata payload. */
export function taggedRunMetadata(buf: Uint8Array, start: number, end: number): { tag: [number, number]; data: [number, number] } {
  wire.pos = start;
  const out = { tag: [0, 0] as [number, number], data: [0, 0] as [number, number] };
  while (wire.pos < end) {
    const k = varint(buf, end);
    if (k === 0x0a || k === 0x12) {
      const stop = lengthDelimited(buf, end);
      (k === 0x0a ? out.tag : out.data).splice(0, 2, wire.pos, stop);
      wire.pos = stop;
    } else skipField(buf, end, k & 7);
  }
  return out;
}
