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

import { putDouble, putFloat, putVarint, varintSize } from './proto/bytes.ts';

/** Size in bytes of {@link encodeScalarEventInto}'s output. */
export function scalarEventSize(wallTime: number, step: number, tagLength: number): number {
  const valueLen = (tagLength > 0 ? 1 + varintSize(tagLength) + tagLength : 0) + 5;
  const summaryLen = 1 + varintSize(valueLen) + valueLen;
  const hasWall = wallTime !== 0 || Object.is(wallTime, -0);
  return (hasWall ? 9 : 0) + (step !== 0 ? 1 + varintSize(step) : 0) + 1 + varintSize(summaryLen) + summaryLen;
}

/**
 * Hot path of `addScalar`: write `Event{wall_time, step, summary{value{tag, simple_value}}}` into `out` at `pos`,
 * byte-identical to `encodeEvent` of the same event (the tests check it) without the generic writer's allocations.
 * `tagBytes` is the UTF-8 tag; `step` must be a non-negative safe integer (callers fall back otherwise).
 * Returns the position after the event.
 */
export function encodeScalarEventInto(out: Uint8Array, pos: number, wallTime: number, step: number, tagBytes: Uint8Array, value: number): number {
  const tagLen = tagBytes.length;
  const valueLen = (tagLen > 0 ? 1 + varintSize(tagLen) + tagLen : 0) + 5;
  const summaryLen = 1 + varintSize(valueLen) + valueLen;
  let p = pos;
  if (wallTime !== 0 || Object.is(wallTime, -0)) {
    out[p++] = 0x09;
    p = putDouble(out, p, wallTime);
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
  return putFloat(out, p, value);
}

/** {@link encodeScalarEventInto} into a fresh array. */
export function encodeScalarEvent(wallTime: number, step: number, tagBytes: Uint8Array, value: number): Uint8Array {
  const out = new Uint8Array(scalarEventSize(wallTime, step, tagBytes.length));
  encodeScalarEventInto(out, 0, wallTime, step, tagBytes, value);
  return out;
}
