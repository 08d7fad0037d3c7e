// messages.ts is written by hand (its encoders are several times faster than generated code; see the README), so
// this checks it against src/proto/event.proto through protobuf-es code generated from that file (test/generated/,
// `npm run proto -w @tbpipe/eventlog`): every field number, wire type and value type, on messages with every field set.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { fromBinary, toBinary, toJson, type JsonValue } from '@bufbuild/protobuf';
import { EventSchema } from './generated/event_pb.ts';
import { DataType, decodeEvent, encodeEvent, SessionStatus, type Event } from '../src/proto/messages.ts';

const PACKAGE = join(dirname(fileURLToPath(import.meta.url)), '..');
const bytes = (...b: number[]) => Uint8Array.from(b);

/** Events that together set every field of every message in event.proto (values exact in float32 where narrowed). */
const EVENTS: Record<string, Event> = {
  'file version': { wallTime: 1.5, step: 0, fileVersion: 'brain.Event:2', sourceMetadata: { writer: 'tbpipe' } },
  graph: { wallTime: 2, step: 3, graphDef: bytes(1, 2, 3) },
  'log message': { wallTime: 3, step: 4, logMessage: { level: 30, message: 'hi' } },
  'session log': { wallTime: 4, step: 5, sessionLog: { status: SessionStatus.START, checkpointPath: 'ckpt', msg: 'restart' } },
  'tagged run metadata': { wallTime: 5, step: 6, taggedRunMetadata: { tag: 'step1', runMetadata: bytes(9) } },
  'meta graph': { wallTime: 6, step: 7, metaGraphDef: bytes(4, 5) },
  'summary of every value kind': {
    wallTime: -0.25,
    step: 2 ** 40,
    summary: {
      value: [
        {
          tag: 'loss',
          nodeName: 'node',
          simpleValue: 0.5,
          metadata: { pluginData: { pluginName: 'scalars', content: bytes(8, 1) }, displayName: 'Loss', summaryDescription: 'd', dataClass: 1 },
        },
        { tag: 'old', obsoleteOldStyleHistogram: bytes(7) },
        { tag: 'img', image: { height: 2, width: 3, colorspace: 1, encodedImageString: bytes(0x89, 0x50) } },
        { tag: 'h', histo: { min: -1, max: 2, num: 3, sum: 0.5, sumSquares: 4.25, bucketLimit: [0, 1, 2], bucket: [1, 0, 2] } },
        { tag: 'a', audio: { sampleRate: 44100, numChannels: 2, lengthFrames: 10, encodedAudioString: bytes(1), contentType: 'audio/wav' } },
        {
          tag: 't',
          tensor: {
            dtype: DataType.DT_FLOAT,
            tensorShape: { dim: [{ size: 6, name: 'rows' }, { size: 2 }], unknownRank: true },
            versionNumber: 1,
            tensorContent: bytes(1, 2),
            halfVal: [1, 2],
            floatVal: [0.5, -2],
            doubleVal: [0.1, 3],
            intVal: [-1, 7],
            stringVal: [bytes(104, 105)],
            int64Val: [2 ** 40, -3],
            boolVal: [true, false],
            uint32Val: [4_000_000_000],
            uint64Val: [2 ** 50],
          },
        },
      ],
    },
  },
};

/**
 * Whether `hand` (a messages.ts object) and `json` (protobuf-es's JSON of the same bytes) hold the same values:
 * every non-default field of `hand` present and equal (int64 as decimal strings, bytes as base64, enums as
 * integers), and nothing in `json` that `hand` lacks (a field the generated code reads under another name).
 */
function assertSameValues(hand: unknown, json: JsonValue | undefined, path: string): void {
  if (hand instanceof Uint8Array) return assert.equal(json ?? '', Buffer.from(hand).toString('base64'), path);
  if (typeof hand === 'number') return assert.equal(json === undefined ? 0 : Number(json), hand, path);
  if (typeof hand === 'string' || typeof hand === 'boolean') return assert.equal(json ?? (typeof hand === 'string' ? '' : false), hand, path);
  if (ArrayBuffer.isView(hand) || Array.isArray(hand)) {
    const items = Array.from(hand as ArrayLike<unknown>);
    const got = (json ?? []) as JsonValue[];
    assert.equal(got.length, items.length, `${path} length`);
    items.forEach((item, i) => assertSameValues(item, got[i], `${path}[${i}]`));
    return;
  }
  const object = hand as Record<string, unknown>;
  const other = (json ?? {}) as Record<string, JsonValue>;
  for (const [key, value] of Object.entries(object)) if (value !== undefined) assertSameValues(value, other[key], `${path}.${key}`);
  for (const key of Object.keys(other)) assert.ok(object[key] !== undefined, `${path}.${key}: decoded by the generated code, absent from the hand-written object`);
}

describe('messages.ts against event.proto (protobuf-es generated from it)', () => {
  for (const [name, event] of Object.entries(EVENTS)) {
    it(`an event with ${name}: the generated decoder reads every field with its value and re-encodes the same bytes`, () => {
      const encoded = encodeEvent(event);
      const generated = fromBinary(EventSchema, encoded, { readUnknownFields: true });
      assert.equal(toBinary(EventSchema, generated).length, encoded.length, 'no unknown fields and nothing dropped');
      assert.deepEqual(Buffer.from(toBinary(EventSchema, generated)), Buffer.from(encoded));
      assertSameValues(event, toJson(EventSchema, generated, { enumAsInteger: true }), name);
      // …and the hand-written decoder reads the generated encoder's bytes back to the same object.
      assertSameValues(decodeEvent(toBinary(EventSchema, generated)), toJson(EventSchema, generated, { enumAsInteger: true }), `${name} (decoded)`);
    });
  }

  it('test/generated is what protoc-gen-es makes of src/proto today', () => {
    const out = mkdtempSync(join(tmpdir(), 'eventlog-proto-'));
    try {
      const bin = join(PACKAGE, '..', '..', 'node_modules', '.bin');
      execFileSync(join(bin, 'buf'), ['generate', '--template', JSON.stringify({ version: 'v2', plugins: [{ local: join(bin, 'protoc-gen-es'), out, opt: 'target=ts' }] }), '--path', 'src/proto/event.proto'], {
        cwd: PACKAGE,
      });
      assert.equal(readFileSync(join(out, 'event_pb.ts'), 'utf8'), readFileSync(join(PACKAGE, 'test', 'generated', 'event_pb.ts'), 'utf8'), 'run npm run proto -w @tbpipe/eventlog');
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});
