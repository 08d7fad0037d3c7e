import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatTick, niceTicks } from '../src/ticks.ts';

describe('niceTicks', () => {
  const cases: [lo: number, hi: number, max: number, values: number[]][] = [
    [0, 969, 7, [0, 200, 400, 600, 800]],
    [0, 8, 7, [0, 2, 4, 6, 8]],
    [-10.9, 8.3, 9, [-10, -7.5, -5, -2.5, 0, 2.5, 5, 7.5]],
    [0, 1, 7, [0, 0.2, 0.4, 0.6, 0.8, 1]],
    [0.1, 0.3, 7, [0.1, 0.15, 0.2, 0.25, 0.3]],
    [5, 5, 7, [5]],
  ];
  for (const [lo, hi, max, values] of cases) {
    it(`puts at most ${max} ticks on round values in [${lo}, ${hi}]`, () => {
      assert.deepEqual(niceTicks(lo, hi, max).values, values);
    });
  }
});

describe('formatTick', () => {
  it('prints as many decimals as the step needs and a true minus sign', () => {
    assert.equal(formatTick(800, 200), '800');
    assert.equal(formatTick(-7.5, 2.5), '\u22127.5');
    assert.equal(formatTick(0.4, 0.2), '0.4');
    assert.equal(formatTick(0.25, 0.05), '0.25');
    assert.equal(formatTick(-0, 0.5), '0.0');
    assert.equal(formatTick(0.5, 0), '0.5', 'a single tick (step 0) keeps its value');
  });
});
