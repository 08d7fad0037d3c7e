import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { DEFAULT_TRAIN_OPTIONS, resolveTrainOptions, TRAIN_STAGE } from '../src/options.ts';

const dirs = { dataDir: 'd', outDir: 'o', runDir: 'r' };

test('the defaults are the tutorial values that pipeline.json lists, and every param has a flag', () => {
  const pipeline = JSON.parse(readFileSync(new URL('../../../pipelines/fashion-mnist/pipeline.json', import.meta.url), 'utf8'));
  const params = pipeline.stages.train.params as Record<string, unknown>;
  for (const [key, value] of Object.entries(params)) {
    assert.equal(DEFAULT_TRAIN_OPTIONS[key as keyof typeof DEFAULT_TRAIN_OPTIONS], value, key);
    assert.ok(key in TRAIN_STAGE.options.entries, key);
  }
});

test('bad params are rejected with one line naming the flag, the value and the valid range', () => {
  const cases: [Record<string, unknown>, string][] = [
    [{ batchSize: 0 }, '--batch-size is 0, expected an integer ≥ 1'],
    [{ batchSize: 2.5 }, '--batch-size is 2.5, expected an integer ≥ 1'],
    [{ learningRate: 0 }, '--learning-rate is 0, expected a number > 0'],
    [{ learningRate: -1 }, '--learning-rate is -1, expected a number > 0'],
    [{ momentum: 1 }, '--momentum is 1, expected a number ≥ 0 < 1'],
    [{ epochs: 0 }, '--epochs is 0, expected an integer ≥ 1'],
    [{ maxLoss: 0 }, '--max-loss is 0, expected a number > 0'],
    [{ logEverySteps: Number.NaN }, '--log-every-steps is NaN, expected an integer ≥ 1'],
    [{ figureImages: 0 }, '--figure-images is 0, expected an integer ≥ 1 ≤ 16'],
    [{ figureImages: 17 }, '--figure-images is 17, expected an integer ≥ 1 ≤ 16'],
    [{ backend: 'gpu' }, '--backend is "gpu", expected one of auto, tensorflow, wasm, cpu'],
    [{ init: 'he' }, '--init is "he", expected one of pytorch, glorot'],
    [{ outDir: '' }, '--out is required'],
  ];
  for (const [bad, message] of cases) {
    assert.throws(() => resolveTrainOptions({ ...dirs, ...bad } as never), { name: 'UsageError', message }, message);
  }
});

test('undefined options fall back to the defaults', () => {
  const o = resolveTrainOptions({ ...dirs, batchSize: undefined, seed: 3 });
  assert.equal(o.batchSize, 4);
  assert.equal(o.seed, 3);
  assert.equal(o.maxSteps, Number.POSITIVE_INFINITY);
});
