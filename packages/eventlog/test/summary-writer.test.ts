import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { appendFileSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { basename, join } from 'node:path';
import { describe, it } from 'node:test';
import {
  DataType,
  SessionStatus,
  SummaryWriter,
  computePrCurve,
  decodePng,
  encodePng,
  imageToPixels,
  makeHistogram,
  readAllEvents,
  stableEventFileName,
  tensorStrings,
  type Event,
} from '../src/index.ts';
import { createRandom } from '@tbpipe/core';
import { FIXED_TIME, tempDir } from './helpers.ts';

const now = () => FIXED_TIME;
const eventFiles = (dir: string) => readdirSync(dir).filter((n) => n.startsWith('events.out.tfevents.'));
const summaries = (events: Event[]) => events.filter((e) => e.summary).map((e) => ({ step: e.step, wallTime: e.wallTime, ...e.summary!.value[0] }));

describe('SummaryWriter files', () => {
  it("names the file events.out.tfevents.<10-digit seconds>.<host>.<pid>.<n><suffix> like torch", async (t) => {
    const dir = tempDir(t);
    const a = new SummaryWriter(dir, { now: () => 99.9, filenameSuffix: '.train' });
    const b = new SummaryWriter(dir, { now: () => 99.9, filenameSuffix: '.train' });
    await a.close();
    await b.close();
    const pattern = new RegExp(`^events\\.out\\.tfevents\\.0000000099\\.${hostname().replace(/[.]/g, '\\.')}\\.${process.pid}\\.(\\d+)\\.train$`);
    const [na, nb] = [basename(a.filePath), basename(b.filePath)].map((n) => Number(pattern.exec(n)?.[1]));
    assert.ok(Number.isInteger(na) && nb === na + 1, `${a.filePath} ${b.filePath}`);
  });

  it('creates the file with its file_version record at construction, before any flush', (t) => {
    const dir = tempDir(t);
    const w = new SummaryWriter(join(dir, 'nested', 'run'), { now, hostname: 'h' });
    assert.equal(statSync(w.filePath).size, 88);
    return w.close();
  });

  it('writes nothing but the header until maxQueue records wait, then starts a write', async (t) => {
    const w = new SummaryWriter(tempDir(t), { now, hostname: 'h', maxQueue: 3, flushMillis: 60_000 });
    w.addScalar('a', 1, 1);
    w.addScalar('a', 2, 2);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(statSync(w.filePath).size, 88);
    w.addScalar('a', 3, 3);
    await new Promise((r) => setTimeout(r, 20));
    assert.equal(statSync(w.filePath).size, 88 + 3 * 39);
    await w.close();
  });

  it('writes queued records after flushMillis without any call', async (t) => {
    const w = new SummaryWriter(tempDir(t), { now, hostname: 'h', maxQueue: 1000, flushMillis: 20 });
    w.addScalar('a', 1, 1);
    await new Promise((r) => setTimeout(r, 120));
    assert.equal(statSync(w.filePath).size, 88 + 39);
    await w.close();
  });

  it('flush() resolves once every queued record is in the file, in order', async (t) => {
    const w = new SummaryWriter(tempDir(t), { now, hostname: 'h', maxQueue: 7 });
    for (let i = 0; i < 1000; i++) w.addScalar('loss', i / 1000, i);
    await w.flush();
    const steps = summaries(await readAllEvents(w.filePath)).map((s) => s.step);
    assert.deepEqual(steps, Array.from({ length: 1000 }, (_, i) => i));
    await w.close();
  });

  it('close() is idempotent, await using closes, and writing after close throws a clear error', async (t) => {
    const dir = tempDir(t);
    let path = '';
    {
      await using w = new SummaryWriter(dir, { now, hostname: 'h' });
      path = w.filePath;
      w.addScalar('a', 1);
    }
    assert.equal(statSync(path).size, 88 + 37);
    const w = new SummaryWriter(dir, { now, hostname: 'h' });
    await w.close();
    await w.close();
    assert.throws(() => w.addScalar('a', 1), {
      message: `eventlog: write to closed event file ${w.filePath}, expected an open writer; create a new SummaryWriter (close() ends a writer for good)`,
    });
  });

  it('purgeStep writes file_version and session_log START at that step, as torch does', async (t) => {
    const w = new SummaryWriter(tempDir(t), { now, hostname: 'h', purgeStep: 500 });
    w.addScalar('loss', 0.5, 500, 1700000001);
    await w.close();
    const events = await readAllEvents(w.filePath);
    assert.deepEqual(events.slice(1), [
      { wallTime: FIXED_TIME, step: 500, fileVersion: 'brain.Event:2' },
      { wallTime: FIXED_TIME, step: 500, sessionLog: { status: SessionStatus.START } },
      { wallTime: 1700000001, step: 500, summary: { value: [{ tag: 'loss', simpleValue: 0.5 }] } },
    ]);
  });

  it('fileName gives the same file every run, and a second writer replaces it instead of adding one', async (t) => {
    const dir = tempDir(t);
    const name = stableEventFileName('.train');
    assert.equal(name, 'events.out.tfevents.0000000000.tbpipe.0.0.train');
    const a = new SummaryWriter(dir, { now, filenameSuffix: '.train', fileName: name });
    a.addScalar('loss', 1, 1);
    a.addScalar('loss', 2, 2);
    await a.close();
    const b = new SummaryWriter(dir, { now, filenameSuffix: '.train', fileName: name });
    b.addScalar('loss', 3, 1);
    await b.close();
    assert.deepEqual(eventFiles(dir), [name]);
    assert.deepEqual(summaries(await readAllEvents(b.filePath)).map((s) => [s.step, s.simpleValue]), [[1, 3]]);
  });

  it('fileName with purgeStep continues the file, dropping its points at or after the step and a cut-off last record', async (t) => {
    const dir = tempDir(t);
    const name = stableEventFileName('.train');
    const a = new SummaryWriter(dir, { now, filenameSuffix: '.train', fileName: name });
    for (let step = 0; step < 6; step++) a.addScalar('loss', step, step);
    await a.close();
    appendFileSync(a.filePath, new Uint8Array([9, 0, 0, 0, 0])); // a record a kill cut off
    const b = new SummaryWriter(dir, { now, filenameSuffix: '.train', fileName: name, purgeStep: 3 });
    for (let step = 3; step < 5; step++) b.addScalar('loss', step * 10, step);
    await b.close();
    assert.deepEqual(eventFiles(dir), [name]);
    const events = await readAllEvents(b.filePath);
    assert.equal(events.filter((e) => e.fileVersion).length, 1, 'the file keeps its one file_version record');
    assert.equal(events.filter((e) => e.sessionLog).length, 0, 'purged in place, so no START marker that would hide other files');
    assert.deepEqual(summaries(events).map((s) => [s.step, s.simpleValue]), [[0, 0], [1, 1], [2, 2], [3, 30], [4, 40]]);
    assert.deepEqual(readdirSync(dir), [name], 'no temporary file left');
  });

  it('fileName with purgeStep and no file yet starts a fresh file', async (t) => {
    const dir = tempDir(t);
    const w = new SummaryWriter(dir, { now, filenameSuffix: '.x', fileName: stableEventFileName('.x'), purgeStep: 7 });
    w.addScalar('loss', 1, 7);
    await w.close();
    const events = await readAllEvents(w.filePath);
    assert.deepEqual(events.map((e) => (e.fileVersion ? 'version' : e.summary ? e.step : '?')), ['version', 7]);
  });

  it('fileName must look like an event file of the writer\'s suffix', (t) => {
    const dir = tempDir(t);
    assert.throws(() => new SummaryWriter(dir, { filenameSuffix: '.train', fileName: 'loss.log' }), {
      code: 'EVENTLOG_FILE_NAME',
      message: 'eventlog: fileName "loss.log", expected a plain name starting with events.out.tfevents. and ending with .train; use stableEventFileName(".train")',
    });
  });

  it('sub-runs of a fixed-name writer use the same name in their folders', async (t) => {
    const dir = tempDir(t);
    const name = stableEventFileName('.evaluate');
    for (let run = 0; run < 2; run++) {
      const w = new SummaryWriter(dir, { now, filenameSuffix: '.evaluate', fileName: name });
      await w.addHparams({ lr: 0.001 }, { 'hparam/accuracy': 0.5 }, { runName: 'hparams' });
      w.addScalars('loss', { train: 1 }, 1);
      await w.close();
    }
    assert.deepEqual(eventFiles(join(dir, 'hparams')), [name]);
    assert.deepEqual(eventFiles(join(dir, 'loss_train')), [name]);
  });

  it('a process that exits without close() still gets its queued records written', (t) => {
    const dir = tempDir(t);
    const src = new URL('../src/index.ts', import.meta.url).pathname;
    const script = `import { SummaryWriter } from ${JSON.stringify(src)};
      const w = new SummaryWriter(${JSON.stringify(dir)}, { maxQueue: 1000 });
      for (let i = 0; i < 5; i++) w.addScalar('loss', i, i);
      process.exit(0);`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    const [file] = eventFiles(dir);
    return readAllEvents(join(dir, file)).then((events) => assert.equal(events.length, 6));
  });

  it('a process killed mid-run leaves a readable file with at most the queue lost', (t) => {
    const dir = tempDir(t);
    const src = new URL('../src/index.ts', import.meta.url).pathname;
    const script = `import { SummaryWriter } from ${JSON.stringify(src)};
      const w = new SummaryWriter(${JSON.stringify(dir)}, { maxQueue: 10 });
      for (let i = 0; i < 95; i++) w.addScalar('loss', i, i);
      await w.flush();
      for (let i = 95; i < 100; i++) w.addScalar('loss', i, i);
      process.kill(process.pid, 'SIGKILL');`;
    spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script]);
    const [file] = eventFiles(dir);
    return readAllEvents(join(dir, file)).then((events) => {
      const steps = summaries(events).map((s) => s.step);
      assert.deepEqual(steps, Array.from({ length: steps.length }, (_, i) => i));
      assert.ok(steps.length >= 95, `${steps.length} points survived`);
    });
  });
});

describe('SummaryWriter round trips (write → readEvents → same content)', () => {
  it('addScalar: simple_value narrowed to float32, defaults step 0 and walltime now()', async (t) => {
    const w = new SummaryWriter(tempDir(t), { now, hostname: 'h' });
    w.addScalar('loss', 0.1);
    w.addScalar('loss', -2.5, 7, 1700000123.5);
    w.addScalar('deep/loss', 3, 2 ** 40);
    w.addScalar('new', 0.1, 1, undefined, { newStyle: true });
    w.addScalar('new64', 0.1, 1, undefined, { newStyle: true, doublePrecision: true });
    w.addScalar('neg step', 1, -3);
    await w.close();
    const s = summaries(await readAllEvents(w.filePath));
    assert.deepEqual(s.slice(0, 3), [
      { step: 0, wallTime: FIXED_TIME, tag: 'loss', simpleValue: Math.fround(0.1) },
      { step: 7, wallTime: 1700000123.5, tag: 'loss', simpleValue: -2.5 },
      { step: 2 ** 40, wallTime: FIXED_TIME, tag: 'deep/loss', simpleValue: 3 },
    ]);
    assert.deepEqual(s[3].tensor, { dtype: DataType.DT_FLOAT, floatVal: [Math.fround(0.1)] });
    assert.deepEqual(s[4].tensor, { dtype: DataType.DT_DOUBLE, doubleVal: [0.1] });
    assert.equal(s[5].step, -3);
  });

  it('addScalars: one run per tag under <logdir>/<mainTag>_<tag>, tag mainTag, one wall time', async (t) => {
    const dir = tempDir(t);
    const w = new SummaryWriter(dir, { now, hostname: 'h', filenameSuffix: '.x' });
    w.addScalars('run/loss', { train: 1, test: 2 }, 5);
    await w.close();
    for (const [sub, v] of [['run_loss_train', 1], ['run_loss_test', 2]] as const) {
      const [file] = eventFiles(join(dir, sub));
      assert.ok(file.endsWith('.x'));
      assert.deepEqual(summaries(await readAllEvents(join(dir, sub, file))), [{ step: 5, wallTime: FIXED_TIME, tag: 'run/loss', simpleValue: v }]);
    }
  });

  it('addHistogram and addHistogramRaw: the HistogramProto survives intact', async (t) => {
    const w = new SummaryWriter(tempDir(t), { now, hostname: 'h' });
    const values = Float32Array.from({ length: 300 }, (_, i) => Math.sin(i) * 3);
    w.addHistogram('w', values, 1);
    w.addHistogram('w10', values, 1, 10);
    w.addHistogram('edges', values, 1, [-1, 0, 1, 2]);
    w.addHistogramRaw('raw', { min: 0, max: 2, num: 3, sum: 3, sumSquares: 5, bucketLimits: [1, 2], bucketCounts: [1, 2] }, 4);
    await w.close();
    const s = summaries(await readAllEvents(w.filePath));
    assert.deepEqual(s[0].histo, makeHistogram(values));
    assert.deepEqual(s[1].histo, makeHistogram(values, 10));
    assert.deepEqual(s[2].histo!.bucketLimit, [-1, 0, 1, 2]);
    assert.deepEqual(s[3].histo, { min: 0, max: 2, num: 3, sum: 3, sumSquares: 5, bucketLimit: [1, 2], bucket: [1, 2] });
  });

  it('addImage/addImages/addFigure: pixels, size and colorspace survive; figure PNG bytes are stored unchanged', async (t) => {
    const w = new SummaryWriter(tempDir(t), { now, hostname: 'h' });
    const gray = { data: Float32Array.from({ length: 2 * 3 }, (_, i) => i / 5), shape: [2, 3] };
    const rgba = { data: Uint8Array.from({ length: 2 * 2 * 4 }, (_, i) => i * 10), shape: [2, 2, 4] };
    const batch = { data: Uint8Array.from({ length: 9 * 2 * 2 }, (_, i) => i), shape: [9, 1, 2, 2] };
    const figure = encodePng(Uint8Array.from({ length: 5 * 4 * 3 }, (_, i) => i), 5, 4, 3);
    w.addImage('gray', gray, 0, undefined, 'HW');
    w.addImage('rgba', rgba, 1, { dataformats: 'HWC' });
    w.addImages('batch', batch, 2);
    w.addFigure('fig', figure, 3);
    await w.close();
    const s = summaries(await readAllEvents(w.filePath));
    assert.deepEqual(decodePng(s[0].image!.encodedImageString).data, imageToPixels(gray, 'HW').data);
    assert.deepEqual([s[1].image!.width, s[1].image!.height, s[1].image!.colorspace], [2, 2, 4]);
    assert.deepEqual(decodePng(s[1].image!.encodedImageString).data, rgba.data);
    // 9 images, 8 per row: a 2-row grid 16 wide, the second row zero after the first image.
    assert.deepEqual([s[2].image!.width, s[2].image!.height, s[2].image!.colorspace], [16, 4, 3]);
    assert.deepEqual(s[3].image, { width: 5, height: 4, colorspace: 3, encodedImageString: figure });
  });

  it('addImage clamps floats outside [0, 1] where torch would wrap them around', () => {
    const px = imageToPixels({ data: Float32Array.from([-0.5, 0.5, 1.5, NaN]), shape: [1, 4] }, 'HW').data;
    assert.deepEqual(Array.from(px.filter((_, i) => i % 3 === 0)), [0, 127, 255, 0]);
  });

  it('addText: the text comes back from the tensor', async (t) => {
    const w = new SummaryWriter(tempDir(t), { now, hostname: 'h' });
    w.addText('notes', '**bold** – ünïcode', 9);
    await w.close();
    const [v] = summaries(await readAllEvents(w.filePath));
    assert.equal(v.tag, 'notes/text_summary');
    assert.deepEqual(tensorStrings(v.tensor!), ['**bold** – ünïcode']);
  });

  it('addPrCurve: a [6, N] float tensor whose TP column sums the positives; numThresholds above 127 is capped', async (t) => {
    const w = new SummaryWriter(tempDir(t), { now, hostname: 'h' });
    w.addPrCurve('pr', [true, false, true, true], Float32Array.from([0.9, 0.4, 0.6, 0.1]), 3, 300);
    await w.close();
    const [v] = summaries(await readAllEvents(w.filePath));
    assert.deepEqual(v.tensor!.tensorShape, { dim: [{ size: 6 }, { size: 127 }] });
    assert.equal(v.tensor!.floatVal![0], 3);
    assert.equal(v.tensor!.floatVal![127], 1);
    assert.equal(v.metadata!.pluginData!.pluginName, 'pr_curves');
  });

  it('addPrCurve: the integer-count fast path and the weighted path agree bit for bit', () => {
    const random = createRandom(5);
    const labels = Array.from({ length: 5000 }, () => random() < 0.3);
    const predictions = Float32Array.from({ length: 5000 }, () => random() * 1.2 - 0.1);
    const fast = computePrCurve(labels, predictions, 127);
    const weighted = computePrCurve(labels, predictions, 127, new Float64Array(5000).fill(1));
    assert.deepEqual(fast, weighted);
    // Property: at the lowest threshold every in-range positive is a true positive.
    const inRange = (p: number) => Math.floor(Math.fround(p * 126)) >= 0 && Math.floor(Math.fround(p * 126)) <= 126;
    assert.equal(fast.truePositives[0], labels.filter((l, i) => l && inRange(predictions[i])).length);
  });

  it('rejects bad arguments with eventlog: messages that say what to do', (t) => {
    const w = new SummaryWriter(tempDir(t), { now, hostname: 'h' });
    t.after(() => w.close());
    assert.throws(() => w.addPrCurve('pr', [true], [0.5, 0.2]), { message: 'eventlog: 1 labels for 2 predictions, expected one label per prediction; pass arrays of equal length' });
    assert.throws(() => w.addImage('i', { data: new Float32Array(6), shape: [2, 3] }), {
      message: "eventlog: image of rank 2 (shape [2, 3]), expected rank 3 for dataformats 'CHW'; reshape the tensor or fix dataformats",
    });
    assert.throws(() => w.addImage('i', { data: new Float32Array(12), shape: [2, 2, 3] }), {
      message: 'eventlog: 2 channels, expected 1 (gray), 3 (RGB) or 4 (RGBA); check dataformats (CHW vs HWC)',
    });
    assert.throws(() => w.addFigure('f', new Uint8Array([1, 2, 3])), {
      message: 'eventlog: image bytes starting 010203, expected a PNG (89504e470d0a1a0a, then IHDR); pass the bytes of a PNG file (e.g. from @tbpipe/figures)',
    });
    assert.throws(() => w.addHistogram('h', [1, NaN], 0, 10), {
      message: "eventlog: histogram values span [NaN, NaN], expected finite values when bins is a count (NumPy autodetects the range); drop NaN/Inf values first or pass explicit edges / bins: 'tensorflow'",
    });
    assert.throws(() => w.addScalar('s', 1, NaN), { message: 'eventlog: step NaN, expected a finite integer; pass the global step as a number' });
  });

  it('addEmbedding writes the same sprite for embeddings sharing label images, and distinct sprites for distinct images', async (t) => {
    const dir = tempDir(t);
    const w = new SummaryWriter(dir, { now, hostname: 'h' });
    const shared = { data: new Uint8Array(3 * 4 * 4).map((_, i) => i * 5), shape: [3, 1, 4, 4] };
    const other = { data: new Uint8Array(3 * 4 * 4).map((_, i) => 255 - i), shape: [3, 1, 4, 4] };
    const rows = [[1], [2], [3]];
    await w.addEmbedding(rows, { tag: 'a', labelImg: shared });
    await w.addEmbedding(rows, { tag: 'b', labelImg: shared });
    await w.addEmbedding(rows, { tag: 'c', labelImg: other });
    await w.addEmbedding(rows, { tag: 'd', labelImg: { data: shared.data, shape: [3, 1, 2, 8] } });
    await w.close();
    const pixels = (tag: string) => decodePng(readFileSync(join(dir, '00000', tag, 'sprite.png')));
    assert.deepEqual(pixels('b'), pixels('a'));
    assert.notDeepEqual(pixels('c').data, pixels('a').data);
    assert.deepEqual([pixels('d').width, pixels('d').height], [16, 16], 'a new shape of the same buffer is a new sprite');
    assert.deepEqual([pixels('a').width, pixels('a').height], [8, 8]);
  });

  it('addEmbedding without header rejects multi-column rows, and rewrites projector_config.pbtxt with every embedding', async (t) => {
    const dir = tempDir(t);
    const w = new SummaryWriter(dir, { now, hostname: 'h' });
    await assert.rejects(w.addEmbedding([[1, 2]], { metadata: [['a', 1]] }), {
      message: 'eventlog: metadata row 0 with 2 columns and no metadataHeader, expected single labels, or rows plus metadataHeader; pass metadataHeader naming each column',
    });
    await w.addEmbedding([[1, 2]], { tag: 'a/b%c', globalStep: 3, metadata: ['x'] });
    await w.addEmbedding([[1, 2]], { tag: 'ü' });
    await w.close();
    assert.equal(
      readFileSync(join(dir, 'projector_config.pbtxt'), 'utf8'),
      [
        'embeddings {',
        '  tensor_name: "a/b%c:00003"',
        '  metadata_path: "00003/a%2fb%25c/metadata.tsv"',
        '  tensor_path: "00003/a%2fb%25c/tensors.tsv"',
        '}',
        'embeddings {',
        '  tensor_name: "\\303\\274:00000"',
        '  tensor_path: "00000/\\303\\274/tensors.tsv"',
        '}',
        '',
      ].join('\n'),
    );
    assert.equal(readFileSync(join(dir, '00003/a%2fb%25c/metadata.tsv'), 'utf8'), 'x\n');
  });
});
