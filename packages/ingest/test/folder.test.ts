// --source folder on the committed fixture (real FashionMNIST PNGs, RGB 16×12) and on folders built in the tests.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { verifyManifest } from '@tbpipe/core';
import { INGEST_CONTRACT } from '../src/contract.ts';
import { decodeImage } from '../src/decode.ts';
import { readImages } from '../src/images.ts';
import { ingest } from '../src/ingest.ts';
import { stratifiedSplit } from '../src/split.ts';
import { createRandom } from '@tbpipe/core';
import { tempDir } from './helpers.ts';
import { copyTree, FOLDER_CLASSES, FOLDER_FIXTURE, fixtureFiles, png, writeTree } from './source-helpers.ts';

test('a train/ + test/ folder becomes both splits: sorted class folders, each image decoded at its own size, HWC', async (t) => {
  const outDir = join(await tempDir(t), 'out');
  const result = await ingest({ outDir, source: 'folder', path: FOLDER_FIXTURE });
  assert.deepEqual(result.rows, { train: 24, test: 24 });
  assert.deepEqual(result.shape, { height: 16, width: 12, channels: 3 });
  assert.deepEqual(result.classNames, FOLDER_CLASSES);
  await verifyManifest(outDir, INGEST_CONTRACT);
  for (const split of ['train', 'test'] as const) {
    const data = await readImages(join(outDir, `${split}.arrow`));
    const files = await fixtureFiles(split);
    assert.deepEqual([data.height, data.width, data.channels, data.count], [16, 12, 3, files.length]);
    assert.deepEqual([...data.labels], files.map((f) => FOLDER_CLASSES.indexOf(f.cls)));
    for (const k of [0, 7, files.length - 1]) {
      const own = await decodeImage(await readFile(files[k]!.file), 3);
      assert.deepEqual(data.images.subarray(k * 576, (k + 1) * 576), own.pixels, `${split} image ${k}`);
    }
  }
  assert.equal(result.manifest.info?.source, 'folder');
  assert.deepEqual(result.manifest.info?.split, 'folders train/ and test/');
});

test('one tree is split by --test-fraction: stratified, seeded, and the same seed gives byte-identical files', async (t) => {
  const tmp = await tempDir(t);
  const root = await copyTree('train', join(tmp, 'clothes'));
  const a = await ingest({ outDir: join(tmp, 'a'), source: 'folder', path: root, testFraction: 0.25, seed: 3 });
  const b = await ingest({ outDir: join(tmp, 'b'), source: 'folder', path: root, testFraction: 0.25, seed: 3 });
  const c = await ingest({ outDir: join(tmp, 'c'), source: 'folder', path: root, testFraction: 0.25, seed: 4 });
  assert.equal(a.rows.train + a.rows.test, 24);
  assert.equal(a.dataset, 'clothes');
  for (const file of ['train.arrow', 'test.arrow', 'manifest.json']) {
    assert.deepEqual(await readFile(join(tmp, 'a', file)), await readFile(join(tmp, 'b', file)), file);
  }
  assert.notDeepEqual(await readFile(join(tmp, 'a', 'test.arrow')), await readFile(join(tmp, 'c', 'test.arrow')));
  // Every class with two or more images has at least one on each side.
  const train = await readImages(join(tmp, 'a', 'train.arrow'));
  const test_ = await readImages(join(tmp, 'a', 'test.arrow'));
  const files = await fixtureFiles('train');
  for (const cls of FOLDER_CLASSES) {
    const c = FOLDER_CLASSES.indexOf(cls);
    if (files.filter((f) => f.cls === cls).length < 2) continue;
    assert.ok(train.labels.includes(c) && test_.labels.includes(c), `class ${cls} on both sides`);
  }
  assert.deepEqual(a.manifest.info?.split, { testFraction: 0.25, seed: 3, stratified: true });
});

test('stratifiedSplit takes round(n × fraction) of each class, at least one each side, rows ascending', () => {
  const labels = Uint16Array.from([0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3]);
  const { train, test: held } = stratifiedSplit(labels, 4, 0.25, createRandom(0));
  const count = (rows: Uint32Array, c: number) => [...rows].filter((i) => labels[i] === c).length;
  assert.deepEqual([0, 1, 2, 3].map((c) => count(held, c)), [1, 2, 1, 0]);
  assert.equal(train.length + held.length, labels.length);
  assert.deepEqual([...train], [...train].sort((x, y) => x - y));
});

test('--image-size and --channels resize and convert every image', async (t) => {
  const outDir = join(await tempDir(t), 'out');
  const result = await ingest({ outDir, source: 'folder', path: FOLDER_FIXTURE, imageSize: '8x10', channels: 1 });
  assert.deepEqual(result.shape, { height: 8, width: 10, channels: 1 });
  const data = await readImages(join(outDir, 'test.arrow'));
  assert.equal(data.images.length, 24 * 80);
  assert.equal(result.manifest.info?.resized, true);
});

test('JPEG, WebP and grey PNG files are read; grey is 1 channel by default, and --channels 3 replicates it', async (t) => {
  const tmp = await tempDir(t);
  const grey = await png(6, 5, 1, 90);
  const root = await writeTree(join(tmp, 'mixed'), {
    'a/1.png': grey,
    'a/2.PNG': grey,
    'b/1.jpg': await (await import('sharp')).default(grey).jpeg().toBuffer(),
    'b/2.webp': await (await import('sharp')).default(grey).webp({ lossless: true }).toBuffer(),
    'b/notes.txt': 'not an image',
  });
  const one = await ingest({ outDir: join(tmp, 'one'), source: 'folder', path: root, testFraction: 0.5 });
  assert.deepEqual(one.shape, { height: 6, width: 5, channels: 1 });
  assert.deepEqual(one.rows, { train: 2, test: 2 });
  const three = await ingest({ outDir: join(tmp, 'three'), source: 'folder', path: root, testFraction: 0.5, channels: 3 });
  const data = await readImages(join(tmp, 'three', 'train.arrow'));
  assert.deepEqual([three.shape.channels, data.images[0], data.images[1], data.images[2]], [3, 90, 90, 90]);
});

test('an unreadable image is skipped and listed in the manifest; the rest is written', async (t) => {
  const tmp = await tempDir(t);
  const good = await png(4, 4);
  const root = await writeTree(join(tmp, 'f'), { 'a/1.png': good, 'a/2.png': good, 'b/1.png': good, 'b/2.png': good.subarray(0, 30), 'b/3.png': good });
  const result = await ingest({ outDir: join(tmp, 'out'), source: 'folder', path: root, testFraction: 0.5 });
  assert.equal(result.rows.train + result.rows.test, 4);
  assert.deepEqual(result.skipped.map((s) => s.name), ['b/2.png']);
  const skipped = result.manifest.info?.skipped as { count: number; first: Array<{ image: string }> };
  assert.equal(skipped.count, 1);
  assert.equal(skipped.first[0]!.image, 'b/2.png');
});

test('a folder where no image can be decoded is IMAGE_UNREADABLE even without --strict', async (t) => {
  const tmp = await tempDir(t);
  const broken = (await png(4, 4)).subarray(0, 20);
  const root = await writeTree(join(tmp, 'f'), { 'a/1.png': broken, 'b/1.png': broken });
  await assert.rejects(ingest({ outDir: join(tmp, 'out'), source: 'folder', path: root }), {
    code: 'IMAGE_UNREADABLE',
    message: 'folder: none of the 2 images of folder could be decoded, expected at least one PNG, JPEG or WebP image; check the files',
  });
});

test('the test tree may lack a class of the training tree; labels follow the training classes', async (t) => {
  const tmp = await tempDir(t);
  const root = await writeTree(join(tmp, 'f'), { 'train/a/1.png': await png(4, 4), 'train/b/1.png': await png(4, 4), 'train/c/1.png': await png(4, 4), 'test/c/1.png': await png(4, 4) });
  const result = await ingest({ outDir: join(tmp, 'out'), source: 'folder', path: root });
  assert.deepEqual([result.classNames, result.rows], [['a', 'b', 'c'], { train: 3, test: 1 }]);
  assert.deepEqual([...(await readImages(join(tmp, 'out', 'test.arrow'))).labels], [2]);
});
