// readImages is the boundary every consumer (train, evaluate, project) crosses: it must accept what ingest writes,
// without copying, and reject anything else with one line that says what differs.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { CONTRACT_KEY, writeTableAtomic } from '@tbpipe/core';
import { Field, FixedSizeList, Schema, Table, Uint8, makeData, RecordBatch, Struct, tableFromIPC, tableToIPC } from 'apache-arrow';
import { CLASS_COUNT_KEY, CLASS_NAMES_KEY, IMAGE_CHANNELS_KEY, IMAGE_HEIGHT_KEY } from '../src/contract.ts';
import { encodeImages, makeImagesTable, readImages, writeImages } from '../src/images.ts';
import { tempDir } from './helpers.ts';

function split(count: number, classes = 10) {
  const images = new Uint8Array(count * 784);
  for (let i = 0; i < images.length; i++) images[i] = (i * 7) & 0xff;
  const labels = Uint8Array.from({ length: count }, (_, i) => i % classes);
  return { images, labels, count, classNames: Array.from({ length: classes }, (_, i) => `class ${i}`) };
}

test('writeImages then readImages gives back the same pixels, labels and class names', async (t) => {
  const dir = await tempDir(t);
  const data = split(25);
  await writeImages(join(dir, 'x.arrow'), data, 'mnist');
  const back = await readImages(join(dir, 'x.arrow'));
  assert.deepEqual(back, { ...data, labels: Uint16Array.from(data.labels), height: 28, width: 28, channels: 1 });
});

test('an RGB split of another size round-trips with its shape in the metadata', async (t) => {
  const dir = await tempDir(t);
  const count = 4;
  const images = Uint8Array.from({ length: count * 32 * 24 * 3 }, (_, i) => (i * 13) & 0xff);
  const data = { images, labels: Uint8Array.from([0, 1, 2, 1]), classNames: ['a', 'b', 'c'], count, height: 32, width: 24, channels: 3 };
  await writeImages(join(dir, 'x.arrow'), data, 'rgb');
  const back = await readImages(join(dir, 'x.arrow'));
  assert.deepEqual(back, { ...data, labels: Uint16Array.from([0, 1, 2, 1]) });
  const table = tableFromIPC(encodeImages(data, 'rgb'));
  assert.equal(String(table.schema.fields[0]!.type), 'FixedSizeBinary[2304]');
  assert.equal(table.schema.metadata.get(IMAGE_CHANNELS_KEY), '3');
  assert.equal(table.schema.metadata.get(CLASS_COUNT_KEY), '3');
});

test('labels are Uint8 up to 256 classes and Uint16 beyond; readImages gives Uint16 either way', async (t) => {
  const dir = await tempDir(t);
  for (const classes of [256, 257, 1000]) {
    const data = { ...split(3, classes), labels: Uint16Array.from([0, classes - 1, 7]) };
    const table = tableFromIPC(encodeImages(data, 'many'));
    assert.equal(String(table.schema.fields[1]!.type), classes <= 256 ? 'Uint8' : 'Uint16');
    await writeImages(join(dir, `${classes}.arrow`), data, 'many');
    const back = await readImages(join(dir, `${classes}.arrow`));
    assert.deepEqual(back.labels, Uint16Array.from([0, classes - 1, 7]));
    assert.equal(back.classNames.length, classes);
  }
});

test('an empty split round-trips', async (t) => {
  const dir = await tempDir(t);
  await writeImages(join(dir, 'x.arrow'), split(0), 'mnist');
  const back = await readImages(join(dir, 'x.arrow'));
  assert.equal(back.count, 0);
  assert.equal(back.images.length, 0);
});

test('encodeImages is deterministic: the same split gives the same bytes', () => {
  assert.deepEqual(encodeImages(split(5), 'mnist'), encodeImages(split(5), 'mnist'));
});

test('row access gives each image as a 784-byte Uint8Array', () => {
  const data = split(3);
  const table = tableFromIPC(encodeImages(data, 'mnist'));
  const row = table.get(2)!.toJSON() as { image: Uint8Array; label: number };
  assert.deepEqual(row.image, data.images.subarray(2 * 784, 3 * 784));
  assert.equal(row.label, 2);
});

test('a table of several record batches is read by copying them together', async (t) => {
  const dir = await tempDir(t);
  const a = makeImagesTable(split(3), 'mnist');
  const b = makeImagesTable({ ...split(4), images: new Uint8Array(4 * 784).fill(9) }, 'mnist');
  const table = new Table(a.schema, [...a.batches, ...b.batches]);
  await writeTableAtomic(join(dir, 'x.arrow'), table);
  const back = await readImages(join(dir, 'x.arrow'));
  assert.equal(back.count, 7);
  assert.deepEqual(back.images.subarray(0, 3 * 784), split(3).images);
  assert.ok(back.images.subarray(3 * 784).every((p) => p === 9));
  assert.deepEqual([...back.labels], [0, 1, 2, 0, 1, 2, 3]);
});

test('a table of another contract is rejected listing every difference', async (t) => {
  const dir = await tempDir(t);
  const fields = [new Field('image', new FixedSizeList(784, new Field('pixel', new Uint8(), false)), false), new Field('label', new Uint8(), true)];
  const schema = new Schema(fields, new Map([[CONTRACT_KEY, 'fmnist.images/v0']]));
  const child = makeData({ type: new Uint8(), length: 784, nullCount: 0, data: new Uint8Array(784) });
  const image = makeData({ type: fields[0]!.type as FixedSizeList, length: 1, nullCount: 0, child });
  const label = makeData({ type: new Uint8(), length: 1, nullCount: 0, data: new Uint8Array(1) });
  const table = new Table(schema, [new RecordBatch(schema, makeData({ type: new Struct(fields), length: 1, nullCount: 0, children: [image, label] }))]);
  const path = join(dir, 'x.arrow');
  await writeFile(path, tableToIPC(table, 'file'));
  await assert.rejects(readImages(path), {
    name: 'ContractError',
    code: 'SCHEMA_MISMATCH',
    message:
      `contract: ${path} does not match tbpipe.images/v2: contract fmnist.images/v0 instead of tbpipe.images/v2; ` +
      'field 0 is image: FixedSizeList[784]<Uint8>, expected image: FixedSizeBinary[784]; field 1 is label: Uint8?, expected label: Uint8; ' +
      'rebuild it with the producing stage (or rerun the pipeline).',
  });
});

async function withMetadata(dir: string, key: string, value: string | undefined): Promise<string> {
  const table = makeImagesTable(split(2), 'mnist');
  const metadata = new Map(table.schema.metadata);
  if (value === undefined) metadata.delete(key);
  else metadata.set(key, value);
  const schema = new Schema(table.schema.fields, metadata);
  const path = join(dir, `${key}.arrow`);
  await writeFile(path, tableToIPC(new Table(schema, table.batches.map((b) => new RecordBatch(schema, b.data))), 'file'));
  return path;
}

test('missing class names are IMAGES_METADATA', async (t) => {
  const path = await withMetadata(await tempDir(t), CLASS_NAMES_KEY, undefined);
  await assert.rejects(readImages(path), {
    code: 'IMAGES_METADATA',
    message: `contract: ${path} has tbpipe.classNames = null, expected tbpipe.images/v2 metadata; rebuild it with the ingest stage`,
  });
});

test('a class count that disagrees with the class names is IMAGES_METADATA', async (t) => {
  const path = await withMetadata(await tempDir(t), CLASS_COUNT_KEY, '11');
  await assert.rejects(readImages(path), {
    code: 'IMAGES_METADATA',
    message: `contract: ${path} has tbpipe.classCount = "11" for 10 class names, expected tbpipe.images/v2 metadata; rebuild it with the ingest stage`,
  });
});

test('channels other than 1 or 3 in the metadata are IMAGES_METADATA', async (t) => {
  const path = await withMetadata(await tempDir(t), IMAGE_CHANNELS_KEY, '2');
  await assert.rejects(readImages(path), {
    code: 'IMAGES_METADATA',
    message:
      `contract: ${path} has tbpipe.imageHeight = "28", tbpipe.imageWidth = "28", tbpipe.imageChannels = "2" (height and width 1…4096, channels 1 or 3), ` +
      'expected tbpipe.images/v2 metadata; rebuild it with the ingest stage',
  });
});

test('an image size in the metadata that disagrees with the image width is SCHEMA_MISMATCH', async (t) => {
  const path = await withMetadata(await tempDir(t), IMAGE_HEIGHT_KEY, '32');
  await assert.rejects(readImages(path), {
    code: 'SCHEMA_MISMATCH',
    message:
      `contract: ${path} does not match tbpipe.images/v2: field 0 is image: FixedSizeBinary[784], expected image: FixedSizeBinary[896]; ` +
      'rebuild it with the producing stage (or rerun the pipeline).',
  });
});

test('a v1 table (fmnist.images/v1) is SCHEMA_MISMATCH naming both contract ids', async (t) => {
  const path = await withMetadata(await tempDir(t), CONTRACT_KEY, 'fmnist.images/v1');
  await assert.rejects(readImages(path), {
    code: 'SCHEMA_MISMATCH',
    message: `contract: ${path} does not match tbpipe.images/v2: contract fmnist.images/v1 instead of tbpipe.images/v2; rebuild it with the producing stage (or rerun the pipeline).`,
  });
});

test('a label beyond the class names is IMAGES_LABEL_OUT_OF_RANGE', async (t) => {
  const dir = await tempDir(t);
  const data = { ...split(4), classNames: ['a', 'b'] };
  const path = join(dir, 'x.arrow');
  await writeImages(path, data, 'mnist');
  await assert.rejects(readImages(path), {
    code: 'IMAGES_LABEL_OUT_OF_RANGE',
    message: `contract: ${path} has label 2 at row 2, expected 0…1 (2 class names); rebuild it with the ingest stage`,
  });
});

test('a missing file is core\'s ARTIFACT_MISSING', async (t) => {
  const path = join(await tempDir(t), 'nope.arrow');
  await assert.rejects(readImages(path), { code: 'ARTIFACT_MISSING' });
});

test('makeImagesTable refuses pixels that do not match the count', () => {
  assert.throws(() => makeImagesTable({ ...split(2), count: 3 }, 'mnist'), RangeError);
});
