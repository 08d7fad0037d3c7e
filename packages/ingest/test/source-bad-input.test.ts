// Every way a folder or table input can be wrong, as a user hits it: one exact line naming the file or flag, what was
// seen and what was expected, a stable code, and nothing written to --out (the previous output, if any, untouched).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { INGEST_ERROR_CODES, IngestError } from '../src/errors.ts';
import { ingest, type IngestOptions } from '../src/ingest.ts';
import { listFiles, tempDir } from './helpers.ts';
import { FOLDER_FIXTURE, hfMetadata, png, TABLE_FIXTURE, writeParquet, writeTree } from './source-helpers.ts';

interface Case {
  name: string;
  /** Build the input under `tmp`; returns the options (without outDir). */
  input(tmp: string): Promise<Partial<IngestOptions>>;
  code: string;
  /** The exact message; `$TMP` stands for the temporary directory. */
  message: string;
}

const CASES: Case[] = [
  {
    name: 'an empty class folder',
    input: async (tmp) => ({ source: 'folder', path: await writeTree(join(tmp, 'f'), { 'a/1.png': await png(4, 4), 'b/': '', 'c/1.png': await png(4, 4) }) }),
    code: 'SOURCE_EMPTY_CLASS',
    message: 'folder: class folder $TMP/f/b has no images, expected at least one (.png, .jpg, .jpeg, .webp); add images or remove the folder',
  },
  {
    name: 'one class only',
    input: async (tmp) => ({ source: 'folder', path: await writeTree(join(tmp, 'f'), { 'cats/1.png': await png(4, 4), 'cats/2.png': await png(4, 4) }) }),
    code: 'SOURCE_ONE_CLASS',
    message: 'folder: --path $TMP/f has 1 class folder (cats), expected at least 2; a classifier needs two or more classes, one sub-folder each',
  },
  {
    name: 'a folder with no images',
    input: async (tmp) => ({ source: 'folder', path: await writeTree(join(tmp, 'f'), { 'a/readme.txt': 'x', 'b/': '' }) }),
    code: 'SOURCE_NO_IMAGES',
    message:
      'folder: --path $TMP/f has 2 class folders and no images, expected $TMP/f/<class>/<image> files (.png, .jpg, .jpeg, .webp); point --path at the folder whose sub-folders are the classes',
  },
  {
    name: 'a --path that does not exist',
    input: async (tmp) => ({ source: 'folder', path: join(tmp, 'nowhere') }),
    code: 'SOURCE_PATH',
    message: 'folder: --path $TMP/nowhere cannot be read (ENOENT), expected a folder of class folders of images; check the path',
  },
  {
    name: 'mixed image sizes without --image-size',
    input: async (tmp) => ({
      source: 'folder',
      path: await writeTree(join(tmp, 'f'), { 'a/1.png': await png(4, 4), 'a/2.png': await png(4, 4), 'b/1.png': await png(5, 4), 'b/2.png': await png(4, 4) }),
    }),
    code: 'IMAGE_SIZE_MISMATCH',
    message: 'folder: b/1.png is 5×4, expected 4×4 like a/1.png (the first image); pass --image-size HxW to resize every image',
  },
  {
    name: 'a corrupt image with --strict',
    input: async (tmp) => ({
      source: 'folder',
      strict: true,
      path: await writeTree(join(tmp, 'f'), { 'a/1.png': await png(4, 4), 'a/2.png': await png(4, 4), 'b/1.png': (await png(4, 4)).subarray(0, 40), 'b/2.png': await png(4, 4) }),
    }),
    code: 'IMAGE_UNREADABLE',
    message:
      'folder: cannot decode b/1.png (Input file has corrupt header), expected a PNG, JPEG or WebP image; fix or remove it, or drop --strict to skip unreadable images',
  },
  {
    name: 'a test class folder the training tree lacks',
    input: async (tmp) => ({
      source: 'folder',
      path: await writeTree(join(tmp, 'f'), { 'train/a/1.png': await png(4, 4), 'train/b/1.png': await png(4, 4), 'test/a/1.png': await png(4, 4), 'test/z/1.png': await png(4, 4) }),
    }),
    code: 'SOURCE_CLASSES',
    message: 'folder: $TMP/f/test has class folders z that $TMP/f/train lacks, expected the test classes among the training classes (a, b); rename or remove them',
  },
  {
    name: 'a Parquet file without the named label column',
    input: async () => ({ source: 'table', path: TABLE_FIXTURE, labelColumn: 'category' }),
    code: 'SOURCE_COLUMN',
    message: `table: ${TABLE_FIXTURE} has no column "category" (it has "image", "label", "split"), expected the label column; name it with --label-column`,
  },
  {
    name: 'a Parquet file without the named image column',
    input: async () => ({ source: 'table', path: TABLE_FIXTURE, imageColumn: 'img' }),
    code: 'SOURCE_COLUMN',
    message: `table: ${TABLE_FIXTURE} has no column "img" (it has "image", "label", "split"), expected the image column; name it with --image-column`,
  },
  {
    name: 'a label outside the class list',
    input: async (tmp) => ({
      source: 'table',
      path: await writeParquet(
        join(tmp, 't.parquet'),
        [
          { name: 'image', data: await Promise.all([1, 2, 3].map(async () => ({ bytes: await png(4, 4), path: 'x.png' }))) },
          { name: 'label', data: [0, 1, 2], type: 'INT64' },
        ],
        hfMetadata(['cat', 'dog']),
      ),
    }),
    code: 'SOURCE_LABEL',
    message: 'table: row 2 of $TMP/t.parquet has label 2 in column "label", expected an integer 0…1 (2 class names from the ClassLabel names in the "huggingface" metadata); fix the row or the class names',
  },
  {
    name: 'a split value other than train or test',
    input: async (tmp) => ({
      source: 'table',
      path: await writeParquet(join(tmp, 't.parquet'), [
        { name: 'image', data: await Promise.all([1, 2].map(async () => ({ bytes: await png(4, 4), path: 'x.png' }))) },
        { name: 'label', data: ['a', 'b'], type: 'STRING' },
        { name: 'split', data: ['train', 'validation'], type: 'STRING' },
      ]),
    }),
    code: 'SOURCE_SPLIT',
    message:
      'table: row 1 of $TMP/t.parquet has "validation" in column "split", expected "train" or "test"; filter the other rows out first, or drop the split column to split by --test-fraction',
  },
  {
    name: 'a --test-fraction of 0 on a folder without a test tree',
    input: async (tmp) => ({ source: 'folder', testFraction: 0, path: await writeTree(join(tmp, 'f'), { 'a/1.png': await png(4, 4), 'b/1.png': await png(4, 4) }) }),
    code: 'SOURCE_SPLIT',
    message:
      'folder: the test split of $TMP/f has 0 images (train 2, test 0), expected at least one in each; give the input images for both splits, or split one set with --test-fraction above 0',
  },
  {
    name: 'a file that is neither Parquet nor Arrow',
    input: async (tmp) => ({ source: 'table', path: await writeTree(tmp, { 'x.parquet': 'label,image\n1,2\n' }).then(() => join(tmp, 'x.parquet')) }),
    code: 'SOURCE_FORMAT',
    message: 'table: $TMP/x.parquet is neither Parquet nor Arrow IPC (Expected to read 1700946284 metadata bytes, but only read 12.), expected an Arrow IPC or Parquet file; check the file',
  },
];

for (const c of CASES) {
  test(`bad input — ${c.name}: ${c.code} with one exact line, and a previous output left as it was`, async (t) => {
    const tmp = await tempDir(t);
    const outDir = join(tmp, 'out');
    // A complete earlier output: the failed run must leave it byte for byte.
    await ingest({ outDir, source: 'folder', path: FOLDER_FIXTURE });
    const before = await Promise.all(['manifest.json', 'train.arrow', 'test.arrow'].map((f) => readFile(join(outDir, f))));
    const options = await c.input(tmp);
    await assert.rejects(ingest({ outDir, ...options }), (err: unknown) => {
      assert.ok(err instanceof IngestError, `an IngestError, got ${String(err)}`);
      assert.equal(err.code, c.code);
      assert.equal(err.message, c.message.replaceAll('$TMP', tmp));
      assert.ok(!err.message.includes('\n'));
      return true;
    });
    const after = await Promise.all(['manifest.json', 'train.arrow', 'test.arrow'].map((f) => readFile(join(outDir, f))));
    assert.deepEqual(after, before);
    assert.deepEqual(await listFiles(outDir), ['manifest.json', 'test.arrow', 'train.arrow', 'volatile', 'volatile/ingest.json']);
  });
}

test('every source error code has a case above (IMAGE_UNREADABLE also without --strict: all images unreadable)', () => {
  const covered = new Set([...CASES.map((c) => c.code), 'SOURCE_NO_IMAGES']);
  for (const code of INGEST_ERROR_CODES.SourceError) assert.ok(covered.has(code), `no bad-input case for ${code}`);
});

test('option errors are usage errors naming the flag: --channels 2, --image-size, both class-name flags', async (t) => {
  const tmp = await tempDir(t);
  const outDir = join(tmp, 'out');
  await assert.rejects(ingest({ outDir, source: 'folder', path: FOLDER_FIXTURE, channels: 2 }), { name: 'UsageError', message: '--channels is 2, expected 1 (grey) or 3 (RGB)' });
  await assert.rejects(ingest({ outDir, source: 'folder', path: FOLDER_FIXTURE, imageSize: '32' }), { name: 'UsageError', message: '--image-size is "32", expected HxW such as 32x32' });
  await assert.rejects(ingest({ outDir, source: 'table', path: TABLE_FIXTURE, classNames: 'a,b', classNamesFile: join(tmp, 'x') }), {
    name: 'UsageError',
    message: '--class-names and --class-names-file are both given, expected one of them',
  });
  await assert.rejects(ingest({ outDir, source: 'table', path: TABLE_FIXTURE, classNames: 'a,a' }), { name: 'UsageError', message: '--class-names is "a,a", expected distinct class names ("a" comes twice)' });
  await assert.rejects(stat(outDir), { code: 'ENOENT' });
});

const BIN = fileURLToPath(new URL('../bin/tbpipe-ingest.mjs', import.meta.url));

test('through the bin: a bad folder exits 1 with one line on stderr; a bad flag exits 2', async (t) => {
  const tmp = await tempDir(t);
  const root = await writeTree(join(tmp, 'f'), { 'only/1.png': await png(4, 4) });
  const run = (args: string[]) =>
    new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, TBPIPE_LOG_LEVEL: 'warn' } });
      let stderr = '';
      child.stderr.on('data', (c) => (stderr += c));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stderr }));
    });
  const bad = await run(['--source', 'folder', '--path', root, '--out', join(tmp, 'out')]);
  assert.equal(bad.code, 1);
  assert.equal(bad.stderr, `tbpipe-ingest: folder: --path ${root} has 1 class folder (only), expected at least 2; a classifier needs two or more classes, one sub-folder each\n`);
  const usage = await run(['--source', 'pictures', '--out', join(tmp, 'out')]);
  assert.equal(usage.code, 2);
  assert.match(usage.stderr, /^tbpipe-ingest: --source is "pictures", expected one of idx, folder, table/);
  await assert.rejects(stat(join(tmp, 'out')), { code: 'ENOENT' });
});
