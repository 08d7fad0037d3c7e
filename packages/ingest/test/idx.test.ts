import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IdxError } from '../src/errors.ts';
import { checkSplit, decodeIdxImages, decodeIdxLabels, encodeIdxImages, encodeIdxLabels, IDX_IMAGES_MAGIC, IDX_LABELS_MAGIC } from '../src/idx.ts';

function pixels(count: number): Uint8Array {
  const out = new Uint8Array(count * 784);
  for (let i = 0; i < out.length; i++) out[i] = (i * 31 + 7) & 0xff;
  return out;
}

test('encoded images decode to the same pixels, as a view without a copy', () => {
  const src = pixels(3);
  const file = encodeIdxImages(src, 3);
  const decoded = decodeIdxImages(file, 'x');
  assert.deepEqual({ count: decoded.count, height: decoded.height, width: decoded.width }, { count: 3, height: 28, width: 28 });
  assert.deepEqual(decoded.pixels, src);
  assert.equal(decoded.pixels.buffer, file.buffer);
});

test('encoded labels decode to the same labels', () => {
  const labels = Uint8Array.from([0, 9, 3, 3, 1]);
  assert.deepEqual(decodeIdxLabels(encodeIdxLabels(labels), 'x'), labels);
});

test('the header is big-endian: magic 0x00000803 then count, rows, columns', () => {
  const view = new DataView(encodeIdxImages(pixels(2), 2).buffer);
  assert.deepEqual([view.getUint32(0), view.getUint32(4), view.getUint32(8), view.getUint32(12)], [IDX_IMAGES_MAGIC, 2, 28, 28]);
  assert.equal(new DataView(encodeIdxLabels(new Uint8Array(5)).buffer).getUint32(0), IDX_LABELS_MAGIC);
});

test('zero images decode to an empty split', () => {
  assert.equal(decodeIdxImages(encodeIdxImages(new Uint8Array(0), 0), 'x').count, 0);
  assert.equal(decodeIdxLabels(encodeIdxLabels(new Uint8Array(0)), 'x').length, 0);
});

test('a labels file read as images names both magics and suggests the files are swapped', () => {
  assert.throws(() => decodeIdxImages(encodeIdxLabels(new Uint8Array(20)), 'train-images-idx3-ubyte.gz'), {
    name: 'IdxError',
    code: 'IDX_BAD_MAGIC',
    message: 'idx: magic 0x00000801 in train-images-idx3-ubyte.gz, expected 0x00000803 (images); are the images and labels files swapped?',
  });
});

test('a magic of another element type is reported as not an IDX file of bytes', () => {
  const file = encodeIdxLabels(new Uint8Array(4));
  new DataView(file.buffer).setUint32(0, 0x00000d01); // type 0x0d = float32
  assert.throws(() => decodeIdxLabels(file, 'l'), {
    code: 'IDX_BAD_MAGIC',
    message: 'idx: magic 0x00000d01 in l, expected 0x00000801 (labels); is it an IDX file of unsigned bytes?',
  });
});

test('a header cut short is reported with the bytes it has and needs', () => {
  const file = encodeIdxImages(pixels(1), 1).subarray(0, 10);
  assert.throws(() => decodeIdxImages(file, 'i'), {
    code: 'IDX_TOO_SHORT',
    message: 'idx: i is 10 bytes, expected at least 16 (the IDX images header); the file is truncated or empty — download or copy it again',
  });
});

test('labels of one split that do not pair with its images are rejected before any label is checked', () => {
  assert.throws(
    () => checkSplit({ count: 3, name: 'imgs' }, { values: Uint8Array.from([0, 99]), name: 'lbls' }, 10, 'fashion-mnist'),
    (err: unknown) => err instanceof IdxError && err.code === 'IDX_COUNT_MISMATCH',
  );
});

test('the first label outside the classes is named with its index', () => {
  assert.throws(() => checkSplit({ count: 4, name: 'i' }, { values: Uint8Array.from([1, 9, 10, 200]), name: 'l' }, 10, 'mnist'), {
    code: 'IDX_LABEL_OUT_OF_RANGE',
    message: 'idx: label 10 at index 2 in l, expected 0…9 (10 mnist classes); is --dataset right for these files, or do they need --class-names?',
  });
});
