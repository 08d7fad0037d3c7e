import assert from 'node:assert/strict';
import { access, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { decodeGraphDef } from '@tbpipe/eventlog';
import type { CnnTrainer, CreateCnnTrainer } from '../src/engine/types.ts';
import { TrainAbortedError } from '../src/errors.ts';
import { readHistory } from '../src/history.ts';
import { train, type TrainOptions } from '../src/train.ts';
import { createFakeTrainer } from './helpers/fake-engine.ts';
import { writeSyntheticIngest } from './helpers/synthetic-data.ts';
import { viewRun } from './helpers/tensorboard-view.ts';

// 64 synthetic images, batch 4 → 16 steps per epoch; the fake engine keeps each run to milliseconds.
const SMALL = { createTrainer: createFakeTrainer, epochs: 2, logEverySteps: 3, checkpointEverySteps: 8 } satisfies Partial<TrainOptions>;

async function workspace(t: { after: (fn: () => Promise<void>) => void }) {
  const root = await mkdtemp(join(tmpdir(), 'train-stage-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  const dataDir = join(root, 'ingest');
  await writeSyntheticIngest(dataDir);
  const dirs = (name: string) => ({ dataDir, outDir: join(root, name, 'out'), runDir: join(root, name, 'run') });
  return { root, dataDir, dirs };
}

/** Every cached output's bytes, keyed by path: what Nx would store. */
async function outputs(outDir: string): Promise<Record<string, string>> {
  const manifest = JSON.parse(await readFile(join(outDir, 'manifest.json'), 'utf8')) as { files: Record<string, unknown> };
  const out: Record<string, string> = { 'manifest.json': await readFile(join(outDir, 'manifest.json'), 'utf8') };
  for (const f of Object.keys(manifest.files)) out[f] = (await readFile(join(outDir, f))).toString('base64');
  return out;
}

test('a short seeded run is reproducible: the same bytes for model, history, run.json and manifest', async (t) => {
  const { dirs } = await workspace(t);
  const a = await train({ ...SMALL, ...dirs('a') });
  const b = await train({ ...SMALL, ...dirs('b') });
  assert.deepEqual(await outputs(dirs('a').outDir), await outputs(dirs('b').outDir));
  assert.equal(a.steps, 32);
  assert.deepEqual(a.history, b.history);
  // Windows never span epochs: logged at i = 2, 5, …, 14 within each 16-step epoch.
  assert.deepEqual(a.history.step, [2, 5, 8, 11, 14, 18, 21, 24, 27, 30]);
  // A property besides the frozen bytes: the synthetic classes are learnable, so the loss falls.
  assert.ok(a.history.loss.at(-1)! < a.history.loss[0]! / 2, String(a.history.loss));
});

test('the stage writes model, history, run.json, volatile timings and a manifest of everything but volatile/', async (t) => {
  const { dirs } = await workspace(t);
  const { outDir } = dirs('a');
  const result = await train({ ...SMALL, ...dirs('a'), maxSteps: 10 });
  assert.deepEqual((await readdir(outDir)).sort(), ['history.arrow', 'manifest.json', 'model', 'run.json', 'volatile']);
  const manifest = JSON.parse(await readFile(join(outDir, 'manifest.json'), 'utf8'));
  assert.equal(manifest.contract, 'tbpipe.train/v1');
  assert.deepEqual(Object.keys(manifest.files), ['history.arrow', 'model/model.json', 'model/weights.bin', 'run.json']);
  const run = JSON.parse(await readFile(join(outDir, 'run.json'), 'utf8'));
  assert.deepEqual(
    { ...run, dataSha256: typeof run.dataSha256, network: { ...run.network, spec: run.network.spec.layers.length } },
    {
      stage: 'train',
      params: {
        network: 'tutorial', epochs: 2, batchSize: 4, optimizer: 'sgd', learningRate: 0.001, momentum: 0.9, nesterov: false, weightDecay: 0,
        beta1: 0.9, beta2: 0.999, eps: 1e-8, seed: 0, init: 'pytorch', backend: 'auto', threads: 'auto', logEverySteps: 3, checkpointEverySteps: 8,
        maxSteps: 10,
      },
      seed: 0,
      backend: 'cpu',
      engine: 'custom',
      threads: 1,
      network: { spec: 12, input: { height: 28, width: 28, channels: 1 }, classCount: 10, featureWidth: 84 },
      dataSha256: 'string',
      trainImages: 64,
      stepsPerEpoch: 16,
      steps: 10,
      finalLoss: result.finalLoss,
      classNames: ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle Boot'],
    },
  );
  const timings = JSON.parse(await readFile(join(outDir, 'volatile', 'timings.json'), 'utf8'));
  assert.equal(timings.stepsRun, 10);
  assert.equal(timings.resumedFromStep, null);
  assert.ok(timings.stepsPerSecond > 0);
  assert.deepEqual(await readHistory(join(outDir, 'history.arrow')), {
    step: Int32Array.from(result.history.step),
    loss: Float32Array.from(result.history.loss),
  });
  // The checkpoint taken at step 8 is gone after success: it must not be cached as an output.
  await assert.rejects(access(join(outDir, 'checkpoint')), { code: 'ENOENT' });
});

test('the event file holds the image grid, the graph, the training-loss scalars and the prediction figures', async (t) => {
  const { dirs } = await workspace(t);
  const { runDir } = dirs('a');
  const result = await train({ ...SMALL, ...dirs('a'), epochs: 1 });
  const view = await viewRun(runDir);
  assert.equal(view.files.length, 1);
  // The same name every run, so an Nx cache restore of an older run overwrites it instead of adding a file.
  assert.equal(view.files[0], 'events.out.tfevents.0000000000.tbpipe.0.0.train');
  assert.deepEqual(view.scalars.get('training loss'), result.history.step.map((step, k) => ({ step, value: result.history.loss[k] })));
  const grid = view.images.get('four_fashion_mnist_images')!;
  assert.deepEqual(grid.map(({ step, width, height }) => ({ step, width, height })), [{ step: 0, width: 122, height: 32 }]);
  const figures = view.images.get('predictions vs. actuals')!;
  assert.deepEqual(figures.map((f) => f.step), result.history.step);
  assert.equal(figures[0]!.width, 1200);
  assert.equal(view.graphs.length, 1);
  const graph = decodeGraphDef(view.graphs[0]!);
  assert.ok(graph.node.some((n) => n.name === 'Net/Conv2d[conv1]/input.1'));
});

test('a prediction figure draws the first figureImages images of the batch in rows of 4, never more than the batch', async (t) => {
  const { dirs } = await workspace(t);
  const predicted: number[] = [];
  const createTrainer: CreateCnnTrainer = async (options) => {
    const trainer = await createFakeTrainer(options);
    const [predict, trainStep] = [trainer.predict.bind(trainer), trainer.trainStep.bind(trainer)];
    let training = false; // the fake's trainStep predicts too; count only the stage's own calls
    trainer.trainStep = (images, labels) => {
      training = true;
      try {
        return trainStep(images, labels);
      } finally {
        training = false;
      }
    };
    trainer.predict = (images, count) => {
      if (!training) predicted.push(count);
      return predict(images, count);
    };
    return trainer;
  };
  const sizes = async (name: string, over: Partial<TrainOptions>) => {
    await train({ ...SMALL, ...dirs(name), createTrainer, logEverySteps: 1, maxSteps: 2, ...over });
    return (await viewRun(dirs(name).runDir)).images.get('predictions vs. actuals')!.map(({ width, height }) => [width, height]);
  };
  // Batch 16, default 4: the tutorial's one row, and only those 4 are predicted for it.
  assert.deepEqual(await sizes('default', { batchSize: 16 }), [[1200, 356], [1200, 356]]);
  assert.deepEqual(predicted.splice(0), [4, 4]);
  assert.deepEqual(await sizes('eight', { batchSize: 16, figureImages: 8 }), [[1200, 688], [1200, 688]]);
  assert.deepEqual(predicted.splice(0), [8, 8]);
  assert.deepEqual(await sizes('sixteen', { batchSize: 16, figureImages: 16 }), [[1200, 1352], [1200, 1352]]);
  // A batch smaller than figureImages: the whole batch, one row of 2.
  assert.deepEqual(await sizes('small', { batchSize: 2, figureImages: 16 }), [[616, 356], [616, 356]]);
  assert.deepEqual(predicted.splice(0), [16, 16, 2, 2]);
});

test('a rerun replaces its own event file and leaves other stages’ files alone', async (t) => {
  const { dirs } = await workspace(t);
  const { runDir } = dirs('a');
  await train({ ...SMALL, ...dirs('a'), maxSteps: 4 });
  const other = 'events.out.tfevents.1700000000.host.1.0.evaluate';
  await writeFile(join(runDir, other), '');
  await train({ ...SMALL, ...dirs('a'), maxSteps: 4 });
  const names = (await readdir(runDir)).sort();
  assert.equal(names.length, 2);
  assert.ok(names.includes(other));
  assert.equal((await viewRun(runDir)).scalars.get('training loss')!.length, 1);
});

test('a run killed after a checkpoint resumes to the same bytes and TensorBoard points as an uninterrupted run', async (t) => {
  const { dirs } = await workspace(t);
  const whole = await train({ ...SMALL, ...dirs('whole') });

  // Abort after step 12: the checkpoint holds step 8, and points at 8 and 11 were already written after it.
  const controller = new AbortController();
  const killed = dirs('killed');
  await assert.rejects(
    train({ ...SMALL, ...killed, signal: controller.signal, onStep: (step) => step === 12 && controller.abort() }),
    (err: unknown) =>
      err instanceof TrainAbortedError &&
      err.message === 'train: stopped at step 13 on request, last checkpoint at step 8; rerun the same command to resume',
  );
  await access(join(killed.outDir, 'checkpoint', 'state.json'));
  await assert.rejects(access(join(killed.outDir, 'manifest.json')), { code: 'ENOENT' });
  const before = await viewRun(killed.runDir);
  assert.deepEqual(before.scalars.get('training loss')!.map((p) => p.step), [2, 5, 8, 11]);

  const resumed = await train({ ...SMALL, ...killed });
  assert.equal(resumed.resumedFromStep, 8);
  assert.deepEqual(await outputs(killed.outDir), await outputs(dirs('whole').outDir));
  assert.deepEqual(resumed.history, whole.history);

  const a = await viewRun(killed.runDir);
  const b = await viewRun(dirs('whole').runDir);
  assert.equal(a.files.length, 1, 'the resumed run continues the file, keeping the points before the checkpoint');
  assert.deepEqual(a.scalars, b.scalars);
  const steps = (v: typeof a) => new Map([...v.images].map(([tag, imgs]) => [tag, imgs.map((i) => i.step)]));
  assert.deepEqual(steps(a), steps(b));
  assert.equal(a.graphs.length, 1);
  const figure = (v: typeof a) => v.images.get('predictions vs. actuals')!.at(-1)!.png;
  assert.deepEqual(figure(a), figure(b));
});

test('a checkpoint written with other params is ignored and the run starts over', async (t) => {
  const { dirs } = await workspace(t);
  const controller = new AbortController();
  const run = dirs('a');
  await assert.rejects(train({ ...SMALL, ...run, signal: controller.signal, onStep: (s) => s === 9 && controller.abort() }), TrainAbortedError);
  const fresh = await train({ ...SMALL, ...run, learningRate: 0.002 });
  assert.equal(fresh.resumedFromStep, null);
  const view = await viewRun(run.runDir);
  assert.equal(view.files.length, 1, 'a fresh start replaces the interrupted run’s event file');
  assert.deepEqual(view.scalars.get('training loss')!.map((p) => p.step), fresh.history.step);
});

test('a checkpoint written by a step on another thread count is ignored: a split batch sums its gradients in another order', async (t) => {
  const { dirs } = await workspace(t);
  const controller = new AbortController();
  const run = dirs('a');
  await assert.rejects(train({ ...SMALL, ...run, signal: controller.signal, onStep: (s) => s === 9 && controller.abort() }), TrainAbortedError);
  const onTwoThreads: CreateCnnTrainer = async (options) =>
    Object.assign(Object.create(await createFakeTrainer(options)) as CnnTrainer, { threadsFor: () => ({ threads: 2, why: 'threads 2' }) });
  const fresh = await train({ ...SMALL, ...run, createTrainer: onTwoThreads });
  assert.equal(fresh.resumedFromStep, null);
  assert.equal(JSON.parse(await readFile(join(run.outDir, 'run.json'), 'utf8')).threads, 2);
});

/** The fake engine, but its `nanStep`-th step (0-based) returns `loss` (NaN by default), as a diverging network does. */
const divergingAt =
  (nanStep: number, loss = Number.NaN): CreateCnnTrainer =>
  async (options) => {
    const inner = await createFakeTrainer(options);
    let calls = 0;
    return Object.assign(Object.create(inner) as CnnTrainer, {
      trainStep: (images: Float32Array, labels: Int32Array) => (calls++ === nanStep ? loss : inner.trainStep(images, labels)),
    });
  };

test('a NaN loss stops the run with one line naming the step and keeps the points already written', async (t) => {
  const { dirs } = await workspace(t);
  const run = dirs('a');
  await assert.rejects(train({ ...SMALL, ...run, createTrainer: divergingAt(7) }), {
    code: 'TRAIN_DIVERGED',
    message: 'train: loss diverged at step 7 (loss NaN, learning rate 0.001); lower --learning-rate',
  });
  assert.deepEqual((await viewRun(run.runDir)).scalars.get('training loss')!.map((p) => p.step), [2, 5]);
  await assert.rejects(access(join(run.outDir, 'manifest.json')), { code: 'ENOENT' });
});

test('a finite loss above maxLoss (default 1e4) stops the run too: a diverging network can stay finite', async (t) => {
  const { dirs } = await workspace(t);
  await assert.rejects(train({ ...SMALL, ...dirs('a'), createTrainer: divergingAt(4, 3.1e15) }), {
    code: 'TRAIN_DIVERGED',
    message: 'train: loss diverged at step 4 (loss 3.1e+15 > --max-loss 1e4, learning rate 0.001); lower --learning-rate',
  });
  await assert.rejects(train({ ...SMALL, ...dirs('b'), maxLoss: 50, createTrainer: divergingAt(4, 51) }), {
    message: 'train: loss diverged at step 4 (loss 51 > --max-loss 50, learning rate 0.001); lower --learning-rate',
  });
  const result = await train({ ...SMALL, ...dirs('c'), maxSteps: 6, createTrainer: divergingAt(4, 9999) });
  assert.equal(result.steps, 6, 'a loss at the bound is not divergence');
});

test('a data directory without a manifest is rejected before training with one line', async (t) => {
  const { root, dirs } = await workspace(t);
  await assert.rejects(train({ ...SMALL, ...dirs('a'), dataDir: join(root, 'nothing') }), {
    code: 'MANIFEST_MISSING',
    message: `contract: cannot read ${join(root, 'nothing', 'manifest.json')} (ENOENT), expected a tbpipe.ingest/v2 manifest; rerun the stage that writes ${join(root, 'nothing')} (or the whole pipeline: npx nx run pipeline:all).`,
  });
});
