/**
 * `evaluate --predictions FILE`: predictions made elsewhere, as pandas/pyarrow write them to Parquet (the layout of
 * scripts/make-predictions-parquet.ts) or as Arrow IPC, with or without the test split beside them.
 */
import { verifyManifest, writeTableAtomic } from '@tbpipe/core';
import { readEvents } from '@tbpipe/eventlog';
import { Field, Float64, Int64, List, Schema, Table, Utf8, makeData, makeVector, RecordBatch, Struct, vectorFromArray } from 'apache-arrow';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { encodePredictionsParquet, syntheticPredictions, type PredictionColumns } from '../../../scripts/make-predictions-parquet.ts';
import { EVALUATE_CONTRACT } from '../src/contract.ts';
import { evaluate } from '../src/evaluate.ts';
import type { EvaluateOptions } from '../src/options.ts';
import { readPredictions } from '../src/predictions.ts';
import { FASHION_CLASSES, makeIngestDir, stripedImages } from './helpers/fixtures.ts';

const BIN = fileURLToPath(new URL('../bin/tbpipe-evaluate.mjs', import.meta.url));
let root: string;
let runs = 0;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'tbpipe-evaluate-external-'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

/** 30 rows of 10 classes (labels i % 10), 8 features: the columns a PyTorch user would export. */
function columns(overrides: Partial<PredictionColumns> = {}): PredictionColumns {
  return { ...syntheticPredictions(30, 10, 8, 1), classNames: FASHION_CLASSES, ...overrides };
}

async function parquet(name: string, p: PredictionColumns = columns(), metadata?: Record<string, string>): Promise<string> {
  const path = join(root, `${name}.parquet`);
  await writeFile(path, encodePredictionsParquet(p, { metadata }));
  return path;
}

/** Options for a fresh run with its own out and run directories. */
function options(predictions: string, overrides: Partial<EvaluateOptions> = {}): EvaluateOptions & { outDir: string; runDir: string } {
  runs += 1;
  return { predictions, outDir: join(root, `out-${runs}`), runDir: join(root, `runs-${runs}`), ...overrides };
}

/** Evaluate must fail with exactly `message` and leave no output directory behind. */
async function rejects(o: EvaluateOptions & { outDir: string }, message: string, code = 'EVALUATE_PREDICTIONS_FILE'): Promise<void> {
  await assert.rejects(evaluate(o), { code, message });
  await assert.rejects(readdir(o.outDir), { code: 'ENOENT' }, 'nothing partial is left behind');
}

test('a pandas/pyarrow Parquet file gives metrics, PR curves, the confusion matrix, hparams and predictions.arrow v2', async () => {
  const p = columns();
  const path = await parquet('good', p, { 'tbpipe.hparams': JSON.stringify({ lr: 0.01, optimizer: 'adam' }), 'tbpipe.step': '1200' });
  const o = options(path);
  const result = await evaluate(o);
  assert.equal(result.backend, 'external');
  const manifest = await verifyManifest(o.outDir, EVALUATE_CONTRACT);
  assert.equal(manifest.info?.predictionsFile, path);
  assert.match(String(manifest.info?.predictionsSha256), /^[0-9a-f]{64}$/);
  assert.equal(manifest.info?.predictionsSha256, createHash('sha256').update(await readFile(path)).digest('hex'), 'the hash of the file read');
  const written = await readPredictions(join(o.outDir, 'predictions.arrow'));
  assert.deepEqual(written.classNames, FASHION_CLASSES);
  assert.deepEqual(Array.from(written.label), Array.from(p.label as ArrayLike<number>));
  assert.equal(written.featureWidth, 8);
  assert.deepEqual(written.features, p.features);
  assert.deepEqual(written.probabilities, Float32Array.from(p.probabilities));
  // predicted = argmax of the probabilities when the file has no predicted column.
  for (let i = 0; i < 30; i++) {
    const row: number[] = Array.from(written.probabilities.subarray(i * 10, i * 10 + 10));
    assert.equal(written.predicted[i], row.indexOf(Math.max(...row)));
  }
  assert.equal(result.prCurves.length, 10);
  const metrics = JSON.parse(await readFile(join(o.outDir, 'metrics.json'), 'utf8'));
  assert.equal(metrics.count, 30);

  const tags: string[] = [];
  let imageStep = -1;
  for await (const r of readEvents(join(o.runDir, 'events.out.tfevents.0000000000.tbpipe.0.0.evaluate'))) {
    for (const v of r.event.summary?.value ?? []) {
      tags.push(v.tag!);
      if (v.tag === 'confusion matrix') imageStep = Number(r.event.step);
    }
  }
  assert.deepEqual(tags.slice(0, 10), FASHION_CLASSES);
  assert.ok(tags.includes('confusion matrix') && tags.includes('test accuracy'));
  assert.equal(imageStep, 1200, 'at the tbpipe.step of the file');
  const hp: string[] = [];
  for await (const r of readEvents(join(o.runDir, 'hparams', 'events.out.tfevents.0000000000.tbpipe.0.0.evaluate'))) {
    for (const v of r.event.summary?.value ?? []) if (v.metadata?.pluginData?.content) hp.push(new TextDecoder('latin1').decode(v.metadata.pluginData.content));
  }
  for (const s of ['external', 'good.parquet', 'lr', 'adam']) assert.ok(hp.some((c) => c.includes(s)), s);
});

test('the same predictions as Arrow IPC (list<double>, int64 labels) give the same predictions.arrow as Parquet', async () => {
  const p = columns();
  const listType = new List(new Field('item', new Float64(), true));
  const probabilities = vectorFromArray(
    Array.from({ length: 30 }, (_, i) => Array.from(p.probabilities.subarray(i * 10, i * 10 + 10))),
    listType,
  );
  const features = vectorFromArray(Array.from({ length: 30 }, (_, i) => Array.from(p.features!.subarray(i * 8, i * 8 + 8))), listType);
  const label = makeVector(BigInt64Array.from(Array.from(p.label as ArrayLike<number>), (l) => BigInt(l)));
  const schema = new Schema(
    [new Field('label', new Int64(), true), new Field('probabilities', listType, true), new Field('features', listType, true)],
    new Map([['tbpipe.classNames', JSON.stringify(FASHION_CLASSES)]]),
  );
  const data = makeData({ type: new Struct(schema.fields), length: 30, nullCount: 0, children: [label.data[0], probabilities.data[0], features.data[0]] });
  const arrowPath = join(root, 'good.arrow');
  await writeTableAtomic(arrowPath, new Table(schema, [new RecordBatch(schema, data)]));
  const a = options(arrowPath);
  const b = options(await parquet('same', p));
  await evaluate(a);
  await evaluate(b);
  assert.deepEqual(await readFile(join(a.outDir, 'predictions.arrow')), await readFile(join(b.outDir, 'predictions.arrow')));
  assert.deepEqual(await readFile(join(a.outDir, 'metrics.json')), await readFile(join(b.outDir, 'metrics.json')));
});

test('class names come from --class-names, else the file, else --data, else 0…K-1; labels may be names', async () => {
  const plain = await parquet('no-names', columns({ classNames: undefined }));
  const fromWidth = await evaluate(options(plain));
  assert.deepEqual(fromWidth.metrics.classNames, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  const flag = 'a,b,c,d,e,f,g,h,i,j';
  assert.deepEqual((await evaluate(options(plain, { classNames: flag }))).metrics.classNames, flag.split(','));
  assert.deepEqual((await evaluate(options(plain, { classNames: JSON.stringify(flag.split(',')) }))).metrics.classNames, flag.split(','));
  const named = columns();
  const byName = await parquet('label-names', { ...named, label: Array.from(named.label as ArrayLike<number>, (l) => FASHION_CLASSES[l]) });
  const r = await evaluate(options(byName));
  assert.equal(r.metrics.perClass[9].name, 'Ankle Boot');
  assert.equal(r.metrics.perClass[9].support, 3);
});

test('with --data the class names, row count and every label are checked against the test split', async () => {
  const test30 = stripedImages(30);
  const dataDir = await makeIngestDir(join(root, 'ingest'), test30);
  const p = columns({ label: test30.labels, classNames: undefined });
  const ok = await evaluate(options(await parquet('matches-data', p), { dataDir }));
  assert.deepEqual(ok.metrics.classNames, FASHION_CLASSES, 'from --data');
  assert.equal(ok.manifest.info?.testSha256 !== undefined, true);

  const short = await parquet('short', { ...p, count: 29, index: undefined, label: test30.labels.subarray(0, 29), probabilities: p.probabilities.subarray(0, 290), features: p.features!.subarray(0, 29 * 8) });
  await rejects(
    options(short, { dataDir }),
    `evaluate: --predictions ${short} has 29 rows but --data ${dataDir} has 30 test images, expected one prediction per test image; export predictions for the whole test split, or leave out --data`,
    'EVALUATE_PREDICTIONS_DATA',
  );
  const swapped = Uint8Array.from(test30.labels);
  swapped[4] = 7;
  const wrong = await parquet('wrong-label', { ...p, label: swapped });
  await rejects(
    options(wrong, { dataDir }),
    `evaluate: --predictions ${wrong} row 4 has label 7 (Sneaker), expected label 4 (Coat), the test split's at index 4; export the predictions in test-split order (or with an index column), for the same dataset as --data`,
    'EVALUATE_PREDICTIONS_DATA',
  );
});

test('bad input: a row of probabilities that does not sum to 1 is one line naming the file, column and row', async () => {
  const p = columns();
  const probabilities = Float64Array.from(p.probabilities);
  for (let c = 0; c < 10; c++) probabilities[5 * 10 + c] *= 0.5;
  const path = await parquet('sum', { ...p, probabilities });
  await rejects(
    options(path),
    `evaluate: --predictions ${path} column "probabilities" row 5 sums to 0.5, expected 1 ± 0.001; write softmax outputs, not logits or one-vs-rest scores (torch.softmax(logits, dim=1))`,
  );
});

test('bad input: logits instead of probabilities (a value outside [0, 1]) is refused', async () => {
  const p = columns();
  const probabilities = Float64Array.from(p.probabilities);
  probabilities[3] = -1.5;
  const path = await parquet('logits', { ...p, probabilities });
  await rejects(options(path), `evaluate: --predictions ${path} column "probabilities" row 0 holds -1.5 at position 3, expected probabilities in [0, 1]; write softmax outputs, not logits (torch.softmax(logits, dim=1))`);
});

test('bad input: 9 probabilities per row for 10 class names is one line with both widths', async () => {
  const p = columns();
  const nine = Float64Array.from({ length: 30 * 9 }, () => 1 / 9);
  const path = await parquet('width', { ...p, probabilities: nine, classCount: 9 });
  await rejects(
    options(path),
    `evaluate: --predictions ${path} column "probabilities" row 0 has 9 values, expected 10 (the class count, from the file's tbpipe.classNames); write 10 values in every row of probabilities`,
  );
  const flagged = await parquet('width-flag', { ...p, classNames: undefined });
  await rejects(
    options(flagged, { classNames: 'a,b,c' }),
    `evaluate: --predictions ${flagged} column "probabilities" row 0 has 10 values, expected 3 (the class count, from --class-names); write 3 values in every row of probabilities`,
  );
});

test('bad input: a NaN probability is one line naming the row and position', async () => {
  const p = columns();
  const probabilities = Float64Array.from(p.probabilities);
  probabilities[12 * 10 + 2] = Number.NaN;
  const path = await parquet('nan', { ...p, probabilities });
  await rejects(options(path), `evaluate: --predictions ${path} column "probabilities" row 12 holds NaN at position 2, expected finite numbers; drop or fix the rows with NaN/Infinity in probabilities`);
});

test('bad input: a file without the probabilities column names the columns it has', async () => {
  const path = join(root, 'no-probs.arrow');
  const schema = new Schema([new Field('label', new Int64(), true), new Field('scores', new Utf8(), true)]);
  const data = makeData({
    type: new Struct(schema.fields),
    length: 2,
    nullCount: 0,
    children: [makeVector(BigInt64Array.from([0n, 1n])).data[0], vectorFromArray(['x', 'y'], new Utf8()).data[0]],
  });
  await writeTableAtomic(path, new Table(schema, [new RecordBatch(schema, data)]));
  await rejects(
    options(path),
    `evaluate: --predictions ${path} has no column "probabilities" (it has "label", "scores"), expected columns label and probabilities (optional: index, predicted, features); rename the columns to the contract's names (see the evaluate README)`,
  );
});

test('bad input: a label outside the class list, as an index or as a name, is one line naming the row', async () => {
  const p = columns();
  const labels = Uint16Array.from(p.label as ArrayLike<number>);
  labels[7] = 10;
  const path = await parquet('label-range', { ...p, label: labels });
  const list = `[${FASHION_CLASSES.join(', ')}]`;
  await rejects(
    options(path),
    `evaluate: --predictions ${path} column "label" row 7 is 10, outside the class list, expected a class index in [0, 10) or a name in ${list}; check the labels against the class names (--class-names or the file's tbpipe.classNames metadata)`,
  );
  const names = Array.from(p.label as ArrayLike<number>, (l) => FASHION_CLASSES[l]);
  names[2] = 'Hat';
  const named = await parquet('label-name', { ...p, label: names });
  await rejects(
    options(named),
    `evaluate: --predictions ${named} column "label" row 2 is "Hat", outside the class list, expected a class index in [0, 10) or a name in ${list}; check the labels against the class names (--class-names or the file's tbpipe.classNames metadata)`,
  );
});

test('bad input: a file that is neither Arrow nor Parquet, and --model with --predictions, are refused', async () => {
  const path = join(root, 'preds.csv');
  await writeFile(path, 'label,p0,p1\n0,0.9,0.1\n');
  await rejects(
    options(path),
    `evaluate: --predictions ${path} starts with "label,", expected an Arrow IPC (file or stream) or Parquet file; write it with pyarrow (pq.write_table / pa.ipc.new_file) or pandas (DataFrame.to_parquet); see the evaluate README`,
  );
  await assert.rejects(evaluate(options(path, { modelDir: root })), { code: 'USAGE', message: '--model and --predictions are both given, expected one of them (a model to run, or predictions made elsewhere)' });
  await assert.rejects(evaluate({ outDir: join(root, 'x'), runDir: join(root, 'y') }), { code: 'USAGE', message: '--model is required (or --predictions, for predictions made elsewhere)' });
});

test('the bin prints one evaluate: line and exits 1 on a bad predictions file, 0 on a good one', async () => {
  const p = columns();
  const probabilities = Float64Array.from(p.probabilities);
  probabilities[0] = Number.NaN;
  const bad = await parquet('bin-nan', { ...p, probabilities });
  const out = join(root, 'bin-out');
  const env = { ...process.env, TBPIPE_LOG_LEVEL: 'silent' };
  const r = spawnSync(process.execPath, [BIN, '--predictions', bad, '--out', out, '--run-dir', join(root, 'bin-runs')], { encoding: 'utf8', env });
  assert.equal(r.status, 1);
  assert.equal(r.stderr, `tbpipe-evaluate: evaluate: --predictions ${bad} column "probabilities" row 0 holds NaN at position 0, expected finite numbers; drop or fix the rows with NaN/Infinity in probabilities\n`);
  const good = spawnSync(process.execPath, [BIN, '--predictions', await parquet('bin-good'), '--out', out, '--run-dir', join(root, 'bin-runs')], { encoding: 'utf8', env });
  assert.equal(good.status, 0, good.stderr);
  await verifyManifest(out, EVALUATE_CONTRACT);
});

test('300 classes from a file: PR curves for each, labels stored as Uint16, the top confused pairs instead of the matrix', async () => {
  const p = syntheticPredictions(600, 300, 0, 2);
  const path = await parquet('classes-300', { ...p, features: undefined, featureWidth: undefined });
  const o = options(path);
  const result = await evaluate(o);
  assert.equal(result.prCurves.length, 300);
  const written = await readPredictions(join(o.outDir, 'predictions.arrow'));
  assert.equal(written.classNames.length, 300);
  assert.equal(written.features, undefined);
  const tags: string[] = [];
  for await (const r of readEvents(result.eventFile)) for (const v of r.event.summary?.value ?? []) tags.push(v.tag!);
  assert.ok(tags.includes('top confused pairs') && !tags.includes('confusion matrix'));
  const bytes = await readFile(join(o.outDir, 'predictions.arrow'));
  assert.ok(bytes.length > 600 * 300 * 4, 'K probabilities per row');
});
