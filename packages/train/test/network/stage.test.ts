/** The train stage with networks other than the tutorial's, on data of other shapes (real engine, cpu, few steps). */
import assert from 'node:assert/strict';
import { access, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { decodeGraphDef } from '@tbpipe/eventlog';
import { loadCnnPredictor } from '../../src/engine/index.ts';
import { train } from '../../src/train.ts';
import { writeSyntheticShapedIngest } from '../helpers/synthetic-shapes.ts';
import { viewRun } from '../helpers/tensorboard-view.ts';

async function workspace(t: { after: (fn: () => Promise<void>) => void }) {
  const root = await mkdtemp(join(tmpdir(), 'train-network-'));
  t.after(() => rm(root, { recursive: true, force: true }));
  const dirs = (name: string) => ({ outDir: join(root, name, 'out'), runDir: join(root, name, 'run') });
  return { root, dirs };
}

const QUICK = { backend: 'cpu', maxSteps: 6, logEverySteps: 3, batchSize: 4 } as const;

test('lenet5-rgb trains on 32×32 RGB data: the model, run.json, graph and image grid follow the data shape', async (t) => {
  const { root, dirs } = await workspace(t);
  const dataDir = join(root, 'rgb');
  await writeSyntheticShapedIngest(dataDir, { height: 32, width: 32, channels: 3, classes: 10, count: 40 });
  const result = await train({ ...QUICK, ...dirs('a'), dataDir, network: 'lenet5-rgb' });
  assert.equal(result.steps, 6);
  const run = JSON.parse(await readFile(join(dirs('a').outDir, 'run.json'), 'utf8'));
  assert.equal(run.params.network, 'lenet5-rgb');
  assert.deepEqual([run.network.input, run.network.classCount, run.network.featureWidth], [{ height: 32, width: 32, channels: 3 }, 10, 84]);
  const predictor = await loadCnnPredictor(join(dirs('a').outDir, 'model'), { backend: 'cpu' });
  assert.deepEqual(predictor.network.input, { height: 32, width: 32, channels: 3 });
  assert.equal(predictor.predict(new Float32Array(2 * 32 * 32 * 3), 2).probabilities.length, 20);
  predictor.dispose();
  const view = await viewRun(dirs('a').runDir);
  assert.equal(view.graphs.length, 1);
  const input = decodeGraphDef(view.graphs[0]!).node.find((n) => n.name === 'input/x.1')!;
  assert.match(JSON.stringify(input.attr?._output_shapes), /\[4,3,32,32\]/);
  // torchvision's make_grid of four 32×32 images: 4 × 34 + 2 = 138 wide, 36 high.
  const [grid] = view.images.get('four_fashion_mnist_images')!;
  assert.deepEqual([grid!.width, grid!.height], [138, 36]);
  assert.equal(view.images.get('predictions vs. actuals')!.length, 2);
});

test('a network file or inline JSON with the data’s class count trains; the checkpoint fingerprint holds the spec', async (t) => {
  const { root, dirs } = await workspace(t);
  const dataDir = join(root, 'five');
  await writeSyntheticShapedIngest(dataDir, { height: 12, width: 10, channels: 1, classes: 5, count: 30 });
  const spec = { layers: [{ type: 'conv2d', filters: 3, kernelSize: 3, padding: 1 }, { type: 'relu' }, { type: 'maxPool2d', poolSize: 2 }, { type: 'flatten' }, { type: 'dropout', rate: 0.2 }, { type: 'dense', units: 5 }] };
  const file = join(root, 'net.json');
  await writeFile(file, JSON.stringify(spec));
  const fromFile = await train({ ...QUICK, ...dirs('file'), dataDir, network: file, optimizer: 'adam', learningRate: 0.01 });
  const inline = await train({ ...QUICK, ...dirs('inline'), dataDir, network: JSON.stringify(spec), optimizer: 'adam', learningRate: 0.01 });
  assert.deepEqual(inline.history, fromFile.history);
  const run = JSON.parse(await readFile(join(dirs('inline').outDir, 'run.json'), 'utf8'));
  assert.equal(run.params.network, 'inline');
  assert.equal(run.network.featureWidth, 3 * 6 * 5);
});

test('a bad spec fails with one line naming the layer and field before any output is written', async (t) => {
  const { root, dirs } = await workspace(t);
  const dataDir = join(root, 'grey');
  await writeSyntheticShapedIngest(dataDir, { height: 28, width: 28, channels: 1, classes: 7, count: 14 });
  await assert.rejects(train({ ...QUICK, ...dirs('a'), dataDir }), {
    message: "network: layer 11 (dense) units 10, expected 7 (the data's class count) in the last dense; fix the network spec",
  });
  await assert.rejects(train({ ...QUICK, ...dirs('b'), dataDir, network: '{"layers":[{"type":"dropout","rate":-1}]}' }), /^NetworkError: network: layer 0 \(dropout\) rate -1, expected ≥ 0;/);
  await assert.rejects(access(dirs('a').outDir), { code: 'ENOENT' });
  await assert.rejects(access(dirs('b').outDir), { code: 'ENOENT' });
});

test('a run with batch norm, dropout and Adam interrupted and resumed ends with the bytes of an uninterrupted run', async (t) => {
  const { root, dirs } = await workspace(t);
  const dataDir = join(root, 'bn');
  await writeSyntheticShapedIngest(dataDir, { height: 10, width: 10, channels: 3, classes: 4, count: 32 });
  const network = JSON.stringify({
    layers: [
      { type: 'conv2d', name: 'conv1', filters: 4, kernelSize: 3 },
      { type: 'batchNorm', name: 'bn1' },
      { type: 'relu' },
      { type: 'flatten' },
      { type: 'dropout', rate: 0.5 },
      { type: 'dense', name: 'fc', units: 4 },
    ],
  });
  const opts = { ...QUICK, dataDir, network, optimizer: 'adam', learningRate: 0.01, weightDecay: 0.001, maxSteps: 12, checkpointEverySteps: 4 } as const;
  await train({ ...opts, ...dirs('whole') });
  const controller = new AbortController();
  await assert.rejects(train({ ...opts, ...dirs('cut'), signal: controller.signal, onStep: (s) => s === 6 && controller.abort() }), /stopped at step 7/);
  const resumed = await train({ ...opts, ...dirs('cut') });
  assert.equal(resumed.resumedFromStep, 4);
  for (const f of ['model/model.json', 'model/weights.bin', 'model/network.json', 'history.arrow', 'run.json', 'manifest.json']) {
    assert.deepEqual(await readFile(join(dirs('cut').outDir, f)), await readFile(join(dirs('whole').outDir, f)), f);
  }
});
