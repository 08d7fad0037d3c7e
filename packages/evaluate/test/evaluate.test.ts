import { verifyManifest } from '@tbpipe/core';
import { decodePng, readEvents, type Event } from '@tbpipe/eventlog';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { EVALUATE_CONTRACT } from '../src/contract.ts';
import { evaluate } from '../src/evaluate.ts';
import type { EvaluateOptions } from '../src/options.ts';
import { prCurveTensor } from '@tbpipe/eventlog';
import { computeClassPrCurves } from '../src/pr-curve.ts';
import { readPredictions } from '../src/predictions.ts';
import { fakeLoader, FASHION_CLASSES, makeIngestDir, makeTrainDir, runRecord, stripedImages } from './helpers/fixtures.ts';

const COUNT = 60;
let root: string;
let dataDir: string;
let modelDir: string;
const testSet = stripedImages(COUNT);

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'tbpipe-evaluate-'));
  dataDir = await makeIngestDir(join(root, 'ingest'), testSet);
  modelDir = await makeTrainDir(join(root, 'train'));
});
after(async () => {
  await rm(root, { recursive: true, force: true });
});

let runs = 0;
/** Options for a fresh run: its own out and run directories unless given. */
function options(overrides: Partial<EvaluateOptions> = {}): EvaluateOptions {
  runs += 1;
  return { dataDir, modelDir, outDir: join(root, `out-${runs}`), runDir: join(root, `runs-${runs}`), loadPredictor: fakeLoader(), ...overrides };
}

async function events(path: string): Promise<Event[]> {
  const out: Event[] = [];
  for await (const r of readEvents(path)) out.push(r.event);
  return out;
}

test('evaluate writes predictions.arrow, metrics.json and, last, a manifest whose hashes verify', async () => {
  const o = options();
  const result = await evaluate(o);
  assert.deepEqual((await readdir(o.outDir)).sort(), ['manifest.json', 'metrics.json', 'predictions.arrow', 'volatile']);
  assert.deepEqual(await readdir(join(o.outDir, 'volatile')), ['timings.json']);
  const manifest = await verifyManifest(o.outDir, EVALUATE_CONTRACT);
  assert.deepEqual(Object.keys(manifest.files), ['metrics.json', 'predictions.arrow']);
  assert.equal(manifest.info?.images, COUNT);
  assert.equal(manifest.info?.numThresholds, 127);

  const p = await readPredictions(join(o.outDir, 'predictions.arrow'));
  assert.equal(p.count, COUNT);
  assert.deepEqual(p.index, Uint32Array.from({ length: COUNT }, (_, i) => i));
  assert.deepEqual(p.label, Uint16Array.from(testSet.labels));
  assert.equal(p.probabilities.length, COUNT * 10);
  assert.equal(p.features!.length, COUNT * 84);
  assert.equal(p.featureWidth, 84);
  assert.equal(p.featureLayer, 'fc2', 'the layer before the last dense that has parameters');
  assert.deepEqual(p.classNames, FASHION_CLASSES);
  const correct = p.label.filter((y, i) => y === p.predicted[i]).length;
  assert.ok(correct >= COUNT * 0.8, `the fake model sees the stripes: ${correct}/${COUNT}`);

  const metrics = JSON.parse(await readFile(join(o.outDir, 'metrics.json'), 'utf8'));
  assert.deepEqual(metrics, JSON.parse(JSON.stringify(result.metrics)));
  assert.equal(metrics.accuracy, correct / COUNT);
  assert.deepEqual(metrics.classNames, FASHION_CLASSES);
  assert.equal(metrics.confusionMatrix.flat().reduce((a: number, b: number) => a + b, 0), COUNT);
  assert.ok(metrics.loss > 0 && Number.isFinite(metrics.loss));
});

test('the artifacts are byte-identical across reruns and inference batch sizes', async () => {
  const batches: number[][] = [];
  const a = options({ batchSize: 1000 });
  const b = options({ batchSize: 7, loadPredictor: fakeLoader({ onPredict: (n) => (batches.at(-1) ?? batches[batches.push([]) - 1]).push(n) }) });
  await evaluate(a);
  await evaluate(b);
  assert.deepEqual(batches, [[7, 7, 7, 7, 7, 7, 7, 7, 4]]);
  for (const f of ['predictions.arrow', 'metrics.json', 'manifest.json']) {
    assert.deepEqual(await readFile(join(a.outDir, f)), await readFile(join(b.outDir, f)), f);
  }
});

test('TensorBoard gets a PR curve per class, the confusion matrix, the table, the scalars and an hparams sub-run', async () => {
  const o = options();
  const result = await evaluate(o);
  const names = (await readdir(o.runDir)).sort();
  assert.equal(names.length, 2, names.join(', '));
  // Fixed names, so an Nx cache restore of an older run overwrites them instead of adding files beside them.
  assert.equal(names[0], 'events.out.tfevents.0000000000.tbpipe.0.0.evaluate');
  assert.equal(names[1], 'hparams');
  assert.deepEqual(await readdir(join(o.runDir, 'hparams')), ['events.out.tfevents.0000000000.tbpipe.0.0.evaluate']);

  const values = (await events(join(o.runDir, names[0]))).flatMap((e) => (e.summary?.value ?? []).map((v) => ({ step: e.step ?? 0, v })));
  const p = await readPredictions(join(o.outDir, 'predictions.arrow'));
  const curves = computeClassPrCurves(p.label, p.probabilities, 10, 127);
  const prValues = values.filter(({ v }) => v.metadata?.pluginData?.pluginName === 'pr_curves');
  assert.deepEqual(prValues.map(({ v }) => v.tag), FASHION_CLASSES);
  prValues.forEach(({ v, step }, c) => {
    assert.equal(step, 0);
    assert.deepEqual(Array.from(v.metadata!.pluginData!.content!), [0x10, 127]);
    assert.deepEqual(v.tensor!.tensorShape!.dim!.map((d) => Number(d.size)), [6, 127]);
    assert.deepEqual(Float32Array.from(v.tensor!.floatVal!), prCurveTensor(curves[c], curves[c].numThresholds));
  });

  const byTag = new Map(values.map(({ v, step }) => [v.tag, { v, step }]));
  const image = byTag.get('confusion matrix')!;
  assert.equal(image.step, 15000, "at the model's global step");
  const png = image.v.image!.encodedImageString!;
  const decoded = decodePng(png);
  assert.deepEqual([image.v.image!.width, image.v.image!.height], [decoded.width, decoded.height]);
  const text = byTag.get('per-class accuracy/text_summary')!;
  assert.match(new TextDecoder().decode(text.v.tensor!.stringVal![0]), /\| T-shirt\/top \| \d+\.\d %/);
  assert.equal(byTag.get('test accuracy')!.v.simpleValue, Math.fround(result.metrics.accuracy));
  assert.equal(byTag.get('test loss')!.v.simpleValue, Math.fround(result.metrics.loss));

  const hparamsFiles = await readdir(join(o.runDir, 'hparams'));
  assert.equal(hparamsFiles.length, 1);
  const hp = (await events(join(o.runDir, 'hparams', hparamsFiles[0]))).flatMap((e) => e.summary?.value ?? []);
  assert.deepEqual(
    hp.map((v) => v.tag),
    ['_hparams_/experiment', '_hparams_/session_start_info', '_hparams_/session_end_info', 'hparam/accuracy', 'hparam/loss'],
  );
  const start = new TextDecoder('latin1').decode(hp[1].metadata!.pluginData!.content);
  for (const name of ['lr', 'momentum', 'batch_size', 'epochs', 'seed', 'init', 'backend']) assert.ok(start.includes(name), name);
  assert.equal(hp[3].simpleValue, Math.fround(result.metrics.accuracy));
});

test("a rerun replaces this stage's TensorBoard output and leaves other stages' files alone", async () => {
  const o = options();
  await evaluate(o);
  const trainFile = 'events.out.tfevents.1700000000.host.1.0.train';
  await writeFile(join(o.runDir, trainFile), '');
  await evaluate({ ...o, outDir: join(root, 'rerun-out') });
  const names = await readdir(o.runDir);
  assert.equal(names.filter((n) => n.endsWith('.evaluate')).length, 1);
  assert.ok(names.includes(trainFile));
  assert.equal((await readdir(join(o.runDir, 'hparams'))).length, 1);
});

test('a model trained for other steps and params shows them: scalars at its step, hparams from its run.json', async () => {
  const dir = await makeTrainDir(join(root, 'train-short'), runRecord({ steps: 250, backend: 'wasm', params: { learningRate: 0.01, momentum: 0.5, batchSize: 8, epochs: 2, seed: 3 } }));
  const o = options({ modelDir: dir });
  await evaluate(o);
  const file = (await readdir(o.runDir)).find((n) => n.endsWith('.evaluate'))!;
  const scalar = (await events(join(o.runDir, file))).find((e) => e.summary?.value?.[0]?.tag === 'test accuracy')!;
  assert.equal(Number(scalar.step), 250);
  const hpFile = (await readdir(join(o.runDir, 'hparams')))[0];
  const start = (await events(join(o.runDir, 'hparams', hpFile))).flatMap((e) => e.summary?.value ?? [])[1];
  const content = new TextDecoder('latin1').decode(start.metadata!.pluginData!.content);
  assert.ok(content.includes('wasm'));
  assert.ok(!content.includes('init'), 'absent params are left out');
});

test("every file the stage writes into the run directory is covered by package.json's tbpipe.runOutputs", async () => {
  const o = options();
  await evaluate(o);
  const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { tbpipe: { runOutputs: string[] } };
  const toRegExp = (glob: string) =>
    new RegExp(`^${glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*\*/g, '\0').replace(/\*/g, '[^/]*').replace(/\0/g, '.*')}$`);
  const globs = pkg.tbpipe.runOutputs.map(toRegExp);
  const files = (await readdir(o.runDir, { recursive: true, withFileTypes: true }))
    .filter((d) => d.isFile())
    // parentPath is Node ≥ 20.12; its older name is path.
    .map((d) => join(d.parentPath ?? (d as unknown as { path: string }).path, d.name).slice(o.runDir.length + 1));
  assert.equal(files.length, 2);
  for (const f of files) assert.ok(globs.some((g) => g.test(f)), `${f} is not declared in ${pkg.tbpipe.runOutputs.join(', ')}`);
});

test('40 classes of 40 × 4 RGB images: K and the shape come from the data, and the confusion figure becomes the top confused pairs', async () => {
  const shape = { height: 40, width: 4, channels: 3 };
  const classNames = Array.from({ length: 40 }, (_, c) => `class ${c}`);
  const data = stripedImages(200, 5, 40, shape);
  const dir = await makeIngestDir(join(root, 'rgb-40'), { ...data, classNames, shape });
  const model = await makeTrainDir(join(root, 'train-40'), runRecord({ classNames }));
  const seen: number[] = [];
  const o = options({ dataDir: dir, modelDir: model, loadPredictor: fakeLoader({ classes: 40, features: 12, input: shape, onPredict: (n) => seen.push(n) }) });
  const result = await evaluate(o);
  assert.deepEqual(seen, [200]);
  assert.equal(result.prCurves.length, 40);
  const p = await readPredictions(join(o.outDir, 'predictions.arrow'));
  assert.equal(p.probabilities.length, 200 * 40);
  assert.equal(p.featureWidth, 12);
  assert.ok(result.metrics.accuracy > 0.5, `the fake model sees the stripes: ${result.metrics.accuracy}`);
  const values = (await events(result.eventFile)).flatMap((e) => e.summary?.value ?? []);
  const tags = values.map((v) => v.tag);
  assert.ok(!tags.includes('confusion matrix'));
  const pairs = values.find((v) => v.tag === 'top confused pairs')!;
  const png = decodePng(pairs.image!.encodedImageString!);
  assert.ok(png.width > 500 && png.height > 100, `${png.width} × ${png.height}`);
  const text = new TextDecoder().decode(values.find((v) => v.tag === 'per-class accuracy/text_summary')!.tensor!.stringVal![0]);
  assert.match(text, /Top 20 confused pairs:/);
  assert.equal(tags.filter((t) => t?.startsWith('class ')).length, 40, 'one PR curve per class');
});

test('up to 30 classes the confusion matrix stays a heat map, with cells large enough to read', async () => {
  const { computeMetrics } = await import('../src/metrics.ts');
  const { renderConfusionFigure } = await import('../src/report.ts');
  const names = Array.from({ length: 30 }, (_, c) => `class ${c}`);
  const labels = Uint16Array.from({ length: 300 }, (_, i) => i % 30);
  const metrics = computeMetrics({ labels, predicted: labels, probabilities: new Float32Array(300 * 30).fill(1 / 30), classNames: names });
  const figure = await renderConfusionFigure(metrics);
  assert.equal(figure.tag, 'confusion matrix');
  const png = decodePng(figure.png);
  assert.ok(png.width >= 30 * 22 && png.height >= 30 * 22, `${png.width} × ${png.height}: 22-px cells or more`);
  const pairs = await renderConfusionFigure(computeMetrics({ labels: Uint16Array.from(labels, (l) => l), predicted: Uint16Array.from(labels, (l) => (l + 1) % 31 === 30 ? 0 : l + 1), probabilities: new Float32Array(300 * 31).fill(1 / 31), classNames: [...names, 'class 30'] }));
  assert.equal(pairs.tag, 'top confused pairs');
});
