/**
 * The project stage on data other than the tutorial's: RGB images of another size with 12 classes and 16 features,
 * and predictions made elsewhere with no images at all (features only, no sprites).
 */
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createRandom, readTable, verifyManifest, writeManifest } from '@tbpipe/core';
import { decodePng } from '@tbpipe/eventlog';
import { writePredictions } from '@tbpipe/evaluate';
import { writeImages } from '@tbpipe/ingest';
import { project, projectionsSchema, PROJECT_CONTRACT, thumbnails } from '../src/index.ts';
import { syntheticFeatures } from './helpers.ts';

const CLASSES = Array.from({ length: 12 }, (_, c) => `kind ${c}`);
const SHAPE = { height: 12, width: 10, channels: 3 };
let root: string;

/** RGB images: class c lights channel c % 3 in a block whose place depends on c. */
function rgbImages(count: number, seed: number): { images: Uint8Array; labels: Uint16Array } {
  const random = createRandom(seed);
  const px = SHAPE.height * SHAPE.width * 3;
  const images = new Uint8Array(count * px);
  const labels = new Uint16Array(count);
  for (let i = 0; i < count; i++) {
    const c = i % 12;
    labels[i] = c;
    for (let p = 0; p < px; p++) images[i * px + p] = Math.floor(random() * 40);
    const y0 = 2 * Math.floor(c / 4);
    for (let y = y0; y < y0 + 4; y++) for (let x = 0; x < SHAPE.width; x++) images[i * px + (y * SHAPE.width + x) * 3 + (c % 3)] = 200 + Math.floor(random() * 55);
  }
  return { images, labels };
}

async function predictionsDir(name: string, labels: Uint16Array, features: Float32Array | undefined): Promise<string> {
  const dir = join(root, name);
  const n = labels.length;
  await writePredictions(join(dir, 'predictions.arrow'), {
    count: n,
    classNames: CLASSES,
    index: Uint32Array.from({ length: n }, (_, i) => i),
    label: labels,
    predicted: Uint16Array.from(labels, (l, i) => (i % 9 === 0 ? (l + 1) % 12 : l)),
    probabilities: new Float32Array(n * 12).fill(1 / 12),
    features,
  });
  await writeManifest(dir, 'tbpipe.evaluate/v2', ['predictions.arrow']);
  return dir;
}

let dataDir: string;
let labels: Uint16Array;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'tbpipe-project-shapes-'));
  dataDir = join(root, 'ingest');
  const train = rgbImages(48, 1);
  const test = rgbImages(60, 2);
  labels = test.labels;
  await writeImages(join(dataDir, 'train.arrow'), { ...train, classNames: CLASSES, count: 48, ...SHAPE }, 'rgb');
  await writeImages(join(dataDir, 'test.arrow'), { ...test, classNames: CLASSES, count: 60, ...SHAPE }, 'rgb');
  await writeManifest(dataDir, 'tbpipe.ingest/v2', ['train.arrow', 'test.arrow']);
});
after(() => rm(root, { recursive: true, force: true }));

test('RGB 12 × 10 images with 12 classes and 16 features: widths from the data, RGB sprites, 12 colours', async () => {
  const preds = await predictionsDir('evaluate-rgb', labels, syntheticFeatures(Uint8Array.from(labels), 3, 16));
  const out = join(root, 'rgb-out');
  const runDir = join(root, 'rgb-run');
  const result = await project({ dataDir, predictionsDir: preds, outDir: out, runDir, sampleImages: 20, featurePoints: 40 });
  assert.equal(result.metrics.sources.pixels?.width, 360);
  assert.equal(result.metrics.sources.features?.width, 16);
  await verifyManifest(out, PROJECT_CONTRACT);
  const table = await readTable(join(out, 'projections.arrow'), projectionsSchema(12));
  assert.equal(table.numRows, 80);
  const defaultTensors = (await readFile(join(runDir, '00000/default/tensors.tsv'), 'utf8')).split('\n');
  assert.equal(defaultTensors[0].split('\t').length, 360);
  const sprite = decodePng(await readFile(join(runDir, '00000/default/sprite.png')));
  assert.equal(sprite.channels, 3, 'RGB thumbnails');
  assert.deepEqual([sprite.width, sprite.height], [5 * 10, 5 * 10], 'ceil(√20) = 5 thumbnails of 10 px per row, in a square');
  const config = await readFile(join(runDir, 'projector_config.pbtxt'), 'utf8');
  assert.match(config, /single_image_dim: 10\n\s*single_image_dim: 12/);
});

test('predictions alone (no --data): only the features are projected, with metadata and no sprite', async () => {
  const preds = await predictionsDir('evaluate-alone', labels, syntheticFeatures(Uint8Array.from(labels), 4, 16));
  const out = join(root, 'alone-out');
  const runDir = join(root, 'alone-run');
  const result = await project({ predictionsDir: preds, outDir: out, runDir, featurePoints: 40 });
  assert.deepEqual(Object.keys(result.metrics.sources), ['features']);
  assert.deepEqual(result.embeddingTags, ['features', 'features_pca', 'features_umap2', 'features_umap3']);
  assert.deepEqual(result.figureTags, ['projections/features_pca', 'projections/features_umap']);
  const table = await readTable(join(out, 'projections.arrow'), projectionsSchema(12));
  assert.equal(table.numRows, 40);
  assert.deepEqual([...new Set(table.getChild('source')!.toArray() as string[])], ['features']);
  assert.deepEqual((await readdir(join(runDir, '00000', 'features'))).sort(), ['metadata.tsv', 'tensors.tsv']);
  const config = await readFile(join(runDir, 'projector_config.pbtxt'), 'utf8');
  assert.ok(!config.includes('sprite'), config);
});

test('predictions alone without features, or of other classes than --data, are one-line errors', async () => {
  const bare = await predictionsDir('evaluate-bare', labels, undefined);
  await assert.rejects(project({ predictionsDir: bare, outDir: join(root, 'e1'), runDir: join(root, 'e1r'), featurePoints: 40 }), {
    code: 'PROJECT_NOTHING_TO_PROJECT',
    message: `project: ${join(bare, 'predictions.arrow')} has no features column and no --data was given, expected features (or images) to project; add a features column to the predictions, or pass --data`,
  });
  const other = join(root, 'ingest-other');
  const data = rgbImages(30, 5);
  const names = CLASSES.map((c) => c.toUpperCase());
  await writeImages(join(other, 'train.arrow'), { ...data, classNames: names, count: 30, ...SHAPE }, 'rgb');
  await writeImages(join(other, 'test.arrow'), { ...data, classNames: names, count: 30, ...SHAPE }, 'rgb');
  await writeManifest(other, 'tbpipe.ingest/v2', ['train.arrow', 'test.arrow']);
  const preds = await predictionsDir('evaluate-30', labels.subarray(0, 30), syntheticFeatures(Uint8Array.from(labels.subarray(0, 30)), 4, 16));
  await assert.rejects(project({ dataDir: other, predictionsDir: preds, outDir: join(root, 'e2'), runDir: join(root, 'e2r'), featurePoints: 20 }), {
    code: 'PROJECT_CLASS_MISMATCH',
    message: `project: ${join(preds, 'predictions.arrow')} has classes [${CLASSES.join(', ')}] but ${join(other, 'test.arrow')} has [${names.join(', ')}], expected the same classes in the same order; project the predictions of the dataset given as --data`,
  });
});

test('thumbnails reorder RGB rows to CHW and shrink only when the sprite would pass 8192 px', () => {
  const images = Uint8Array.from({ length: 2 * 2 * 2 * 3 }, (_, i) => i);
  const t = thumbnails(images, [1], { height: 2, width: 2, channels: 3 });
  assert.deepEqual(t.shape, [1, 3, 2, 2]);
  assert.deepEqual(Array.from(t.data), [12, 15, 18, 21, 13, 16, 19, 22, 14, 17, 20, 23]);
  const side = 1000; // 10 per row × 1000 px = 10 000 px > 8192: shrunk to 819 px each
  const big = thumbnails(new Uint8Array(side * side), new Array(100).fill(0), { height: side, width: side, channels: 1 });
  assert.deepEqual(big.shape, [100, 1, 819, 819]);
  assert.ok(10 * big.shape[3] <= 8192);
  assert.deepEqual(thumbnails(new Uint8Array(300 * 300), new Array(100).fill(0), { height: 300, width: 300, channels: 1 }).shape, [100, 1, 300, 300], 'kept when they fit');
});

test('300 classes (predictions alone): labels stored as Uint16 in projections.arrow, metadata names every class', async () => {
  const names = Array.from({ length: 300 }, (_, c) => `c${c}`);
  const n = 40;
  const wide = Uint16Array.from({ length: n }, (_, i) => (i * 37) % 300);
  const dir = join(root, 'evaluate-300');
  await writePredictions(join(dir, 'predictions.arrow'), {
    count: n,
    classNames: names,
    index: Uint32Array.from({ length: n }, (_, i) => i),
    label: wide,
    predicted: wide,
    probabilities: new Float32Array(n * 300).fill(1 / 300),
    features: Float32Array.from({ length: n * 8 }, (_, i) => Math.sin(i)),
  });
  await writeManifest(dir, 'tbpipe.evaluate/v2', ['predictions.arrow']);
  const out = join(root, 'out-300');
  const runDir = join(root, 'run-300');
  await project({ predictionsDir: dir, outDir: out, runDir, featurePoints: 40 });
  const table = await readTable(join(out, 'projections.arrow'), projectionsSchema(300));
  assert.equal(String(table.schema.fields[2].type), 'Uint16');
  assert.deepEqual(Array.from(table.getChild('label')!.toArray() as Uint16Array), Array.from(wide));
  const meta = (await readFile(join(runDir, '00000/features/metadata.tsv'), 'utf8')).split('\n');
  assert.equal(meta[1], `${names[wide[0]]}\t${names[wide[0]]}\ttrue`);
});
