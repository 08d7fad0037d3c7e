import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createRandom } from '@tbpipe/core';
import { EventlogError, crc32c, decodeEvent, encodeEvent, frameRecord, maskCrc, readAllEvents, readEvents, type Event, type ReadWarning } from '../src/index.ts';
import { GOLDEN, tempDir } from './helpers.ts';

// A three-record file: file_version (88 bytes framed) + two scalars (39 bytes each framed): offsets 0, 88, 127.
const events: Event[] = [
  { wallTime: 1700000000, step: 0, fileVersion: 'brain.Event:2', sourceMetadata: { writer: 'tensorboard.summary.writer.event_file_writer' } },
  { wallTime: 1700000001.25, step: 1, summary: { value: [{ tag: 'x', simpleValue: 0.5 }] } },
  { wallTime: 1700000002.25, step: 2, summary: { value: [{ tag: 'x', simpleValue: 0.25 }] } },
];
function validFile(): Uint8Array {
  const parts = events.map((e) => frameRecord(encodeEvent(e)));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
const SECOND = 88;
const THIRD = 127;

async function read(path: string, lenient = false): Promise<{ steps: number[]; warnings: ReadWarning[] }> {
  const warnings: ReadWarning[] = [];
  const steps: number[] = [];
  for await (const { event } of readEvents(path, { lenient, onWarning: (w) => warnings.push(w) })) steps.push(event.step);
  return { steps, warnings };
}

function put(dir: string, bytes: Uint8Array, name = 'events.out.tfevents.test'): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

describe('readEvents on damaged files', () => {
  it('reads an intact file: every event, in order, with offsets', async (t) => {
    const path = put(tempDir(t), validFile());
    const got = [];
    for await (const r of readEvents(path)) got.push(r);
    assert.deepEqual(got.map((r) => r.offset), [0, SECOND, THIRD]);
    assert.deepEqual(got.map((r) => r.event), events);
  });

  it('streams files larger than its 1 MiB read chunk, with records straddling chunk boundaries', async (t) => {
    const parts: Uint8Array[] = [];
    for (let i = 0; i < 60_000; i++) parts.push(frameRecord(encodeEvent({ wallTime: 1, step: i, summary: { value: [{ tag: 'x', simpleValue: i }] } })));
    const big = new TextEncoder().encode('y'.repeat(2_500_000));
    parts.splice(30_000, 0, frameRecord(encodeEvent({ wallTime: 1, step: 0, summary: { value: [{ tag: 'big', tensor: { dtype: 7, stringVal: [big] } }] } })));
    const path = put(tempDir(t), Buffer.concat(parts));
    let n = 0;
    let bigSeen = 0;
    for await (const { event } of readEvents(path)) {
      n++;
      if (event.summary!.value[0].tag === 'big') bigSeen = event.summary!.value[0].tensor!.stringVal![0].length;
    }
    assert.equal(n, 60_001);
    assert.equal(bigSeen, big.length);
  });

  it('reads an empty file as no events and no warnings', async (t) => {
    assert.deepEqual(await read(put(tempDir(t), new Uint8Array(0))), { steps: [], warnings: [] });
  });

  it('ends at a truncated last record with a warning, keeping the records before it', async (t) => {
    const file = validFile();
    for (const cut of [file.length - 1, THIRD + 20, THIRD + 5]) {
      const path = put(tempDir(t), file.subarray(0, cut));
      const { steps, warnings } = await read(path);
      assert.deepEqual(steps, [0, 1]);
      assert.equal(warnings.length, 1);
      assert.equal(warnings[0].code, 'EVENTLOG_TRUNCATED');
      const detail = cut - THIRD < 12 ? `${cut - THIRD} of 12 header bytes` : `${cut - THIRD} of 39 bytes`;
      assert.equal(warnings[0].message, `eventlog: ${path}: last record at byte ${THIRD} is truncated (${detail}); ignored`);
    }
  });

  it('throws on a bad length CRC in the middle, naming the file, offset and both CRCs', async (t) => {
    const file = validFile();
    const view = new DataView(file.buffer);
    const expected = view.getUint32(SECOND + 8, true);
    view.setUint32(SECOND + 8, 0xdeadbeef, true);
    const path = put(tempDir(t), file);
    await assert.rejects(read(path), (err: unknown) => {
      assert.ok(err instanceof EventlogError);
      assert.equal(err.code, 'EVENTLOG_CORRUPT');
      assert.equal(
        err.message,
        `eventlog: ${path}: record at byte ${SECOND} has length CRC 0xdeadbeef, expected 0x${expected.toString(16).padStart(8, '0')}; the file is corrupt; read it with { lenient: true } (CLI --lenient) to skip damaged records`,
      );
      return true;
    });
  });

  it('throws on a bad data CRC, naming the offset and both CRCs', async (t) => {
    const file = validFile();
    const view = new DataView(file.buffer);
    const crcAt = THIRD - 4;
    const expected = view.getUint32(crcAt, true);
    view.setUint32(crcAt, 0x01020304, true);
    const path = put(tempDir(t), file);
    await assert.rejects(read(path), {
      message: `eventlog: ${path}: record at byte ${SECOND} has data CRC 0x01020304, expected 0x${expected.toString(16).padStart(8, '0')}; the file is corrupt; read it with { lenient: true } (CLI --lenient) to skip damaged records`,
    });
  });

  it('rejects a record longer than maxRecordBytes even with a valid length CRC', async (t) => {
    const file = validFile();
    const view = new DataView(file.buffer);
    view.setUint32(SECOND, 0xfffffff0, true);
    view.setUint32(SECOND + 4, 0, true);
    view.setUint32(SECOND + 8, maskCrc(crc32c(file.subarray(SECOND, SECOND + 8))), true);
    const path = put(tempDir(t), file);
    await assert.rejects(read(path), {
      message: `eventlog: ${path}: record at byte ${SECOND} claims 4294967280 bytes, expected at most 268435456 (maxRecordBytes); the file is corrupt, or raise maxRecordBytes if it really holds records this large`,
    });
  });

  it('throws on a record with valid CRCs that is not an Event', async (t) => {
    const bad = frameRecord(new Uint8Array([0x0a, 0x05, 0x01])); // length-delimited field claiming 5 bytes, 1 present
    const path = put(tempDir(t), bad);
    await assert.rejects(read(path), (err: unknown) => {
      assert.ok(err instanceof EventlogError);
      assert.equal(err.code, 'EVENTLOG_BAD_EVENT');
      assert.match(err.message, new RegExp(`^eventlog: ${path}: record at byte 0 is not a valid Event \\(.+\\), expected a serialized tensorboard.Event; is this a TensorBoard event file\\?`));
      return true;
    });
  });

  it('in lenient mode skips a corrupt middle record, resynchronises and reports the count once', async (t) => {
    const file = validFile();
    new DataView(file.buffer).setUint32(SECOND + 8, 0, true); // length CRC
    const path = put(tempDir(t), file);
    const { steps, warnings } = await read(path, true);
    assert.deepEqual(steps, [0, 2]);
    assert.deepEqual(
      warnings.map((w) => [w.code, w.skipped, w.message]),
      [['EVENTLOG_SKIPPED', 1, `eventlog: ${path}: skipped 1 corrupt record(s), the first at byte ${SECOND}`]],
    );
  });

  it('in lenient mode skips a record whose data CRC fails and continues after it', async (t) => {
    const file = validFile();
    file[SECOND + 20] ^= 0x40;
    const { steps, warnings } = await read(put(tempDir(t), file), true);
    assert.deepEqual(steps, [0, 2]);
    assert.equal(warnings[0].skipped, 1);
  });

  it('logs warnings through an injected logger with their fields', async (t) => {
    const logged: [object, string][] = [];
    const path = put(tempDir(t), validFile().subarray(0, THIRD + 3));
    await readAllEvents(path, { logger: { warn: (obj, m) => logged.push([obj, m]) } });
    assert.deepEqual(logged[0][0], { code: 'EVENTLOG_TRUNCATED', path, offset: THIRD, skipped: undefined });
  });

  it('names a missing file in a one-line error', async () => {
    await assert.rejects(readAllEvents('/nonexistent/events.out'), {
      message: 'eventlog: cannot open /nonexistent/events.out (ENOENT), expected a readable event file; check the path',
    });
  });
});

describe('fuzzing the reader (seeded)', () => {
  const seedFile = readFileSync(join(GOLDEN, 'pr_curve', 'events.out.tfevents.golden'));

  it('never hangs or fails with anything but EventlogError on random truncations and bit flips', async (t) => {
    const random = createRandom(20231114);
    const dir = tempDir(t);
    for (let iter = 0; iter < 150; iter++) {
      const bytes = new Uint8Array(seedFile.subarray(0, Math.floor(random() * (seedFile.length + 1))));
      const flips = Math.floor(random() * 4);
      for (let k = 0; k < flips && bytes.length > 0; k++) bytes[Math.floor(random() * bytes.length)] ^= 1 << Math.floor(random() * 8);
      const path = put(dir, bytes, `fuzz-${iter}`);
      try {
        await readAllEvents(path);
      } catch (err) {
        assert.ok(err instanceof EventlogError, `iteration ${iter}: ${(err as Error).stack}`);
      }
      // Lenient reading never throws.
      await readAllEvents(path, { lenient: true });
    }
  });

  it('decodeEvent either decodes or throws an EventlogError on random bytes (no hang, no other crash)', () => {
    const random = createRandom(7);
    for (let iter = 0; iter < 2000; iter++) {
      const len = Math.floor(random() * 64);
      const bytes = new Uint8Array(len);
      for (let i = 0; i < len; i++) bytes[i] = Math.floor(random() * 256);
      try {
        decodeEvent(bytes);
      } catch (err) {
        assert.ok(err instanceof EventlogError && err.code === 'EVENTLOG_BAD_EVENT', String(err));
      }
    }
  });

  it('decodes every bit-flipped variant of a real record with a valid CRC the same way as the reader would', () => {
    // Flipping bits inside the Event payload while keeping framing valid exercises the protobuf decoder itself.
    const rec = readFileSync(join(GOLDEN, 'text', 'events.out.tfevents.golden')).subarray(88 + 12, 88 + 12 + 77);
    for (let bit = 0; bit < rec.length * 8; bit++) {
      const copy = new Uint8Array(rec);
      copy[bit >> 3] ^= 1 << (bit & 7);
      try {
        decodeEvent(copy);
      } catch (err) {
        assert.ok(err instanceof EventlogError, String(err));
      }
    }
  });
});
