// Shared by the eventlog tests: golden case loading and a comparator from case.json's decoded events to ours.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodePng, type Event, type SummaryValue } from '../src/index.ts';

export const GOLDEN = new URL('./fixtures/golden/', import.meta.url).pathname;
export const FIXED_TIME = 1700000000.0;

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export function loadCase(name: string): Json {
  return JSON.parse(readFileSync(join(GOLDEN, name, 'case.json'), 'utf8'));
}

export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
export const unhex = (h: string): Uint8Array => new Uint8Array(Buffer.from(h, 'hex'));

/** case.json numbers: float32 fields as exact doubles; NaN/±Infinity as strings. */
export function num(x: number | string): number {
  if (x === 'NaN') return NaN;
  if (x === 'Infinity') return Infinity;
  if (x === '-Infinity') return -Infinity;
  return x as number;
}

export function tempDir(t: { after: (fn: () => void) => void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'eventlog-test-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

const flat = (v: Json): number[] => (Array.isArray(v) ? v.flat(Infinity).map(num) : [num(v)]);

/** Assert that one of our decoded summary values matches case.json's description of it. */
export function expectValueMatches(ours: SummaryValue, golden: Json, where: string): void {
  assert.equal(ours.tag, golden.tag, `${where}: tag`);
  assert.equal(ours.metadata !== undefined, golden.has_metadata, `${where}: has metadata`);
  if (golden.has_metadata) {
    const m = golden.metadata;
    assert.equal(ours.metadata?.pluginData?.pluginName ?? '', m.plugin_name, `${where}: plugin`);
    assert.equal(hex(ours.metadata?.pluginData?.content ?? new Uint8Array()), m.plugin_content_hex, `${where}: plugin content`);
    assert.equal(ours.metadata?.displayName ?? '', m.display_name);
    assert.equal(ours.metadata?.summaryDescription ?? '', m.summary_description);
    assert.equal(ours.metadata?.dataClass ?? 0, m.data_class);
  }
  const oneof = ['simpleValue', 'image', 'histo', 'tensor', 'audio'].find((k) => (ours as Json)[k] !== undefined) ?? null;
  const expectedOneof = golden.value_oneof === null ? null : { simple_value: 'simpleValue', image: 'image', histo: 'histo', tensor: 'tensor' }[golden.value_oneof as string];
  assert.equal(oneof, expectedOneof, `${where}: value kind`);
  if (golden.value_oneof === 'simple_value') {
    assert.ok(Object.is(ours.simpleValue, num(golden.simple_value)), `${where}: simple_value ${ours.simpleValue} vs ${golden.simple_value}`);
    const bits = new DataView(new ArrayBuffer(4));
    bits.setFloat32(0, ours.simpleValue!);
    assert.equal(bits.getUint32(0).toString(16).padStart(8, '0'), golden.simple_value_f32_bits_hex, `${where}: float32 bits`);
  } else if (golden.value_oneof === 'tensor') {
    const t = ours.tensor!;
    const g = golden.tensor;
    assert.equal(t.dtype, g.dtype_enum, `${where}: dtype`);
    assert.equal(t.tensorShape !== undefined, g.has_tensor_shape_field, `${where}: has shape`);
    assert.deepEqual(t.tensorShape?.dim.map((d) => d.size) ?? [], g.shape, `${where}: shape`);
    if (g.values !== undefined) {
      const values = Array.from(t.floatVal ?? t.doubleVal ?? []);
      assert.deepEqual(values, flat(g.values), `${where}: tensor values`);
    }
    if (g.string_val_hex !== undefined) assert.deepEqual((t.stringVal ?? []).map(hex), g.string_val_hex, `${where}: string_val`);
  } else if (golden.value_oneof === 'histo') {
    const h = ours.histo!;
    const g = golden.histo;
    assert.deepEqual([h.min, h.max, h.num, h.sum], [g.min, g.max, g.num, g.sum], `${where}: histogram stats`);
    // README allows a last-bit tolerance for the BLAS dot; numpy.ts reproduces OpenBLAS's order, so it is exact.
    assert.equal(h.sumSquares, g.sum_squares, `${where}: sum_squares`);
    assert.deepEqual(h.bucketLimit, g.bucket_limit.map(num), `${where}: bucket_limit`);
    assert.deepEqual(h.bucket, g.bucket.map(num), `${where}: bucket`);
  } else if (golden.value_oneof === 'image') {
    const im = ours.image!;
    const g = golden.image;
    assert.deepEqual([im.width, im.height, im.colorspace], [g.width, g.height, g.colorspace], `${where}: image size`);
    const px = decodePng(im.encodedImageString);
    assert.deepEqual([px.width, px.height, px.channels], g.decoded_shape_hwc.length === 3 ? [g.decoded_shape_hwc[1], g.decoded_shape_hwc[0], g.decoded_shape_hwc[2]] : []);
    assert.equal(hex(px.data), g.pixels_hex, `${where}: pixels`);
  }
}

/** Assert that one of our decoded events matches case.json's `events[i]`. */
export function expectEventMatches(ours: Event, golden: Json, where: string): void {
  assert.equal(ours.wallTime, golden.wall_time, `${where}: wall_time`);
  assert.equal(ours.step, golden.step, `${where}: step`);
  const what = ['fileVersion', 'graphDef', 'summary', 'sessionLog', 'taggedRunMetadata'].find((k) => (ours as Json)[k] !== undefined);
  const expectedWhat = { file_version: 'fileVersion', graph_def: 'graphDef', summary: 'summary', session_log: 'sessionLog', tagged_run_metadata: 'taggedRunMetadata' }[golden.what as string];
  assert.equal(what, expectedWhat, `${where}: what`);
  if (golden.file_version !== undefined) assert.equal(ours.fileVersion, golden.file_version);
  if (golden.source_metadata !== undefined) assert.deepEqual(ours.sourceMetadata, golden.source_metadata);
  else assert.equal(ours.sourceMetadata, undefined);
  if (golden.summary_values) {
    assert.equal(ours.summary!.value.length, golden.summary_values.length, `${where}: value count`);
    golden.summary_values.forEach((g: Json, i: number) => expectValueMatches(ours.summary!.value[i], g, `${where} value ${i}`));
  }
}
