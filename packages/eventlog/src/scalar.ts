import { DataType, type SummaryValue } from './proto/messages.ts';

/** Options of `addScalar`, torch's keyword arguments. */
export interface ScalarOptions {
  /** Write a rank-0 DT_FLOAT tensor with plugin `scalars` instead of `simple_value` (torch's `new_style`). */
  newStyle?: boolean;
  /** With `newStyle`, a DT_DOUBLE tensor; without it, ignored — exactly as torch 1.13 does. */
  doublePrecision?: boolean;
}

/** torch's `scalar()` summary value: `simple_value` (float32), or with `newStyle` a rank-0 tensor. */
export function scalarValue(tag: string, value: number, options: ScalarOptions = {}): SummaryValue {
  if (!options.newStyle) return { tag, simpleValue: value };
  return {
    tag,
    tensor: options.doublePrecision ? { dtype: DataType.DT_DOUBLE, doubleVal: [value] } : { dtype: DataType.DT_FLOAT, floatVal: [value] },
    metadata: { pluginData: { pluginName: 'scalars', content: new Uint8Array(0) } },
  };
}

/** torch's `text()` summary value: tag + `/text_summary`, plugin `text`, DT_STRING tensor of shape [1], UTF-8 bytes. */
export function textValue(tag: string, text: string): SummaryValue {
  return {
    tag: `${tag}/text_summary`,
    metadata: { pluginData: { pluginName: 'text', content: new Uint8Array(0) } },
    tensor: { dtype: DataType.DT_STRING, tensorShape: { dim: [{ size: 1 }] }, stringVal: [new TextEncoder().encode(text)] },
  };
}

const scratch = new DataView(new ArrayBuffer(8));
function varintSize(n: number): number {
  let size = 1;
  while (n >= 0x80) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}
function putVarint(out: Uint8Array, pos: number, n: number): number {
  while (n >= 0x80) {
    out[pos++] = (n & 0x7f) | 0x80;
    n = Math.floor(n / 128);
  }
  out[pos++] = n;
  return pos;
}

/**
 * Hot path of `addScalar`: the bytes of `Event{wall_time, step, summary{value{tag, simple_value}}}`, identical to
 * `encodeEvent` of the same event (the tests check it) but without the generic writer's allocations.
 * `tagBytes` is the UTF-8 tag; `step` must be a non-negative safe integer (callers fall back otherwise).
 */
export function encodeScalarEvent(wallTime: number, step: number, tagBytes: Uint8Array, value: number): Uint8Array {
  const tagLen = tagBytes.length;
  const valueLen = (tagLen > 0 ? 1 + varintSize(tagLen) + tagLen : 0) + 5;
  const summaryLen = 1 + varintSize(valueLen) + valueLen;
  const hasWall = wallTime !== 0 || Object.is(wallTime, -0);
  const total = (hasWall ? 9 : 0) + (step !== 0 ? 1 + varintSize(step) : 0) + 1 + varintSize(summaryLen) + summaryLen;
  const out = new Uint8Array(total);
  let p = 0;
  if (hasWall) {
    out[p++] = 0x09;
    scratch.setFloat64(0, wallTime, true);
    for (let i = 0; i < 8; i++) out[p++] = scratch.getUint8(i);
  }
  if (step !== 0) {
    out[p++] = 0x10;
    p = putVarint(out, p, step);
  }
  out[p++] = 0x2a;
  p = putVarint(out, p, summaryLen);
  out[p++] = 0x0a;
  p = putVarint(out, p, valueLen);
  if (tagLen > 0) {
    out[p++] = 0x0a;
    p = putVarint(out, p, tagLen);
    out.set(tagBytes, p);
    p += tagLen;
  }
  out[p++] = 0x15;
  scratch.setFloat32(0, value, true);
  for (let i = 0; i < 4; i++) out[p++] = scratch.getUint8(i);
  return out;
}
