import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { CONTRACT_KEY, expectSchema, readTable, verifyManifest } from '@tbpipe/core';
import { Field, FixedSizeBinary, makeData, RecordBatch, Schema, Struct, Table, tableToIPC, Uint8 } from 'apache-arrow';
import { CLASS_COUNT_KEY, CLASS_NAMES_KEY, DATASET_KEY, IMAGE_CHANNELS_KEY, IMAGE_HEIGHT_KEY, IMAGE_WIDTH_KEY, ImagesSchema, INGEST_CONTRACT } from '../src/contract.ts';
import { DATASETS } from '../src/datasets.ts';
import { readImages } from '../src/images.ts';
import { ingest } from '../src/ingest.ts';
import { FIXTURE_DIR, isolated, listFiles, loadFixture, tempDir, writeDataDir } from './helpers.ts';

test('ingested pixels and labels read back equal to the IDX source bytes, for both splits', async (t) => {
  const tmp = await tempDir(t);
  const outDir = join(tmp, 'out');
  const result = await ingest({ outDir, dataDir: FIXTURE_DIR, ...isolated(join(tmp, 'cache')) });
  const fixture = await loadFixture();
  assert.deepEqual(result.rows, { train: 300, test: 200 });
  await verifyManifest(outDir, INGEST_CONTRACT);
  const train = await readImages(join(outDir, 'train.arrow'));
  const test_ = await readImages(join(outDir, 'test.arrow'));
  assert.equal(train.count, 300);
  assert.equal(test_.count, 200);
  assert.deepEqual(train.images, new Uint8Array(fixture.trainImages.idx.subarray(16)));
  assert.deepEqual(train.labels, Uint16Array.from(fixture.trainLabels.idx.subarray(8)));
  assert.deepEqual(test_.images, new Uint8Array(fixture.testImages.idx.subarray(16)));
  assert.deepEqual(test_.labels, Uint16Array.from(fixture.testLabels.idx.subarray(8)));
  assert.deepEqual(train.classNames, [...DATASETS['fashion-mnist'].classNames]);
  assert.deepEqual([train.height, train.width, train.channels], [28, 28, 1]);
});

/** The v1 images table (fmnist.images/v1, before shapes and class counts went into the metadata) of raw IDX bytes. */
function v1Table(pixels: Uint8Array, labels: Uint8Array, classNames: readonly string[]): Table {
  const schema = new Schema(
    [new Field('image', new FixedSizeBinary(784), false), new Field('label', new Uint8(), false)],
    new Map([[CONTRACT_KEY, 'fmnist.images/v1'], [CLASS_NAMES_KEY, JSON.stringify(classNames)], [IMAGE_HEIGHT_KEY, '28'], [IMAGE_WIDTH_KEY, '28'], [DATASET_KEY, 'fashion-mnist']]),
  );
  const count = labels.length;
  const image = makeData({ type: schema.fields[0]!.type as FixedSizeBinary, length: count, nullCount: 0, data: pixels });
  const label = makeData({ type: schema.fields[1]!.type as Uint8, length: count, nullCount: 0, data: labels });
  return new Table(schema, [new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: count, nullCount: 0, children: [image, label] }))]);
}

test('the tutorial\'s IDX ingest writes the same column types and buffers as v1 did; only the schema metadata changed', async (t) => {
  const tmp = await tempDir(t);
  const outDir = join(tmp, 'out');
  await ingest({ outDir, dataDir: FIXTURE_DIR, ...isolated(join(tmp, 'cache')) });
  const fixture = await loadFixture();
  const classNames = DATASETS['fashion-mnist'].classNames;
  for (const [file, images, labels] of [
    ['train.arrow', fixture.trainImages.idx.subarray(16), fixture.trainLabels.idx.subarray(8)],
    ['test.arrow', fixture.testImages.idx.subarray(16), fixture.testLabels.idx.subarray(8)],
  ] as const) {
    const v2 = await readTable(join(outDir, file));
    const v1 = v1Table(images, labels, classNames);
    // Re-label v2's record batch with v1's schema: byte-identical IPC only if types, lengths and buffers all match.
    const relabelled = new Table(v1.schema, v2.batches.map((b) => new RecordBatch(v1.schema, b.data)));
    assert.deepEqual(tableToIPC(relabelled, 'file'), tableToIPC(v1, 'file'), file);
  }
});

test('readImages returns views into the file bytes, not copies', async (t) => {
  const tmp = await tempDir(t);
  const outDir = join(tmp, 'out');
  await ingest({ outDir, dataDir: FIXTURE_DIR, ...isolated(join(tmp, 'cache')) });
  const { images } = await readImages(join(outDir, 'train.arrow'));
  assert.ok(images.buffer.byteLength >= (await readFile(join(outDir, 'train.arrow'))).length);
});

test('the Arrow files carry the images schema, contract id and metadata', async (t) => {
  const tmp = await tempDir(t);
  const outDir = join(tmp, 'out');
  await ingest({ outDir, dataDir: FIXTURE_DIR, ...isolated(join(tmp, 'cache')) });
  const table = await readTable(join(outDir, 'test.arrow'));
  expectSchema(table, ImagesSchema, 'test.arrow');
  assert.deepEqual(
    table.schema.fields.map((f) => `${f.name}: ${String(f.type)}${f.nullable ? '?' : ''}`),
    ['image: FixedSizeBinary[784]', 'label: Uint8'],
  );
  const metadata = Object.fromEntries(table.schema.metadata);
  assert.deepEqual(metadata, {
    [CONTRACT_KEY]: 'tbpipe.images/v2',
    [CLASS_NAMES_KEY]: JSON.stringify(DATASETS['fashion-mnist'].classNames),
    [IMAGE_HEIGHT_KEY]: '28',
    [IMAGE_WIDTH_KEY]: '28',
    [IMAGE_CHANNELS_KEY]: '1',
    [CLASS_COUNT_KEY]: '10',
    [DATASET_KEY]: 'fashion-mnist',
  });
  assert.equal(table.batches.length, 1);
});

test('the manifest lists both files and records dataset, class names, rows and the sources\' sha256', async (t) => {
  const tmp = await tempDir(t);
  const outDir = join(tmp, 'out');
  const { manifest } = await ingest({ outDir, dataDir: FIXTURE_DIR, ...isolated(join(tmp, 'cache')) });
  assert.deepEqual(JSON.parse(await readFile(join(outDir, 'manifest.json'), 'utf8')), manifest);
  assert.equal(manifest.contract, 'tbpipe.ingest/v2');
  assert.deepEqual(Object.keys(manifest.files), ['test.arrow', 'train.arrow']);
  const sums = Object.fromEntries(
    (await readFile(join(FIXTURE_DIR, 'SHA256SUMS'), 'utf8'))
      .trim()
      .split('\n')
      .map((line) => line.split(/\s+/).reverse()),
  );
  assert.deepEqual(manifest.info, {
    dataset: 'fashion-mnist',
    classNames: [...DATASETS['fashion-mnist'].classNames],
    classCount: 10,
    imageHeight: 28,
    imageWidth: 28,
    imageChannels: 1,
    rows: { train: 300, test: 200 },
    sources: {
      'train-images-idx3-ubyte': { file: 'train-images-idx3-ubyte.gz', sha256: sums['train-images-idx3-ubyte.gz'], bytes: 131896 },
      'train-labels-idx1-ubyte': { file: 'train-labels-idx1-ubyte.gz', sha256: sums['train-labels-idx1-ubyte.gz'], bytes: 171 },
      't10k-images-idx3-ubyte': { file: 't10k-images-idx3-ubyte.gz', sha256: sums['t10k-images-idx3-ubyte.gz'], bytes: 87442 },
      't10k-labels-idx1-ubyte': { file: 't10k-labels-idx1-ubyte.gz', sha256: sums['t10k-labels-idx1-ubyte.gz'], bytes: 127 },
    },
  });
});

test('two runs on the same input write byte-identical artifacts; only volatile/ differs', async (t) => {
  const tmp = await tempDir(t);
  const a = join(tmp, 'a');
  const b = join(tmp, 'b');
  await ingest({ outDir: a, dataDir: FIXTURE_DIR, ...isolated(join(tmp, 'cache')) });
  await ingest({ outDir: b, dataDir: FIXTURE_DIR, ...isolated(join(tmp, 'cache')) });
  for (const file of ['train.arrow', 'test.arrow', 'manifest.json']) {
    assert.deepEqual(await readFile(join(a, file)), await readFile(join(b, file)), file);
  }
  assert.deepEqual(await listFiles(a), ['manifest.json', 'test.arrow', 'train.arrow', 'volatile', 'volatile/ingest.json']);
});

test('raw and gzip inputs give the same Arrow files (compression is detected by magic, not name)', async (t) => {
  const tmp = await tempDir(t);
  const raw = await writeDataDir(join(tmp, 'raw'), { raw: true });
  await ingest({ outDir: join(tmp, 'from-raw'), dataDir: raw, ...isolated(join(tmp, 'cache')) });
  await ingest({ outDir: join(tmp, 'from-gz'), dataDir: FIXTURE_DIR, ...isolated(join(tmp, 'cache')) });
  for (const file of ['train.arrow', 'test.arrow']) {
    assert.deepEqual(await readFile(join(tmp, 'from-raw', file)), await readFile(join(tmp, 'from-gz', file)));
  }
  // A raw file named .gz is still read as raw.
  const fixture = await loadFixture();
  const misnamed = await writeDataDir(join(tmp, 'misnamed'), { rawBytes: { trainLabels: fixture.trainLabels.idx } });
  const result = await ingest({ outDir: join(tmp, 'from-misnamed'), dataDir: misnamed, ...isolated(join(tmp, 'cache')) });
  assert.equal(result.rows.train, 300);
});

test('mnist and kmnist use their own class names on the same 28×28 files', async (t) => {
  const tmp = await tempDir(t);
  for (const dataset of ['mnist', 'kmnist'] as const) {
    const outDir = join(tmp, dataset);
    const result = await ingest({ outDir, dataset, dataDir: FIXTURE_DIR, ...isolated(join(tmp, 'cache')) });
    assert.deepEqual(result.classNames, [...DATASETS[dataset].classNames]);
    const { classNames } = await readImages(join(outDir, 'train.arrow'));
    assert.deepEqual(classNames, [...DATASETS[dataset].classNames]);
    assert.equal(result.manifest.info?.dataset, dataset);
  }
  assert.deepEqual(DATASETS.mnist.classNames, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  assert.deepEqual(DATASETS.kmnist.classNames, ['o', 'ki', 'su', 'tsu', 'na', 'ha', 'ma', 'ya', 're', 'wo']);
});

test('an unknown dataset is a usage error', async (t) => {
  const tmp = await tempDir(t);
  await assert.rejects(ingest({ outDir: join(tmp, 'out'), dataset: 'cifar' as never, ...isolated(tmp) }), {
    name: 'UsageError',
    message: '--dataset is "cifar", expected one of fashion-mnist, mnist, kmnist',
  });
});

test('a failed rerun leaves the previous complete output untouched and still verified', async (t) => {
  const tmp = await tempDir(t);
  const outDir = join(tmp, 'out');
  await ingest({ outDir, dataDir: FIXTURE_DIR, ...isolated(join(tmp, 'cache')) });
  const before = await readFile(join(outDir, 'manifest.json'));
  const fixture = await loadFixture();
  const bad = await writeDataDir(join(tmp, 'bad'), { replace: { testLabels: fixture.trainLabels.idx } });
  await assert.rejects(ingest({ outDir, dataDir: bad, ...isolated(join(tmp, 'cache')) }), { code: 'IDX_COUNT_MISMATCH' });
  assert.deepEqual(await readFile(join(outDir, 'manifest.json')), before);
  await verifyManifest(outDir, INGEST_CONTRACT);
  assert.deepEqual(await listFiles(outDir), ['manifest.json', 'test.arrow', 'train.arrow', 'volatile', 'volatile/ingest.json']);
});

test('a rerun over a previous output replaces it and leaves no temporary files', async (t) => {
  const tmp = await tempDir(t);
  const outDir = join(tmp, 'out');
  await ingest({ outDir, dataDir: FIXTURE_DIR, ...isolated(join(tmp, 'cache')) });
  await writeFile(join(outDir, 'train.arrow'), 'stale');
  await ingest({ outDir, dataDir: FIXTURE_DIR, ...isolated(join(tmp, 'cache')) });
  await verifyManifest(outDir, INGEST_CONTRACT);
  assert.deepEqual(await listFiles(outDir), ['manifest.json', 'test.arrow', 'train.arrow', 'volatile', 'volatile/ingest.json']);
});

test('IDX files of another size and class set: the size from their header, the names from --class-names or --class-names-file', async (t) => {
  const tmp = await tempDir(t);
  const { encodeIdxImages, encodeIdxLabels } = await import('../src/idx.ts');
  const pixels = (n: number) => Uint8Array.from({ length: n * 20 * 24 }, (_, i) => i % 251);
  const data = await writeDataDir(join(tmp, 'data'), {
    replace: {
      trainImages: encodeIdxImages(pixels(6), 6, 20, 24),
      trainLabels: encodeIdxLabels(Uint8Array.from([0, 1, 2, 0, 1, 2])),
      testImages: encodeIdxImages(pixels(3), 3, 20, 24),
      testLabels: encodeIdxLabels(Uint8Array.from([2, 1, 0])),
    },
  });
  const result = await ingest({ outDir: join(tmp, 'a'), dataDir: data, classNames: 'alpha,beta,gamma', ...isolated(join(tmp, 'cache')) });
  assert.deepEqual([result.shape, result.classNames, result.rows], [{ height: 20, width: 24, channels: 1 }, ['alpha', 'beta', 'gamma'], { train: 6, test: 3 }]);
  const train = await readImages(join(tmp, 'a', 'train.arrow'));
  assert.deepEqual([train.height, train.width, train.channels], [20, 24, 1]);
  assert.deepEqual(train.images, pixels(6));

  await writeFile(join(tmp, 'names.txt'), 'alpha\nbeta\n\ngamma\n');
  const fromFile = await ingest({ outDir: join(tmp, 'b'), dataDir: data, classNamesFile: join(tmp, 'names.txt'), ...isolated(join(tmp, 'cache')) });
  assert.deepEqual(fromFile.classNames, ['alpha', 'beta', 'gamma']);

  await assert.rejects(ingest({ outDir: join(tmp, 'c'), dataDir: data, classNames: '["alpha","beta"]', ...isolated(join(tmp, 'cache')) }), {
    code: 'IDX_LABEL_OUT_OF_RANGE',
    message: 'idx: label 2 at index 2 in train-labels-idx1-ubyte.gz, expected 0…1 (2 names in --class-names); give a name for every class',
  });
});
