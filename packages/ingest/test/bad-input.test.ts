// Every way the four input files can be wrong, through ingest() as a user hits it: the exact one-line message, a
// stable code, an IngestError subclass, and nothing written to --out.
import assert from 'node:assert/strict';
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { TbpipeError } from '@tbpipe/core';
import { IDX_FILES, type IdxRole } from '../src/datasets.ts';
import { INGEST_ERROR_CODES, IngestError } from '../src/errors.ts';
import { encodeIdxImages } from '../src/idx.ts';
import { ingest } from '../src/ingest.ts';
import { readSourceFile } from '../src/read-source.ts';
import { isolated, listFiles, loadFixture, tempDir, writeDataDir } from './helpers.ts';

type Fixture = Awaited<ReturnType<typeof loadFixture>>;

interface Case {
  name: string;
  /** Build the data directory's deviations from the fixture. */
  data(f: Fixture): Parameters<typeof writeDataDir>[1];
  code: string;
  /** The exact message; `$DATA` stands for the data directory. */
  message: string;
}

function withUint32(bytes: Uint8Array, offset: number, value: number): Uint8Array {
  const copy = Uint8Array.from(bytes);
  new DataView(copy.buffer).setUint32(offset, value, false);
  return copy;
}

const CASES: Case[] = [
  {
    name: 'images and labels swapped',
    data: (f) => ({ replace: { trainImages: f.trainLabels.idx, trainLabels: f.trainImages.idx } }),
    code: 'IDX_BAD_MAGIC',
    message: 'idx: magic 0x00000801 in train-images-idx3-ubyte.gz, expected 0x00000803 (images); are the images and labels files swapped?',
  },
  {
    name: 'a file that is not IDX at all',
    data: () => ({ rawBytes: { testImages: Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0, 0, 0, 0, 0]) } }),
    code: 'IDX_BAD_MAGIC',
    message: 'idx: magic 0x89504e47 in t10k-images-idx3-ubyte.gz, expected 0x00000803 (images); is it an IDX file of unsigned bytes?',
  },
  {
    name: 'an empty labels file',
    data: () => ({ raw: true, replace: { testLabels: new Uint8Array(0) } }),
    code: 'IDX_TOO_SHORT',
    message: 'idx: t10k-labels-idx1-ubyte is 0 bytes, expected at least 8 (the IDX labels header); the file is truncated or empty — download or copy it again',
  },
  {
    name: 'images of zero width',
    data: () => ({ replace: { trainImages: encodeIdxImages(new Uint8Array(0), 300, 28, 0) } }),
    code: 'IDX_BAD_DIMENSIONS',
    message: 'idx: images of 28×0 in train-images-idx3-ubyte.gz, expected 1…4096 pixels per side; the header is damaged or this is not an images file',
  },
  {
    name: 'train and test images of different sizes',
    data: () => ({ replace: { trainImages: encodeIdxImages(new Uint8Array(300 * 32 * 32), 300, 32, 32) } }),
    code: 'IDX_SHAPE_MISMATCH',
    message: 'idx: images of 28×28 in t10k-images-idx3-ubyte.gz, expected 32×32 as in train-images-idx3-ubyte.gz; both splits must come from one dataset',
  },
  {
    name: 'an images file cut short inside its pixels',
    data: (f) => ({ replace: { trainImages: f.trainImages.idx.subarray(0, f.trainImages.idx.length - 100) } }),
    code: 'IDX_TRUNCATED',
    message: 'idx: train-images-idx3-ubyte.gz holds 235100 bytes of pixels (300 images of 28×28), expected 235200 from its header; the file is truncated — download or copy it again',
  },
  {
    name: 'a labels file cut short',
    data: (f) => ({ raw: true, replace: { testLabels: f.testLabels.idx.subarray(0, 108) } }),
    code: 'IDX_TRUNCATED',
    message: 'idx: t10k-labels-idx1-ubyte holds 100 bytes of labels (200 labels), expected 200 from its header; the file is truncated — download or copy it again',
  },
  {
    name: 'bytes after the last image',
    data: (f) => ({ replace: { testImages: Buffer.concat([f.testImages.idx, Buffer.alloc(784)]) } }),
    code: 'IDX_TRAILING_BYTES',
    message: "idx: t10k-images-idx3-ubyte.gz has 784 bytes after its 200 images, expected none; the header's count is wrong or the file is not one IDX file",
  },
  {
    name: 'labels from the other split',
    data: (f) => ({ replace: { testLabels: f.trainLabels.idx } }),
    code: 'IDX_COUNT_MISMATCH',
    message: 'idx: t10k-labels-idx1-ubyte.gz has 300 labels, expected 200 (one per image in t10k-images-idx3-ubyte.gz); the two files come from different splits or datasets',
  },
  {
    name: 'a label outside the ten classes',
    data: (f) => {
      const labels = Uint8Array.from(f.trainLabels.idx);
      labels[8 + 41] = 10;
      return { replace: { trainLabels: labels } };
    },
    code: 'IDX_LABEL_OUT_OF_RANGE',
    message: 'idx: label 10 at index 41 in train-labels-idx1-ubyte.gz, expected 0…9 (10 fashion-mnist classes); is --dataset right for these files, or do they need --class-names?',
  },
  {
    name: 'a gzip file cut in half',
    data: (f) => ({ rawBytes: { trainImages: f.trainImages.gz.subarray(0, f.trainImages.gz.length >> 1) } }),
    code: 'GZIP_TRUNCATED',
    message: 'gzip: train-images-idx3-ubyte.gz ends before its gzip stream does (unexpected end of file), expected a complete gzip file; the file is truncated — download or copy it again',
  },
  {
    name: 'a gzip file whose CRC does not match its content',
    data: (f) => ({ rawBytes: { trainLabels: withUint32(f.trainLabels.gz, f.trainLabels.gz.length - 8, 0xdeadbeef) } }),
    code: 'GZIP_CORRUPT',
    message: 'gzip: train-labels-idx1-ubyte.gz is not a valid gzip stream (incorrect data check), expected a gzip-compressed IDX file; the file is damaged — download or copy it again',
  },
  {
    name: 'a --data directory missing a file',
    data: () => ({ omit: ['testLabels'] as IdxRole[] }),
    code: 'DATA_INCOMPLETE',
    message:
      'ingest: $DATA (--data) has no t10k-labels-idx1-ubyte(.gz), expected all four IDX files (train-images-idx3-ubyte(.gz), ' +
      'train-labels-idx1-ubyte(.gz), t10k-images-idx3-ubyte(.gz), t10k-labels-idx1-ubyte(.gz)); point --data at the directory that holds them',
  },
];

for (const c of CASES) {
  test(`bad input — ${c.name}: ${c.code} with one exact line and nothing written`, async (t) => {
    const tmp = await tempDir(t);
    const dataDir = await writeDataDir(join(tmp, 'data'), c.data(await loadFixture()));
    const outDir = join(tmp, 'out');
    await assert.rejects(ingest({ outDir, dataDir, ...isolated(join(tmp, 'cache')) }), (err: unknown) => {
      assert.ok(err instanceof IngestError, `an IngestError, got ${String(err)}`);
      assert.equal(err.code, c.code);
      assert.equal(err.message, c.message.replace('$DATA', dataDir));
      assert.ok(!err.message.includes('\n'));
      return true;
    });
    await assert.rejects(stat(outDir), { code: 'ENOENT' });
    assert.deepEqual(await listFiles(join(tmp, 'cache')), []);
  });
}

test('nothing found anywhere, offline: DATA_NOT_FOUND lists every place it looked and how to fix it', async (t) => {
  const tmp = await tempDir(t);
  const system = join(tmp, 'usr-share');
  await mkdir(system);
  const outDir = join(tmp, 'out');
  await assert.rejects(ingest({ outDir, ...isolated(join(tmp, 'cache')), systemDirs: [system] }), {
    code: 'DATA_NOT_FOUND',
    message:
      `ingest: fashion-mnist not found in ${system}, ${join(tmp, 'cache', 'fashion-mnist')} (cache), expected its four IDX files ` +
      '(train-images-idx3-ubyte(.gz), train-labels-idx1-ubyte(.gz), t10k-images-idx3-ubyte(.gz), t10k-labels-idx1-ubyte(.gz)); ' +
      'pass --data <dir> or set FASHION_MNIST_DIR, or apt-get install dataset-fashion-mnist, or drop --offline to download it',
  });
  await assert.rejects(stat(outDir), { code: 'ENOENT' });
});

test('a file that exists but cannot be read is DATA_UNREADABLE naming its path', async (t) => {
  const tmp = await tempDir(t);
  await assert.rejects(readSourceFile(tmp), { code: 'DATA_UNREADABLE', message: `ingest: cannot read ${tmp} (EISDIR), expected a readable IDX file; check its permissions` });
});

test('every IDX, gzip and data error code has a case above', () => {
  const covered = new Set([...CASES.map((c) => c.code), 'DATA_NOT_FOUND', 'DATA_UNREADABLE']);
  for (const code of [...INGEST_ERROR_CODES.IdxError, ...INGEST_ERROR_CODES.GzipError, ...INGEST_ERROR_CODES.DataNotFoundError]) {
    assert.ok(covered.has(code), `no bad-input case for ${code}`);
  }
  assert.ok(new IngestError('X', 'm') instanceof TbpipeError);
  assert.equal(IDX_FILES.trainImages, 'train-images-idx3-ubyte');
});
