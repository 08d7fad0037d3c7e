import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { deleteCheckpoint, diffFingerprints, readCheckpoint, writeCheckpoint, type Checkpoint } from '../src/checkpoint.ts';

const fingerprint = {
  dataSha256: 'ab'.repeat(32),
  backend: 'wasm',
  batchSize: 4,
  learningRate: 0.001,
  momentum: 0.9,
  seed: 0,
  init: 'pytorch',
  logEverySteps: 1000,
  network: '{"layers":[]}',
  optimizer: 'sgd',
  nesterov: false,
  weightDecay: 0,
  beta1: 0.9,
  beta2: 0.999,
  eps: 1e-8,
};

const sample = (): Checkpoint => ({
  fingerprint,
  step: 5000,
  runningLoss: { sum: 0.1 + 0.2, count: 3 },
  history: { step: [999, 1999], loss: [Math.fround(1.837), Math.fround(0.852)] },
  state: {
    weights: [
      { name: 'conv1.weight', shape: [6, 1, 5, 5], data: Float32Array.from({ length: 150 }, (_, i) => Math.fround(i / 7)) },
      { name: 'conv1.bias', shape: [6], data: new Float32Array([1, -2, 3, Number.MIN_VALUE, -0, 6]) },
    ],
    momentum: [
      { name: 'conv1.weight', shape: [6, 1, 5, 5], data: new Float32Array(150).fill(0.5) },
      { name: 'conv1.bias', shape: [6], data: new Float32Array(6).fill(-0.25) },
    ],
  },
});

test('a checkpoint round-trips weights, momentum, running loss and history exactly', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'train-ckpt-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const cp = sample();
  await writeCheckpoint(join(dir, 'checkpoint'), cp);
  const back = await readCheckpoint(join(dir, 'checkpoint'));
  assert.equal(back.kind, 'found');
  assert.deepEqual(back.kind === 'found' && back.checkpoint, cp);
  // Rewriting replaces it whole and leaves no temporary debris beside it.
  await writeCheckpoint(join(dir, 'checkpoint'), { ...cp, step: 10000 });
  assert.deepEqual(await readdir(dir), ['checkpoint']);
  await deleteCheckpoint(join(dir, 'checkpoint'));
  assert.deepEqual(await readCheckpoint(join(dir, 'checkpoint')), { kind: 'none' });
});

test('a truncated checkpoint is reported unusable, not thrown', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'train-ckpt-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeCheckpoint(dir, sample());
  await writeFile(join(dir, 'tensors.bin'), new Uint8Array(10));
  assert.deepEqual(await readCheckpoint(dir), { kind: 'unusable', reason: 'tensors.bin has 10 bytes, expected 1248' });
});

test('fingerprints differ by name in exactly the fields that changed', () => {
  assert.deepEqual(diffFingerprints(fingerprint, { ...fingerprint }), []);
  assert.deepEqual(diffFingerprints(fingerprint, { ...fingerprint, learningRate: 0.01, backend: 'cpu' }), ['backend', 'learningRate']);
  assert.deepEqual(diffFingerprints({ ...fingerprint, threads: 1 }, { ...fingerprint, threads: 2 }), ['threads']);
});

test('a fingerprint from before the engine and thread count were recorded differs from one with them', () => {
  const current = { ...fingerprint, engine: 'fused plan-fma', threads: 1 };
  assert.deepEqual(diffFingerprints(fingerprint, current), ['engine', 'threads']);
  assert.deepEqual(diffFingerprints(current, fingerprint), ['engine', 'threads']);
});

test("a checkpoint round-trips Adam's second moments, batch-norm buffers and the trainer's step count", async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'train-ckpt-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const cp = sample();
  cp.fingerprint = { ...fingerprint, optimizer: 'adam', network: '{"layers":[{"type":"batchNorm","name":"bn1"}]}' };
  cp.state.secondMoment = cp.state.momentum.map((m) => ({ ...m, data: m.data.map((v) => v * v) }));
  cp.state.buffers = [
    { name: 'bn1.running_mean', shape: [6], data: new Float32Array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6]) },
    { name: 'bn1.running_var', shape: [6], data: new Float32Array([1, 1.5, 2, 2.5, 3, 3.5]) },
  ];
  cp.state.step = 5000;
  await writeCheckpoint(join(dir, 'checkpoint'), cp);
  const back = await readCheckpoint(join(dir, 'checkpoint'));
  assert.equal(back.kind, 'found');
  assert.deepEqual(back.kind === 'found' && back.checkpoint, cp);
  assert.deepEqual(diffFingerprints(fingerprint, cp.fingerprint), ['network', 'optimizer']);
});
