// TensorBoard 2.20's loading rules, one behaviour per test: run naming, sampling (bit for bit with Python's
// random.Random(0)), the orphaned-data purge, and the data_compat / dataclass_compat conversions.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DataType, SessionStatus } from '@tbpipe/eventlog';
import { EF, fileVersion, openTestLogdir, scalar, summary, tempLogdir, writeEvents } from './load-helpers.ts';

const steps = (s: { steps: Float64Array }) => Array.from(s.steps);

describe('run discovery', () => {
  it('names runs by their path relative to the logdir, "." for the logdir itself, and orders them by first wall time then name', async () => {
    const d = tempLogdir();
    mkdirSync(join(d, 'b/inner'), { recursive: true });
    mkdirSync(join(d, 'a'));
    mkdirSync(join(d, 'empty'));
    writeEvents(join(d, EF), [fileVersion(1700000005)]);
    writeEvents(join(d, 'b/inner', EF), [fileVersion(1700000001)]);
    writeEvents(join(d, 'a', 'x.tfevents.y'), [fileVersion(1700000001)]);
    writeEvents(join(d, 'empty', 'not-an-event-file'), [fileVersion()]);
    const s = await openTestLogdir(d);
    assert.deepEqual(
      s.listRuns().map((r) => [r.name, r.startTime]),
      [
        ['a', 1700000001],
        ['b/inner', 1700000001],
        ['.', 1700000005],
      ],
    );
    await s.close();
  });

  it('reads the files of a run in name order (a later file continues the series)', async () => {
    const d = tempLogdir();
    writeEvents(join(d, 'events.out.tfevents.2'), [fileVersion(), scalar('loss', 5, 0.5)]);
    writeEvents(join(d, 'events.out.tfevents.1'), [fileVersion(), scalar('loss', 1, 0.1)]);
    const s = await openTestLogdir(d);
    assert.deepEqual(steps(s.readScalars('scalars', 100).get('.')!.get('loss')!), [1, 5]);
    await s.close();
  });

  it('fails with BOARD_LOGDIR when the logdir does not exist', async () => {
    await assert.rejects(openTestLogdir('/nonexistent/logdir'), { code: 'BOARD_LOGDIR' });
  });
});

describe('sampling', () => {
  it('keeps the reservoir sample TensorBoard keeps (Python random.Random(0)), newest point included', async () => {
    const d = tempLogdir();
    writeEvents(join(d, EF), [fileVersion(), ...Array.from({ length: 3000 }, (_, i) => scalar('loss', i, i / 10))]);
    const s = await openTestLogdir(d, { samplesPerPlugin: { scalars: 10 } });
    // Frozen from TensorBoard's _ReservoirBucket with Python 3.11's random.Random(0).
    assert.deepEqual(steps(s.readScalars('scalars', 1000).get('.')!.get('loss')!), [225, 1035, 1253, 1741, 2191, 2309, 2468, 2695, 2963, 2999]);
    await s.close();
  });

  it('downsamples reads as TensorBoard does: random.Random(0).sample plus the last point; 0 returns none', async () => {
    const d = tempLogdir();
    writeEvents(join(d, EF), [fileVersion(), ...Array.from({ length: 1000 }, (_, i) => scalar('loss', i, i))]);
    const s = await openTestLogdir(d, { samplesPerPlugin: { scalars: 0 } });
    assert.equal(s.readScalars('scalars', 1e9).get('.')!.get('loss')!.steps.length, 1000, '0 keeps every point');
    assert.deepEqual(steps(s.readScalars('scalars', 10).get('.')!.get('loss')!), [41, 265, 394, 430, 523, 776, 864, 911, 988, 999]);
    assert.equal(s.readScalars('scalars', 0).get('.')!.get('loss')!.steps.length, 0);
    await s.close();
  });

  it('uses TensorBoard 2.20 reservoir sizes by default: scalars 1000, images 10, text 10', async () => {
    const d = tempLogdir();
    const text = (i: number) => summary({ tag: 't', tensor: { dtype: DataType.DT_STRING, tensorShape: { dim: [{ size: 1 }] }, stringVal: [new TextEncoder().encode(`n${i}`)] }, metadata: { pluginData: { pluginName: 'text', content: new Uint8Array(0) } } }, i);
    writeEvents(join(d, EF), [fileVersion(), ...Array.from({ length: 1500 }, (_, i) => scalar('loss', i, i)), ...Array.from({ length: 50 }, (_, i) => text(i))]);
    const s = await openTestLogdir(d);
    const loss = s.readScalars('scalars', 1e9).get('.')!.get('loss')!;
    assert.equal(loss.steps.length, 1000);
    assert.equal(loss.steps.at(-1), 1499);
    const t = s.readTensors('text', 1e9).get('.')!.get('t')!;
    assert.equal(t.length, 10);
    assert.equal(new TextDecoder().decode(t.at(-1)!.value.strings![0]), 'n49');
    await s.close();
  });
});

describe('orphaned-data purge', () => {
  it('with file_version 2, a second SessionLog START drops every point at or after its step', async () => {
    const d = tempLogdir();
    const start = (step: number) => ({ wallTime: 1700000000 + step, step, sessionLog: { status: SessionStatus.START } });
    writeEvents(join(d, EF), [fileVersion(), start(0), ...[0, 1, 2, 3, 4, 5].map((i) => scalar('a', i, i)), scalar('b', 4, 4), start(3), scalar('a', 3, 30)]);
    const s = await openTestLogdir(d);
    const r = s.readScalars('scalars', 100).get('.')!;
    assert.deepEqual(steps(r.get('a')!), [0, 1, 2, 3]);
    assert.equal(r.get('a')!.values[3], 30);
    assert.deepEqual(steps(r.get('b')!), []);
    await s.close();
  });

  it('with file_version 2, the first START and out-of-order steps purge nothing', async () => {
    const d = tempLogdir();
    writeEvents(join(d, EF), [fileVersion(), { wallTime: 1, step: 5, sessionLog: { status: SessionStatus.START } }, scalar('a', 4, 4), scalar('a', 2, 2)]);
    const s = await openTestLogdir(d);
    assert.deepEqual(steps(s.readScalars('scalars', 100).get('.')!.get('a')!), [4, 2]);
    await s.close();
  });

  it('without file_version, an out-of-order step drops later points of that event\'s tags only', async () => {
    const d = tempLogdir();
    writeEvents(join(d, EF), [...[0, 1, 2, 3, 4].map((i) => scalar('a', i, i)), scalar('b', 4, 4), scalar('a', 2, 20)]);
    const s = await openTestLogdir(d);
    const r = s.readScalars('scalars', 100).get('.')!;
    assert.deepEqual(steps(r.get('a')!), [0, 1, 2]);
    assert.equal(r.get('a')!.values[2], 20);
    assert.deepEqual(steps(r.get('b')!), [4]);
    await s.close();
  });
});

describe('conversions (data_compat, dataclass_compat)', () => {
  it('turns simple_value and float, double, int and half tensors into scalars', async () => {
    const d = tempLogdir();
    const meta = { pluginData: { pluginName: 'scalars', content: new Uint8Array(0) } };
    writeEvents(join(d, EF), [
      fileVersion(),
      scalar('simple', 1, 0.1),
      summary({ tag: 'f', tensor: { dtype: DataType.DT_FLOAT, floatVal: [1.5] }, metadata: meta }, 1),
      summary({ tag: 'd', tensor: { dtype: DataType.DT_DOUBLE, doubleVal: [0.1] }, metadata: meta }, 1),
      summary({ tag: 'i', tensor: { dtype: DataType.DT_INT32, intVal: [-7] }, metadata: meta }, 1),
      summary({ tag: 'h', tensor: { dtype: DataType.DT_HALF, halfVal: [0x3c00 | 0x0200] }, metadata: meta }, 1),
    ]);
    const s = await openTestLogdir(d);
    const r = s.readScalars('scalars', 10).get('.')!;
    assert.deepEqual(
      ['simple', 'f', 'd', 'i', 'h'].map((t) => r.get(t)!.values[0]),
      [Math.fround(0.1), 1.5, 0.1, -7, 1.5],
    );
    assert.equal(s.listScalars('scalars').get('.')!.get('simple')!.displayName, 'simple');
    await s.close();
  });

  it('reads scalar tensors written as TF2 does (metadata on the first record only, empty shape), float and double', async () => {
    const d = tempLogdir();
    const meta = { pluginData: { pluginName: 'scalars', content: new Uint8Array(0) } };
    const f = (step: number, v: number, first = false) => summary({ tag: 'f', tensor: { dtype: DataType.DT_FLOAT, tensorShape: { dim: [] }, floatVal: [v] }, ...(first ? { metadata: meta } : {}) }, step);
    const g = (step: number, v: number, first = false) => summary({ tag: 'g', tensor: { dtype: DataType.DT_DOUBLE, doubleVal: [v] }, ...(first ? { metadata: meta } : {}) }, step);
    const v = (step: number, x: number) => summary({ tag: 'v', tensor: { dtype: DataType.DT_INT64, tensorShape: { dim: [{ size: 1 }] }, int64Val: [x] }, ...(step === 0 ? { metadata: meta } : {}) }, step);
    writeEvents(join(d, EF), [fileVersion(), f(0, 0.5, true), g(0, 0.1, true), v(0, 7), ...[1, 2, 3].flatMap((i) => [f(i, i / 3), g(i, i / 3), v(i, -i)])]);
    const s = await openTestLogdir(d);
    const r = s.readScalars('scalars', 10).get('.')!;
    assert.deepEqual(Array.from(r.get('f')!.values), [0.5, 1 / 3, 2 / 3, 1].map(Math.fround));
    assert.deepEqual(Array.from(r.get('g')!.values), [0.1, 1 / 3, 2 / 3, 1]);
    assert.deepEqual(Array.from(r.get('v')!.values), [7, -1, -2, -3]);
    await s.close();
  });

  it('turns an old-style Summary.Image into an images blob sequence [width, height, png]', async () => {
    const d = tempLogdir();
    const png = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 1, 2, 3);
    writeEvents(join(d, EF), [fileVersion(), summary({ tag: 'img', image: { height: 28, width: 56, colorspace: 1, encodedImageString: png } }, 3)]);
    const s = await openTestLogdir(d);
    const info = s.listBlobSequences('images').get('.')!.get('img')!;
    assert.equal(info.maxLength, 3);
    assert.deepEqual(Array.from(info.pluginContent), [0x10, 0x01], 'ImagePluginData{converted_to_tensor: true}');
    const [datum] = s.readBlobSequences('images', 10).get('.')!.get('img')!;
    const text = (k: string) => new TextDecoder().decode(s.readBlob(k));
    assert.deepEqual([text(datum.blobKeys[0]), text(datum.blobKeys[1]), Array.from(s.readBlob(datum.blobKeys[2])!)], ['56', '28', Array.from(png)]);
    await s.close();
  });

  it('lists old-style audio as a one-clip audio blob sequence', async () => {
    const d = tempLogdir();
    const wav = Uint8Array.of(0x52, 0x49, 0x46, 0x46);
    writeEvents(join(d, EF), [fileVersion(), { wallTime: 1, step: 0, summary: { value: [{ tag: 'snd', audio: { sampleRate: 8000, numChannels: 1, lengthFrames: 2, encodedAudioString: wav, contentType: 'audio/wav' } }] } }]);
    const s = await openTestLogdir(d);
    const [datum] = s.readBlobSequences('audio', 10).get('.')!.get('snd')!;
    assert.deepEqual(Array.from(s.readBlob(datum.blobKeys[0])!), Array.from(wav));
    await s.close();
  });

  it('gives an hparams summary without a tensor a null tensor so it is listed', async () => {
    const d = tempLogdir();
    const content = Uint8Array.of(8, 1);
    writeEvents(join(d, EF), [fileVersion(), summary({ tag: '_hparams_/experiment', metadata: { pluginData: { pluginName: 'hparams', content } } }, 0)]);
    const s = await openTestLogdir(d);
    const info = s.listTensors('hparams').get('.')!.get('_hparams_/experiment')!;
    assert.deepEqual(Array.from(info.pluginContent), [8, 1]);
    assert.deepEqual(s.readTensors('hparams', 10).get('.')!.get('_hparams_/experiment')![0].value.shape, []);
    await s.close();
  });

  it('keeps a string tensor of any rank as a text tensor', async () => {
    const d = tempLogdir();
    const enc = (x: string) => new TextEncoder().encode(x);
    const meta = { pluginData: { pluginName: 'text', content: new Uint8Array(0) } };
    writeEvents(join(d, EF), [fileVersion(), summary({ tag: 'grid', metadata: meta, tensor: { dtype: DataType.DT_STRING, tensorShape: { dim: [{ size: 2 }, { size: 2 }] }, stringVal: ['a', 'b', 'c', 'd'].map(enc) } }, 0)]);
    const s = await openTestLogdir(d);
    const v = s.readTensors('text', 10).get('.')!.get('grid')![0].value;
    assert.deepEqual(v.shape, [2, 2]);
    assert.deepEqual(v.strings!.map((b) => new TextDecoder().decode(b)), ['a', 'b', 'c', 'd']);
    await s.close();
  });

  it('makes graph_def and tagged_run_metadata events graphs blob sequences', async () => {
    const d = tempLogdir();
    writeEvents(join(d, EF), [fileVersion(), { wallTime: 2, step: 0, graphDef: Uint8Array.of(1, 2, 3) }, { wallTime: 3, step: 7, taggedRunMetadata: { tag: 'step7', runMetadata: Uint8Array.of(9) } }]);
    const s = await openTestLogdir(d);
    const [g] = s.readBlobSequences('graphs', 10).get('.')!.get('__run_graph__')!;
    assert.deepEqual(Array.from(s.readBlob(g.blobKeys[0])!), [1, 2, 3]);
    const [m] = s.readBlobSequences('graph_tagged_run_metadata', 10).get('.')!.get('step7')!;
    assert.equal(m.step, 7);
    assert.deepEqual(Array.from(s.readBlob(m.blobKeys[0])!), [9]);
    assert.deepEqual(s.listPlugins(), ['graph_tagged_run_metadata', 'graphs']);
    await s.close();
  });
});
