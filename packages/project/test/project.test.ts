import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { after, before, test } from 'node:test';
import { join } from 'node:path';
import { readTable, verifyManifest } from '@tbpipe/core';
import { decodePng } from '@tbpipe/eventlog';
import { project, ProjectionsSchema, PROJECT_CONTRACT } from '../src/index.ts';
import { makeUpstream, type Upstream } from './helpers.ts';

let up: Upstream;
const run = (name: string, extra: Record<string, number> = {}) =>
  project({ dataDir: up.dataDir, predictionsDir: up.predictionsDir, outDir: join(up.root, name, 'out'), runDir: join(up.root, name, 'run'), sampleImages: 20, featurePoints: 40, ...extra });

before(async () => {
  up = await makeUpstream();
  await run('a');
  await run('b');
});
after(() => up.cleanup());

test('project writes projections, metrics and a manifest that verifies', async () => {
  const out = join(up.root, 'a', 'out');
  const manifest = await verifyManifest(out, PROJECT_CONTRACT);
  assert.deepEqual(Object.keys(manifest.files), ['metrics.json', 'projections.arrow']);
  const table = await readTable(join(out, 'projections.arrow'), ProjectionsSchema);
  assert.equal(table.numRows, 80);
  assert.deepEqual([...new Set(table.getChild('source')!.toArray() as string[])], ['pixels', 'features']);
  const metrics = JSON.parse(await readFile(join(out, 'metrics.json'), 'utf8'));
  assert.equal(metrics.sources.pixels.explainedVarianceRatio.length, 3);
  // 4 points per class (3 same-class neighbours of 10): well above chance (0.1) is what can be asked.
  assert.ok(metrics.sources.features.knnAccuracy.raw > 0.5, String(metrics.sources.features.knnAccuracy.raw));
  assert.ok(metrics.sources.features.knnAccuracy.umap2 > 0.3, String(metrics.sources.features.knnAccuracy.umap2));
});

test('the same seed gives byte-identical artifacts', async () => {
  for (const f of ['projections.arrow', 'metrics.json', 'manifest.json']) {
    assert.deepEqual(await readFile(join(up.root, 'a', 'out', f)), await readFile(join(up.root, 'b', 'out', f)), f);
  }
});

test('worker threads and the main thread write byte-identical artifacts and embeddings', async () => {
  await run('w0', { workers: 0 });
  await run('w1', { workers: 1 });
  for (const name of ['w0', 'w1']) {
    for (const f of ['projections.arrow', 'metrics.json', 'manifest.json']) {
      assert.deepEqual(await readFile(join(up.root, name, 'out', f)), await readFile(join(up.root, 'a', 'out', f)), `${name}/${f}`);
    }
    for (const tag of ['pixels_umap2', 'features_umap3']) {
      const f = join('00000', tag, 'tensors.tsv');
      assert.deepEqual(await readFile(join(up.root, name, 'run', f)), await readFile(join(up.root, 'a', 'run', f)), `${name}/${f}`);
    }
  }
});

test('a run at the lowest priority (niceness 19, what a stage beside training asks for) writes the same bytes', async () => {
  // A child process (a lowered priority cannot be raised again) running a script file: with --eval, the UMAP worker
  // threads would inherit an --input-type flag they refuse.
  const script = join(up.root, 'nice.mjs');
  await writeFile(
    script,
    `import os from 'node:os';
    const { project } = await import(${JSON.stringify(new URL('../src/index.ts', import.meta.url).href)});
    const { DATA_DIR: dataDir, PREDICTIONS_DIR: predictionsDir, ROOT: root } = process.env;
    await project({ dataDir, predictionsDir, outDir: root + '/nice/out', runDir: root + '/nice/run', sampleImages: 20, featurePoints: 40, niceness: 19 });
    console.log(os.getPriority());`,
  );
  const env = { ...process.env, DATA_DIR: up.dataDir, PREDICTIONS_DIR: up.predictionsDir, ROOT: up.root };
  const out = execFileSync(process.execPath, ['--import', 'tsx', script], { encoding: 'utf8', env });
  assert.equal(out.trim(), '19');
  for (const f of ['projections.arrow', 'metrics.json', 'manifest.json']) {
    assert.deepEqual(await readFile(join(up.root, 'nice', 'out', f)), await readFile(join(up.root, 'a', 'out', f)), f);
  }
});

test('the run directory holds torch projector layout with every embedding tag', async () => {
  const runDir = join(up.root, 'a', 'run');
  const config = await readFile(join(runDir, 'projector_config.pbtxt'), 'utf8');
  const golden = await readFile(new URL('./fixtures/golden-embedding/projector_config.pbtxt', import.meta.url), 'utf8');
  // The first block (tag default, step 0, with sprite) has exactly the golden's lines.
  assert.equal(config.split('\n').slice(0, 10).join('\n'), golden.split('\n').slice(0, 10).join('\n'));
  const tags = [...config.matchAll(/tensor_name: "([^"]+)"/g)].map((m) => m[1]);
  const expected = ['default', 'features', 'pixels_pca', 'pixels_umap2', 'pixels_umap3', 'features_pca', 'features_umap2', 'features_umap3'];
  assert.deepEqual(tags, expected.map((t) => `${t}:00000`));
  assert.deepEqual((await readdir(join(runDir, '00000'))).sort(), [...expected].sort());
  const tensors = (await readFile(join(runDir, '00000/default/tensors.tsv'), 'utf8')).split('\n');
  assert.equal(tensors.length, 21, '20 rows and a final newline');
  assert.equal(tensors[0].split('\t').length, 784);
  const umap2 = (await readFile(join(runDir, '00000/features_umap2/tensors.tsv'), 'utf8')).trimEnd().split('\n');
  assert.equal(umap2.length, 40);
  assert.equal(umap2[0].split('\t').length, 2);
  const goldenHeader = (await readFile(new URL('./fixtures/golden-embedding/features-metadata.tsv', import.meta.url), 'utf8')).split('\n')[0];
  assert.equal(goldenHeader, 'label\tindex');
  const meta = (await readFile(join(runDir, '00000/features/metadata.tsv'), 'utf8')).split('\n');
  assert.equal(meta[0], 'label\tpredicted\tcorrect');
  assert.equal(meta.length, 42, 'header, 40 rows, final newline');
  const sprite = decodePng(await readFile(join(runDir, '00000/default/sprite.png')));
  assert.deepEqual([sprite.width, sprite.height], [140, 140], 'ceil(sqrt(20)) = 5 thumbnails of 28 per row, square');
});

test('a rerun replaces this stage run-dir files and leaves other stages files alone', async () => {
  const runDir = join(up.root, 'c', 'run');
  await mkdir(join(runDir, '00000', 'stale'), { recursive: true });
  await writeFile(join(runDir, 'events.out.tfevents.1.host.1.0.train'), 'other stage');
  await writeFile(join(runDir, '.projector_config.pbtxt.tmp-0123456789ab'), 'a write cut off by a kill');
  await run('c');
  await run('c');
  const names = await readdir(runDir);
  // A fixed name, so an Nx cache restore of an older run overwrites it instead of adding a file beside it.
  assert.deepEqual(names.filter((n) => n.endsWith('.project')), ['events.out.tfevents.0000000000.tbpipe.0.0.project']);
  assert.ok(!names.some((n) => n.includes('.tmp-')), names.join(', '));
  assert.ok(names.includes('events.out.tfevents.1.host.1.0.train'));
  assert.ok(!(await readdir(join(runDir, '00000'))).includes('stale'));
});

test('bad input gets exact one-line errors', async () => {
  await assert.rejects(run('e1', { featurePoints: 61 }), {
    code: 'PROJECT_SAMPLE_TOO_LARGE',
    message: `project: --feature-points 61 but ${join(up.predictionsDir, 'predictions.arrow')} has 60 predictions, expected at most 60; lower --feature-points`,
  });
  await assert.rejects(run('e2', { sampleImages: 51 }), {
    message: `project: --sample-images 51 but ${join(up.dataDir, 'train.arrow')} has 50 training images, expected at most 50; lower --sample-images`,
  });
  await assert.rejects(run('e3', { featurePoints: 10 }), {
    code: 'PROJECT_TOO_FEW_POINTS',
    message: 'project: 10 points for --umap-neighbors 15, expected more points than neighbours; raise --feature-points or lower --umap-neighbors',
  });
  // The library checks its options against the stage's schema, like the CLI, before reading anything.
  await assert.rejects(run('e5', { featurePoints: 0 }), { code: 'USAGE', message: '--feature-points is 0, expected an integer ≥ 1 ≤ 10000' });
  await assert.rejects(run('e6', { umapMinDist: 1.5 }), { code: 'USAGE', message: '--umap-min-dist is 1.5, expected a number ≥ 0 ≤ 1' });
  await assert.rejects(
    project({ dataDir: join(up.root, 'nowhere'), predictionsDir: up.predictionsDir, outDir: join(up.root, 'e4'), runDir: join(up.root, 'e4r') }),
    { code: 'MANIFEST_MISSING', message: new RegExp(`^contract: cannot read ${join(up.root, 'nowhere', 'manifest.json')} \\(ENOENT\\), expected a tbpipe.ingest/v2 manifest; `) },
  );
});
