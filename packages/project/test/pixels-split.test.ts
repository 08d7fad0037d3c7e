import assert from 'node:assert/strict';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { verifyManifest } from '@tbpipe/core';
import { PIXELS_CONTRACT, PIXELS_FILES } from '../src/contract.ts';
import { project } from '../src/index.ts';
import { makeUpstream, type Upstream } from './helpers.ts';

let up: Upstream;
const params = { sampleImages: 20, featurePoints: 40, seed: 3 };
const dir = (...parts: string[]) => join(up.root, ...parts);

/** Every file under `root`, relative to it, sorted. */
async function files(root: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (rel: string) => {
    for (const entry of await readdir(join(root, rel), { withFileTypes: true })) {
      const path = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) await walk(path);
      else out.push(path);
    }
  };
  await walk('');
  return out.sort();
}

before(async () => {
  up = await makeUpstream();
  await project({ dataDir: up.dataDir, predictionsDir: up.predictionsDir, outDir: dir('one', 'out'), runDir: dir('one', 'run'), ...params });
  await project({ dataDir: up.dataDir, outDir: dir('pixels'), ...params });
  // No sampling params: they are the pixels run's (seed 3, 20 and 40 points, none of them the default).
  await project({ pixelsDir: dir('pixels'), predictionsDir: up.predictionsDir, outDir: dir('two', 'out'), runDir: dir('two', 'run') });
});
after(() => up.cleanup());

test('a pixels-only run writes its artifacts and a manifest that verifies, and no run directory', async () => {
  const manifest = await verifyManifest(dir('pixels'), PIXELS_CONTRACT);
  assert.deepEqual(Object.keys(manifest.files), [PIXELS_FILES.pcaFigure, PIXELS_FILES.umapFigure, 'metrics.json', 'projections.arrow', 'sprite.png', 'train-sample.arrow']);
  assert.deepEqual(manifest.info, { points: 40, sampleImages: 20, seed: 3, umapNeighbors: 15, umapMinDist: 0.1, spriteImageDim: [28, 28] });
  const metrics = JSON.parse(await readFile(dir('pixels', 'metrics.json'), 'utf8'));
  assert.deepEqual(Object.keys(metrics.sources), ['pixels']);
});

test('pixels reused through --pixels give the same artifacts and run-directory files as one run with --data', async () => {
  for (const f of ['projections.arrow', 'metrics.json', 'manifest.json']) {
    assert.deepEqual(await readFile(dir('two', 'out', f)), await readFile(dir('one', 'out', f)), f);
  }
  const runFiles = (await files(dir('one', 'run'))).filter((f) => !f.startsWith('events.out.tfevents.'));
  assert.deepEqual((await files(dir('two', 'run'))).filter((f) => !f.startsWith('events.out.tfevents.')), runFiles);
  assert.ok(runFiles.includes('00000/features/sprite.png') && runFiles.includes('projector_config.pbtxt'));
  for (const f of runFiles) assert.deepEqual(await readFile(dir('two', 'run', f)), await readFile(dir('one', 'run', f)), f);
  // The event files differ only in wall times; their sizes show the same records (figures included).
  const events = async (name: string) => (await files(dir(name, 'run'))).filter((f) => f.startsWith('events.out.tfevents.'));
  assert.deepEqual(await events('two'), await events('one'));
  for (const f of await events('one')) assert.equal((await stat(dir('two', 'run', f))).size, (await stat(dir('one', 'run', f))).size, f);
});

test('sampling params given with --pixels are accepted when they equal the pixels run\'s', async () => {
  await project({ pixelsDir: dir('pixels'), predictionsDir: up.predictionsDir, outDir: dir('three', 'out'), runDir: dir('three', 'run'), ...params, umapNeighbors: 15 });
  for (const f of ['projections.arrow', 'metrics.json', 'manifest.json']) assert.deepEqual(await readFile(dir('three', 'out', f)), await readFile(dir('one', 'out', f)), f);
});

test('--pixels made with another seed is refused, naming the param', async () => {
  await assert.rejects(
    project({ pixelsDir: dir('pixels'), predictionsDir: up.predictionsDir, outDir: dir('bad', 'out'), runDir: dir('bad', 'run'), ...params, seed: 4 }),
    (err: Error & { code?: string }) => {
      assert.equal(err.code, 'PROJECT_PIXELS_MISMATCH');
      assert.equal(
        err.message,
        `project: --pixels ${dir('pixels')} was made with --seed 3, expected --seed 4 (this run's); leave --seed out to use the pixels run's value, or rerun the pixels-only stage with --seed 4`,
      );
      return true;
    },
  );
});

test('inputs that do not make one of the four runs are refused in one line', async () => {
  const cases: Array<[Parameters<typeof project>[0], string]> = [
    [
      { dataDir: up.dataDir, pixelsDir: dir('pixels'), predictionsDir: up.predictionsDir, outDir: dir('x'), runDir: dir('xr') },
      'project: both --data and --pixels, expected one of them; drop --pixels to compute the pixels here, or --data to reuse them',
    ],
    [
      { dataDir: up.dataDir, outDir: dir('x'), runDir: dir('xr') },
      `project: --run-dir ${dir('xr')} in a pixels-only run (--data without --predictions), expected no run directory (a pixels-only run writes no TensorBoard files); drop --run-dir (in pipeline.json: "runDir": false on this stage)`,
    ],
    [
      { pixelsDir: dir('pixels'), outDir: dir('x') },
      "project: --pixels without --predictions, expected --predictions, or --data alone for a pixels-only run; pass the evaluate stage's output as --predictions",
    ],
    [{ predictionsDir: up.predictionsDir, outDir: dir('x') }, 'project: --predictions without --run-dir, expected a TensorBoard run directory; pass --run-dir'],
  ];
  for (const [options, message] of cases) {
    await assert.rejects(project(options), (err: Error & { code?: string }) => {
      assert.equal(err.code, 'PROJECT_INPUTS');
      assert.equal(err.message, message);
      return true;
    });
  }
});
