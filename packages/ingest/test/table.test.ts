// --source table: the committed Hugging Face-layout Parquet fixture, the same layout as Arrow IPC, and raw pixels.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { FixedSizeList, Field, Uint8 } from 'apache-arrow';
import { parquetReadObjects } from 'hyparquet';
import { readFile } from 'node:fs/promises';
import { FASHION_MNIST_CLASSES } from '../src/contract.ts';
import { readImages } from '../src/images.ts';
import { ingest } from '../src/ingest.ts';
import { huggingFaceClassNames } from '../src/sources/table.ts';
import { tempDir } from './helpers.ts';
import { Binary, FOLDER_CLASSES, FOLDER_FIXTURE, hfMetadata, IMAGE_STRUCT, Int64, png, TABLE_FIXTURE, Utf8, writeArrow, writeParquet } from './source-helpers.ts';

test('the Hugging Face Parquet fixture: class names from its metadata, split column, the same pixels as the folder fixture', async (t) => {
  const tmp = await tempDir(t);
  const result = await ingest({ outDir: join(tmp, 'table'), source: 'table', path: TABLE_FIXTURE });
  assert.deepEqual(result.rows, { train: 24, test: 24 });
  assert.deepEqual(result.classNames, [...FASHION_MNIST_CLASSES]);
  assert.deepEqual(result.shape, { height: 16, width: 12, channels: 3 });
  assert.deepEqual(result.manifest.info?.split, { column: 'split' });
  // Row i of a split is the folder fixture's <split>/<class>/<i>.png: the same pixels, the same class.
  await ingest({ outDir: join(tmp, 'folder'), source: 'folder', path: FOLDER_FIXTURE });
  for (const split of ['train', 'test'] as const) {
    const fromTable = await readImages(join(tmp, 'table', `${split}.arrow`));
    const fromFolder = await readImages(join(tmp, 'folder', `${split}.arrow`));
    const { fixtureFiles } = await import('./source-helpers.ts');
    const files = await fixtureFiles(split);
    files.forEach((f, k) => {
      const row = f.row;
      assert.deepEqual(fromTable.images.subarray(row * 576, (row + 1) * 576), fromFolder.images.subarray(k * 576, (k + 1) * 576), `${split} row ${row}`);
      assert.equal(fromTable.classNames[fromTable.labels[row]!]!.replace('/', '-'), FOLDER_CLASSES[fromFolder.labels[k]!]);
    });
  }
});

test('the fixture really has the Hugging Face layout: image {bytes, path} structs of PNG, int labels, huggingface metadata', async () => {
  const bytes = await readFile(TABLE_FIXTURE);
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const rows = (await parquetReadObjects({ file, utf8: false, rowEnd: 2 })) as Array<{ image: { bytes: Uint8Array; path: string }; label: bigint; split: string }>;
  assert.deepEqual([...rows[0]!.image.bytes.subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
  assert.equal(rows[0]!.image.path, 'train/0.png');
  assert.equal(typeof rows[0]!.label, 'bigint');
  assert.equal(rows[0]!.split, 'train');
});

test('huggingFaceClassNames reads info.features.<label>.names and ignores anything else', () => {
  assert.deepEqual(huggingFaceClassNames(new Map(Object.entries(hfMetadata(['a', 'b'], 'y'))), 'y'), ['a', 'b']);
  assert.equal(huggingFaceClassNames(new Map(Object.entries(hfMetadata(['a', 'b'], 'y'))), 'label'), undefined);
  assert.equal(huggingFaceClassNames(new Map([['huggingface', '{not json']]), 'label'), undefined);
  assert.equal(huggingFaceClassNames(new Map(), 'label'), undefined);
});

test('the same layout as Arrow IPC, without a split column, is split by --test-fraction', async (t) => {
  const tmp = await tempDir(t);
  const images = await Promise.all([10, 20, 30, 40, 50, 60].map((v) => png(5, 4, 3, v)));
  const path = await writeArrow(
    join(tmp, 'pets.arrow'),
    {
      image: { values: images.map((bytes, i) => ({ bytes, path: `${i}.png` })), type: IMAGE_STRUCT() },
      label: { values: [0n, 1n, 0n, 1n, 0n, 1n], type: new Int64() },
    },
    hfMetadata(['cat', 'dog']),
  );
  const result = await ingest({ outDir: join(tmp, 'out'), source: 'table', path, testFraction: 0.34, seed: 1 });
  assert.deepEqual(result.classNames, ['cat', 'dog']);
  assert.deepEqual(result.rows, { train: 4, test: 2 });
  assert.equal(result.dataset, 'pets');
  const data = await readImages(join(tmp, 'out', 'test.arrow'));
  assert.deepEqual([...data.labels].sort(), [0, 1]);
});

test('raw pixels: a binary column shaped by --image-size, a list column, and pixel1…pixelN columns', async (t) => {
  const tmp = await tempDir(t);
  const raw = [0, 1, 2, 3].map((v) => new Uint8Array(6).fill(v * 10));
  const binary = await writeArrow(join(tmp, 'binary.arrow'), {
    image: { values: raw, type: new Binary() },
    label: { values: ['b', 'a', 'b', 'a'], type: new Utf8() },
    split: { values: ['train', 'train', 'test', 'test'], type: new Utf8() },
  });
  const a = await ingest({ outDir: join(tmp, 'a'), source: 'table', path: binary, imageSize: '2x3' });
  assert.deepEqual([a.shape, a.classNames, a.rows], [{ height: 2, width: 3, channels: 1 }, ['a', 'b'], { train: 2, test: 2 }]);
  const train = await readImages(join(tmp, 'a', 'train.arrow'));
  assert.deepEqual([...train.images], [...raw[0]!, ...raw[1]!]);
  assert.deepEqual([...train.labels], [1, 0]);

  const list = await writeArrow(join(tmp, 'list.arrow'), {
    pixels: { values: raw.map((r) => [...r, ...r, ...r, ...r, ...r, ...r].slice(0, 16)), type: new FixedSizeList(16, new Field('p', new Uint8(), false)) },
    label: { values: [0n, 1n, 0n, 1n], type: new Int64() },
  });
  const b = await ingest({ outDir: join(tmp, 'b'), source: 'table', path: list, imageColumn: 'pixels', classNames: 'zero,one', testFraction: 0.5 });
  assert.deepEqual([b.shape, b.classNames], [{ height: 4, width: 4, channels: 1 }, ['zero', 'one']]);

  const columns = [
    { name: 'label', data: [0, 1, 1, 0], type: 'INT64' as const },
    ...Array.from({ length: 9 }, (_, k) => ({ name: `pixel${k + 1}`, data: [k, k + 1, k + 2, k + 3], type: 'INT32' as const })),
  ];
  const kaggle = await writeParquet(join(tmp, 'kaggle.parquet'), columns);
  const c = await ingest({ outDir: join(tmp, 'c'), source: 'table', path: kaggle, testFraction: 0.5 });
  assert.deepEqual([c.shape, c.classNames], [{ height: 3, width: 3, channels: 1 }, ['0', '1']]);
  const all = [...(await readImages(join(tmp, 'c', 'train.arrow'))).images, ...(await readImages(join(tmp, 'c', 'test.arrow'))).images];
  assert.deepEqual(all.sort((x, y) => x - y), [0, 1, 2, 3, 4, 5, 6, 7, 8, 1, 2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5, 6, 7, 8, 9, 10, 3, 4, 5, 6, 7, 8, 9, 10, 11].sort((x, y) => x - y));
});

test('a folder of train* and test* Parquet files (the Hub layout) is split by file', async (t) => {
  const tmp = await tempDir(t);
  const image = await png(4, 4);
  for (const [split, n] of [['train', 3], ['test', 2]] as const) {
    await writeParquet(
      join(tmp, 'ds', 'data', `${split}-00000-of-00001.parquet`),
      [
        { name: 'image', data: Array.from({ length: n }, (_, i) => ({ bytes: image, path: `${i}.png` })) },
        { name: 'label', data: Array.from({ length: n }, (_, i) => i % 2), type: 'INT64' },
      ],
      hfMetadata(['x', 'y']),
    );
  }
  const result = await ingest({ outDir: join(tmp, 'out'), source: 'table', path: join(tmp, 'ds') });
  assert.deepEqual(result.rows, { train: 3, test: 2 });
  assert.deepEqual(result.classNames, ['x', 'y']);
  assert.equal(result.manifest.info?.split, 'files train*/test*');
});

test('an image struct with only a path reads the file beside the table; a row that is neither is skipped and reported', async (t) => {
  const tmp = await tempDir(t);
  const { writeTree } = await import('./source-helpers.ts');
  await writeTree(join(tmp, 'ds'), { 'img/a.png': await png(3, 3, 1, 10), 'img/b.png': await png(3, 3, 1, 200) });
  const path = await writeArrow(join(tmp, 'ds', 'table.arrow'), {
    image: { values: [{ bytes: null, path: 'img/a.png' }, { bytes: null, path: 'img/b.png' }, { bytes: null, path: 'img/a.png' }, { bytes: null, path: null }, { bytes: null, path: 'img/b.png' }], type: IMAGE_STRUCT() },
    label: { values: ['a', 'b', 'a', 'b', 'b'], type: new Utf8() },
    split: { values: ['train', 'train', 'test', 'test', 'test'], type: new Utf8() },
  });
  const result = await ingest({ outDir: join(tmp, 'out'), source: 'table', path });
  assert.deepEqual([result.shape, result.rows], [{ height: 3, width: 3, channels: 1 }, { train: 2, test: 2 }]);
  assert.deepEqual(result.skipped.map((s) => s.name), [`row 3 of ${path}`]);
  const train = await readImages(join(tmp, 'out', 'train.arrow'));
  assert.deepEqual([train.images[0], train.images[9]], [10, 200]);
});
