/**
 * The stage with the real TensorFlow.js engine (whatever `auto` picks here) on the repository's FashionMNIST
 * sample (300 training images): a few dozen steps each, so the whole file stays around a few seconds.
 */
import assert from 'node:assert/strict';
import { access, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { ingest } from '@tbpipe/ingest';
import { TrainAbortedError } from '../src/errors.ts';
import { train, type TrainOptions } from '../src/train.ts';
import { viewRun } from './helpers/tensorboard-view.ts';

const FIXTURE = new URL('../../../test/fixtures/fashion-mnist-small/', import.meta.url).pathname;
const SHORT = { maxSteps: 24, logEverySteps: 6, checkpointEverySteps: 8 } satisfies Partial<TrainOptions>;

let root = '';
let dataDir = '';
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'train-engine-'));
  dataDir = join(root, 'ingest');
  await ingest({ dataDir: FIXTURE, outDir: dataDir });
});
after(() => rm(root, { recursive: true, force: true }));
const dirs = (name: string) => ({ dataDir, outDir: join(root, name, 'out'), runDir: join(root, name, 'run') });

async function outputs(outDir: string): Promise<Record<string, string>> {
  const manifest = JSON.parse(await readFile(join(outDir, 'manifest.json'), 'utf8')) as { files: Record<string, unknown> };
  const out: Record<string, string> = { 'manifest.json': await readFile(join(outDir, 'manifest.json'), 'utf8') };
  for (const f of Object.keys(manifest.files)) out[f] = (await readFile(join(outDir, f))).toString('base64');
  return out;
}

test('with the real engine a seeded run is reproducible and a resumed run ends bit-identical to it', async () => {
  const whole = await train({ ...SHORT, ...dirs('whole') });
  const again = await train({ ...SHORT, ...dirs('again') });
  assert.deepEqual(await outputs(dirs('again').outDir), await outputs(dirs('whole').outDir));
  assert.deepEqual(whole.history.step, [5, 11, 17, 23]);
  assert.ok(whole.history.loss.every((l) => l > 0 && l < 3), String(whole.history.loss));

  const controller = new AbortController();
  const killed = dirs('killed');
  await assert.rejects(
    train({ ...SHORT, ...killed, signal: controller.signal, onStep: (s) => s === 12 && controller.abort() }),
    TrainAbortedError,
  );
  await access(join(killed.outDir, 'checkpoint', 'tensors.bin'));
  const resumed = await train({ ...SHORT, ...killed });
  assert.equal(resumed.resumedFromStep, 8);
  assert.equal(resumed.backend, whole.backend);
  assert.deepEqual(await outputs(killed.outDir), await outputs(dirs('whole').outDir));
  const [a, b] = [await viewRun(killed.runDir), await viewRun(dirs('whole').runDir)];
  assert.deepEqual(a.scalars, b.scalars);
});

test('with the real engine a huge learning rate stops with the step where the loss diverged', async () => {
  await assert.rejects(train({ ...dirs('diverge'), learningRate: 1000, maxSteps: 60 }), (err: Error) => {
    assert.match(err.message, /^train: loss diverged at step \d+ \(loss (NaN|Infinity|\S+ > --max-loss 1e4), learning rate 1000\); lower --learning-rate$/);
    return true;
  });
});

test("volatile/timings.json records the step the real engine ran and, for the fused step, its plan binary", async () => {
  const { planBinary } = await import('../src/kernels/plan.ts');
  const run = await train({ ...SHORT, maxSteps: 4, ...dirs('timings') });
  const timings = JSON.parse(await readFile(join(dirs('timings').outDir, 'volatile', 'timings.json'), 'utf8'));
  if (run.backend === 'wasm') assert.deepEqual(timings.engine, { step: 'fused', binary: planBinary() });
  else assert.deepEqual(timings.engine, { step: 'stock', binary: null });
});
