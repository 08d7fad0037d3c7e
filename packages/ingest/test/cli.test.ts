// The bin as Nx and users run it: a separate process, exit codes, and one line on stderr for anything expected.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { access, constants, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { verifyManifest } from '@tbpipe/core';
import { FIXTURE_DIR, listFiles, tempDir, writeDataDir } from './helpers.ts';

const BIN = fileURLToPath(new URL('../bin/tbpipe-ingest.mjs', import.meta.url));

function runBin(args: string[], env: Record<string, string | undefined> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const childEnv = { ...process.env, FASHION_MNIST_DIR: undefined, MNIST_DIR: undefined, KMNIST_DIR: undefined, TBPIPE_LOG_LEVEL: 'warn', ...env };
    const child = spawn(process.execPath, [BIN, ...args], { env: childEnv as NodeJS.ProcessEnv });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('the bin is executable and starts with a node shebang', async () => {
  await access(BIN, constants.X_OK);
  assert.match(await readFile(BIN, 'utf8'), /^#!\/usr\/bin\/env node\n/);
});

test('--help documents inputs, outputs, schema and flags, and exits 0', async () => {
  const { code, stdout, stderr } = await runBin(['--help']);
  assert.equal(code, 0);
  assert.equal(stderr, '');
  for (const needle of [
    'usage: tbpipe-ingest',
    '--data <dir>',
    '--dataset <name>',
    '--out <dir>',
    '--run-dir <dir>',
    '--cache-dir <dir>',
    '--mirror <url>',
    '--offline',
    'FASHION_MNIST_DIR',
    '/usr/share/datasets/fashion-mnist',
    'FixedSizeBinary(H·W·C)',
    'tbpipe.images/v2',
    'tbpipe.ingest/v2',
    'tbpipe.classNames',
    'manifest.json',
  ]) {
    assert.ok(stdout.includes(needle), `--help mentions ${needle}`);
  }
});

test('a run on the fixture exits 0 and writes a verified output; --run-dir is accepted', async (t) => {
  const tmp = await tempDir(t);
  const out = join(tmp, 'out');
  const { code, stderr } = await runBin(['--data', FIXTURE_DIR, '--out', out, '--run-dir', join(tmp, 'runs'), '--dataset', 'fashion-mnist']);
  assert.equal(code, 0, stderr);
  await verifyManifest(out, 'tbpipe.ingest/v2');
  assert.deepEqual(await listFiles(join(tmp, 'runs')), []);
});

test('missing input files exit 1 with one line naming the directory and no stack', async (t) => {
  const tmp = await tempDir(t);
  const data = await writeDataDir(join(tmp, 'data'), { omit: ['testImages'] });
  const out = join(tmp, 'out');
  const { code, stdout, stderr } = await runBin(['--data', data, '--out', out]);
  assert.equal(code, 1);
  assert.equal(stdout, '');
  assert.equal(
    stderr,
    `tbpipe-ingest: ingest: ${data} (--data) has no t10k-images-idx3-ubyte(.gz), expected all four IDX files (train-images-idx3-ubyte(.gz), ` +
      'train-labels-idx1-ubyte(.gz), t10k-images-idx3-ubyte(.gz), t10k-labels-idx1-ubyte(.gz)); point --data at the directory that holds them\n',
  );
  assert.deepEqual(await listFiles(out), []);
});

test('swapped files exit 1 with the IDX magic line', async (t) => {
  const tmp = await tempDir(t);
  const { loadFixture } = await import('./helpers.ts');
  const f = await loadFixture();
  const data = await writeDataDir(join(tmp, 'data'), { replace: { testImages: f.testLabels.idx, testLabels: f.testImages.idx } });
  const { code, stderr } = await runBin(['--data', data, '--out', join(tmp, 'out')]);
  assert.equal(code, 1);
  assert.equal(stderr, 'tbpipe-ingest: idx: magic 0x00000801 in t10k-images-idx3-ubyte.gz, expected 0x00000803 (images); are the images and labels files swapped?\n');
});

test('nothing found offline exits 1 with one line saying where it looked', async (t) => {
  const tmp = await tempDir(t);
  const { code, stderr } = await runBin(['--dataset', 'kmnist', '--offline', '--cache-dir', join(tmp, 'cache'), '--out', join(tmp, 'out')]);
  assert.equal(code, 1);
  assert.equal(
    stderr,
    `tbpipe-ingest: ingest: kmnist not found in ${join(tmp, 'cache', 'kmnist')} (cache), expected its four IDX files (train-images-idx3-ubyte(.gz), ` +
      'train-labels-idx1-ubyte(.gz), t10k-images-idx3-ubyte(.gz), t10k-labels-idx1-ubyte(.gz)); pass --data <dir> or set KMNIST_DIR, or drop --offline to download it\n',
  );
});

test('usage errors exit 2 with one line: unknown dataset, missing --out, unknown flag', async () => {
  const cases: Array<[string[], string]> = [
    [['--dataset', 'cifar', '--out', '/nonexistent/x'], 'tbpipe-ingest: --dataset is "cifar", expected one of fashion-mnist, mnist, kmnist; see tbpipe-ingest --help\n'],
    [['--data', FIXTURE_DIR], 'tbpipe-ingest: --out is required; see tbpipe-ingest --help\n'],
  ];
  for (const [args, line] of cases) {
    const { code, stderr } = await runBin(args);
    assert.equal(code, 2, args.join(' '));
    assert.equal(stderr, line);
  }
  const unknown = await runBin(['--bogus']);
  assert.equal(unknown.code, 2);
  assert.equal(unknown.stderr.split('\n').filter(Boolean).length, 1);
  assert.match(unknown.stderr, /^tbpipe-ingest: .*--bogus.*; see tbpipe-ingest --help\n$/);
});
