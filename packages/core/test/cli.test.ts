import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createRandom, parseNumberFlag, shuffledIndices, UsageError } from '../src/index.ts';

test('parseNumberFlag accepts values in range and passes undefined through', () => {
  assert.equal(parseNumberFlag('lr', '0.001', { min: 0, exclusiveMin: true }), 0.001);
  assert.equal(parseNumberFlag('batch-size', 4, { integer: true, min: 1 }), 4);
  assert.equal(parseNumberFlag('x', undefined), undefined);
});

test('parseNumberFlag names the flag, the value and the valid range', () => {
  const cases: [string, string | number, Parameters<typeof parseNumberFlag>[2], string][] = [
    ['batch-size', '0', { integer: true, min: 1 }, '--batch-size is "0", expected an integer ≥ 1'],
    ['lr', 'abc', { min: 0, exclusiveMin: true }, '--lr is "abc", expected a number > 0'],
    ['momentum', 1.5, { min: 0, max: 1 }, '--momentum is 1.5, expected a number ≥ 0 ≤ 1'],
    ['epochs', '1.5', { integer: true }, '--epochs is "1.5", expected an integer'],
    ['seed', '', {}, '--seed is "", expected a number'],
    ['log-every-steps', Number.NaN, { integer: true }, '--log-every-steps is NaN, expected an integer'],
  ];
  for (const [name, raw, rule, message] of cases) {
    assert.throws(() => parseNumberFlag(name, raw, rule), (err: unknown) => {
      assert.ok(err instanceof UsageError);
      assert.equal(err.message, message);
      return true;
    });
  }
});

test('createRandom is deterministic per seed and uniform enough', () => {
  const a = createRandom(42);
  const b = createRandom(42);
  const xs = Array.from({ length: 10_000 }, () => a());
  assert.deepEqual(xs.slice(0, 5), Array.from({ length: 5 }, () => b()));
  assert.ok(xs.every((x) => x >= 0 && x < 1));
  const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
  assert.ok(Math.abs(mean - 0.5) < 0.02, `mean ${mean}`);
  assert.notDeepEqual(xs.slice(0, 5), Array.from({ length: 5 }, createRandom(43)));
});

test('shuffledIndices is a seeded permutation', () => {
  const p = shuffledIndices(1000, createRandom(1));
  assert.deepEqual([...p].sort((x, y) => x - y), Array.from({ length: 1000 }, (_, i) => i));
  assert.deepEqual(p, shuffledIndices(1000, createRandom(1)));
  assert.notDeepEqual(p, shuffledIndices(1000, createRandom(2)));
});
