import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readAllEvents } from '@tbpipe/eventlog';
import type { TrainerState } from '../src/engine/types.ts';
import { gradientsFromMomentum } from '../src/histograms.ts';
import { resolveTrainOptions } from '../src/options.ts';
import { train, type TrainOptions } from '../src/train.ts';
import { createFakeTrainer } from './helpers/fake-engine.ts';
import { writeSyntheticIngest } from './helpers/synthetic-data.ts';

const SMALL = { createTrainer: createFakeTrainer, epochs: 1, logEverySteps: 5 } satisfies Partial<TrainOptions>;

async function runDirs(t: { after: (fn: () => Promise<void>) => void }) {
  const root = await mkdtemp(join(tmpdir(), 'train-histograms-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  const dataDir = join(root, 'ingest');
  await writeSyntheticIngest(dataDir);
  return (name: string) => ({ dataDir, outDir: join(root, name, 'out'), runDir: join(root, name, 'run') });
}

/** Every histogram in the run's event files: tag → [{ step, num }]. */
async function histograms(runDir: string): Promise<Map<string, { step: number; num: number }[]>> {
  const out = new Map<string, { step: number; num: number }[]>();
  for (const name of (await readdir(runDir)).sort()) {
    for (const e of await readAllEvents(join(runDir, name))) {
      for (const v of e.summary?.value ?? []) {
        if (v.histo) out.set(v.tag, [...(out.get(v.tag) ?? []), { step: e.step, num: v.histo.num }]);
      }
    }
  }
  return out;
}

test('the gradient recovered from the momentum buffers is the one the SGD-momentum update added', () => {
  const momentum = 0.9;
  const vBefore = Float32Array.from([0.5, -2, 0, 1e-3]);
  const g = Float32Array.from([0.25, 0.125, -3, 7e-4]);
  const vAfter = vBefore.map((v, i) => Math.fround(Math.fround(momentum * v) + g[i]!));
  const state = (v: Float32Array): TrainerState => ({ weights: [], momentum: [{ name: 'p', shape: [4], data: v }] });
  const [recovered] = gradientsFromMomentum(state(vBefore), state(vAfter), momentum);
  assert.equal(recovered!.name, 'p');
  recovered!.data.forEach((x, i) => assert.ok(Math.abs(x - g[i]!) <= 1e-6 * Math.max(1, Math.abs(g[i]!)), `${x} vs ${g[i]}`));
});

test('the event file holds a weight and a gradient histogram of every parameter at each loss point', async (t) => {
  const dirs = await runDirs(t);
  const result = await train({ ...SMALL, ...dirs('a') });
  const found = await histograms(dirs('a').runDir);
  assert.deepEqual([...found.keys()].sort(), ['gradients/fc.bias', 'gradients/fc.weight', 'weights/fc.bias', 'weights/fc.weight']);
  for (const [tag, points] of found) {
    assert.deepEqual(points.map((p) => p.step), result.history.step, tag);
    assert.ok(points.every((p) => p.num === (tag.endsWith('weight') ? 7840 : 10)), tag);
  }
});

test('histograms false writes no histogram and leaves the other outputs as they were', async (t) => {
  const dirs = await runDirs(t);
  const on = await train({ ...SMALL, ...dirs('on') });
  const off = await train({ ...SMALL, ...dirs('off'), histograms: false });
  assert.equal((await histograms(dirs('off').runDir)).size, 0);
  assert.deepEqual(off.history, on.history);
  assert.deepEqual(off.manifest.files, on.manifest.files);
});

test('a histograms value other than true or false is a usage error naming the flag', () => {
  const dirs = { dataDir: 'd', outDir: 'o', runDir: 'r' };
  assert.throws(() => resolveTrainOptions({ ...dirs, histograms: 'no' as unknown as boolean }), {
    message: '--histograms is "no", expected true or false',
  });
  const bin = new URL('../bin/tbpipe-train.mjs', import.meta.url).pathname;
  // On the command line it is a switch (--histograms / --no-histograms), so a value after it is a stray argument.
  const r = spawnSync(process.execPath, [bin, '--data', 'd', '--out', 'o', '--run-dir', 'r', '--histograms', 'yes'], { encoding: 'utf8' });
  assert.equal(r.status, 2);
  assert.match(r.stderr, /^tbpipe-train: Unexpected argument 'yes'.*; see tbpipe-train --help\n$/);
});

test("the gradient recovered from Adam's first moments, or with weight decay taken off, equals plain SGD's", async () => {
  const { createCnnTrainer } = await import('../src/engine/index.ts');
  const { maxAbsDiff, separableBatch } = await import('./engine/helpers.ts');
  const { images, labels } = separableBatch(4, 3);
  const recovered = async (extra: Record<string, unknown>) => {
    const t = await createCnnTrainer({ backend: 'cpu', seed: 4, learningRate: 0.01, momentum: 0.9, ...extra });
    const before = t.getState();
    t.trainStep(images, labels);
    const g = gradientsFromMomentum(before, t.getState(), { optimizer: 'sgd', momentum: 0.9, beta1: 0.9, weightDecay: 0, ...extra } as never);
    t.dispose();
    return g;
  };
  const sgd = await recovered({});
  for (const extra of [{ optimizer: 'adam', beta1: 0.8, betas: [0.8, 0.999] }, { weightDecay: 0.1 }, { optimizer: 'adam', beta1: 0.9, weightDecay: 0.05 }]) {
    const other = await recovered(extra);
    sgd.forEach((g, i) => {
      assert.equal(other[i]!.name, g.name);
      assert.ok(maxAbsDiff(g.data, other[i]!.data) < 1e-5, `${JSON.stringify(extra)} ${g.name}: ${maxAbsDiff(g.data, other[i]!.data)}`);
    });
  }
  assert.ok(sgd.some((g) => g.data.some((v) => Math.abs(v) > 1e-3)), 'the gradients are not all ~0');
});
