// Where ingest finds the data: --data, then the dataset's environment variable, then system package directories,
// then the download cache, then a download. Every location holds a full copy of the fixture here, so only the
// reported source tells which one won.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { IDX_FILES, IDX_ROLES } from '../src/datasets.ts';
import { ingest, type IngestOptions } from '../src/ingest.ts';
import { FIXTURE_DIR, tempDir, writeDataDir } from './helpers.ts';

async function everywhere(tmp: string) {
  const [option, env, system, cacheRoot] = ['option', 'env', 'system', 'cache-root'].map((n) => join(tmp, n)) as [string, string, string, string];
  await writeDataDir(option);
  await writeDataDir(env);
  await writeDataDir(system);
  await writeDataDir(join(cacheRoot, 'fashion-mnist'));
  return { option, env, system, cacheRoot };
}

function run(tmp: string, options: Partial<IngestOptions>) {
  // The cache holds the fixture, so its published checksums are the fixture's: none are enforced without a table.
  const noChecks = Object.fromEntries(IDX_ROLES.map((r) => [r, {}])) as IngestOptions['checksums'];
  return ingest({ outDir: join(tmp, 'out'), offline: true, checksums: noChecks, systemDirs: [], env: {}, ...options });
}

test('--data wins over the environment variable, the system directory and the cache', async (t) => {
  const tmp = await tempDir(t);
  const d = await everywhere(tmp);
  const result = await run(tmp, { dataDir: d.option, env: { FASHION_MNIST_DIR: d.env }, systemDirs: [d.system], cacheDir: d.cacheRoot });
  assert.deepEqual([result.source!.kind, result.source!.dir], ['option', d.option]);
  assert.equal(result.source!.files.trainImages, join(d.option, 'train-images-idx3-ubyte.gz'));
});

test('FASHION_MNIST_DIR is used when --data is not given, before the system directory and the cache', async (t) => {
  const tmp = await tempDir(t);
  const d = await everywhere(tmp);
  const result = await run(tmp, { env: { FASHION_MNIST_DIR: d.env }, systemDirs: [d.system], cacheDir: d.cacheRoot });
  assert.deepEqual([result.source!.kind, result.source!.dir], ['env', d.env]);
});

test('each dataset reads its own variable: MNIST_DIR for mnist, KMNIST_DIR for kmnist, never FASHION_MNIST_DIR', async (t) => {
  const tmp = await tempDir(t);
  const d = await everywhere(tmp);
  const mnist = await run(tmp, { dataset: 'mnist', env: { FASHION_MNIST_DIR: d.option, MNIST_DIR: d.env }, cacheDir: d.cacheRoot });
  assert.deepEqual([mnist.source!.kind, mnist.source!.dir], ['env', d.env]);
  const kmnist = await run(tmp, { dataset: 'kmnist', env: { FASHION_MNIST_DIR: d.option, KMNIST_DIR: d.env }, cacheDir: d.cacheRoot });
  assert.deepEqual([kmnist.source!.kind, kmnist.source!.dir], ['env', d.env]);
});

test('an empty environment variable counts as unset', async (t) => {
  const tmp = await tempDir(t);
  const d = await everywhere(tmp);
  const result = await run(tmp, { env: { FASHION_MNIST_DIR: '' }, systemDirs: [d.system], cacheDir: d.cacheRoot });
  assert.equal(result.source!.kind, 'system');
});

test('the system directory is used before the cache', async (t) => {
  const tmp = await tempDir(t);
  const d = await everywhere(tmp);
  const result = await run(tmp, { systemDirs: [join(tmp, 'absent'), d.system], cacheDir: d.cacheRoot });
  assert.deepEqual([result.source!.kind, result.source!.dir], ['system', d.system]);
});

test('the cache <cacheDir>/<dataset> is used when no system directory has all four files', async (t) => {
  const tmp = await tempDir(t);
  const d = await everywhere(tmp);
  const partial = await writeDataDir(join(tmp, 'partial'), { omit: ['trainLabels'] });
  const result = await run(tmp, { systemDirs: [partial], cacheDir: d.cacheRoot });
  assert.deepEqual([result.source!.kind, result.source!.dir], ['cache', join(d.cacheRoot, 'fashion-mnist')]);
});

test('an incomplete --data or environment directory is an error, not a fall-through to another copy', async (t) => {
  const tmp = await tempDir(t);
  const d = await everywhere(tmp);
  const partial = await writeDataDir(join(tmp, 'partial'), { omit: ['trainImages', 'testImages'] });
  const missing = 'has no train-images-idx3-ubyte(.gz), t10k-images-idx3-ubyte(.gz), expected all four IDX files';
  await assert.rejects(run(tmp, { dataDir: partial, systemDirs: [d.system], cacheDir: d.cacheRoot }), {
    code: 'DATA_INCOMPLETE',
    message: new RegExp(`^ingest: ${partial} \\(--data\\) ${missing.replace(/[()]/g, '\\$&')} .*; point --data at the directory that holds them$`),
  });
  await assert.rejects(run(tmp, { env: { FASHION_MNIST_DIR: partial }, systemDirs: [d.system], cacheDir: d.cacheRoot }), {
    code: 'DATA_INCOMPLETE',
    message: new RegExp(`^ingest: ${partial} \\(FASHION_MNIST_DIR\\) ${missing.replace(/[()]/g, '\\$&')} .*; fix or unset FASHION_MNIST_DIR$`),
  });
});

test('raw files are found when there is no .gz, and .gz is preferred when both exist', async (t) => {
  const tmp = await tempDir(t);
  const raw = await writeDataDir(join(tmp, 'both'), { raw: true });
  await writeDataDir(raw, { omit: ['trainLabels', 'testLabels'] });
  const result = await run(tmp, { dataDir: raw, cacheDir: tmp });
  assert.equal(result.source!.files.trainImages, join(raw, `${IDX_FILES.trainImages}.gz`));
  assert.equal(result.source!.files.trainLabels, join(raw, IDX_FILES.trainLabels));
});

test('the default search includes Debian\'s directory for fashion-mnist only', async () => {
  const { DATASETS } = await import('../src/datasets.ts');
  assert.deepEqual(DATASETS['fashion-mnist'].systemDirs, ['/usr/share/datasets/fashion-mnist']);
  assert.deepEqual([DATASETS.mnist.envVar, DATASETS.kmnist.envVar, DATASETS['fashion-mnist'].envVar], ['MNIST_DIR', 'KMNIST_DIR', 'FASHION_MNIST_DIR']);
  assert.ok(FIXTURE_DIR);
});
