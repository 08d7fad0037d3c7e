// The SCALARS dashboard's data shaping (ui/lib/smoothing.ts, ui/dashboards/scalars/series.ts), in Node: these modules
// use no DOM. The browser tests check the same numbers in the drawn chart.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { smoothEma } from '../ui/lib/smoothing.ts';
import { alignedData, buildLines, groupBand, groupKey, outlierRange, type RunSeries } from '../ui/dashboards/scalars/series.ts';

const series = (run: string, steps: number[], values: number[], walls = steps.map((s) => 1000 + s * 10)): RunSeries => ({
  run, steps: Float64Array.from(steps), walls: Float64Array.from(walls), values: Float64Array.from(values),
});

test('smoothing debiases the first point to itself and follows the EMA after it', () => {
  const out = smoothEma([1, 2, 3], 0.5);
  assert.equal(out[0], 1);
  assert.equal(out[1], (0.5 * 0.5 + 0.5 * 2) / (1 - 0.25));
  assert.equal(out[2], ((0.5 * 0.5 + 0.5 * 2) * 0.5 + 0.5 * 3) / (1 - 0.125));
});

test('a constant series is returned as is, and non-finite points pass through without entering the average', () => {
  assert.deepEqual(Array.from(smoothEma([2, 2, 2], 0.9)), [2, 2, 2]);
  const out = smoothEma([1, Number.NaN, Number.POSITIVE_INFINITY, 3], 0.6);
  assert.ok(Number.isNaN(out[1]));
  assert.equal(out[2], Number.POSITIVE_INFINITY);
  assert.equal(out[3], smoothEma([1, 3], 0.6)[1]);
});

test('weight 1 keeps the undebiased average and weights outside [0, 1] are clamped', () => {
  assert.deepEqual(Array.from(smoothEma([1, 2], 1)), [0, 0]);
  assert.deepEqual(Array.from(smoothEma([1, 2], -3)), [1, 2]);
  assert.deepEqual(Array.from(smoothEma([1, 2], Number.NaN)), [1, 2]);
});

test('a group regex without captures replaces the match by *, with captures joins them', () => {
  assert.equal(groupKey('sweep/lr=0.1,seed=3', /seed=\d+/), 'sweep/lr=0.1,*');
  assert.equal(groupKey('sweep/lr=0.1,seed=3', /lr=([\d.]+)/), '0.1');
  assert.equal(groupKey('other', /seed=\d+/), null);
  assert.equal(groupKey('anything', null), null);
});

test('a group band is the mean ± population standard deviation over the members that have the x', () => {
  const band = groupBand([
    { xs: Float64Array.from([0, 1]), values: Float64Array.from([1, 10]) },
    { xs: Float64Array.from([0, 1, 2]), values: Float64Array.from([3, 20, 5]) },
  ]);
  assert.deepEqual(Array.from(band.xs), [0, 1, 2]);
  assert.deepEqual(Array.from(band.mean), [2, 15, 5]);
  assert.deepEqual(Array.from(band.lo), [1, 10, 5]);
  assert.deepEqual(Array.from(band.hi), [3, 20, 5]);
  assert.deepEqual(Array.from(band.count), [2, 2, 1]);
});

test('runs with different steps are aligned on the union of their x, with null where a run has no point', () => {
  const lines = buildLines([series('a', [0, 2], [1, 2]), series('b', [1, 2], [5, Number.NaN])],
    { mode: 'step', smoothing: 0, group: null, color: () => '#000000' });
  assert.deepEqual(alignedData(lines, false), [[0, 1, 2], [1, null, 2], [1, null, 2], [null, 5, null], [null, 5, null]]);
});

test('relative time counts from each run\'s first point, and the log axis drops values ≤ 0', () => {
  const lines = buildLines([series('a', [5, 6], [-1, 4], [100, 160])], { mode: 'relative', smoothing: 0, group: null, color: () => '#000000', xScale: 60 });
  assert.deepEqual(alignedData(lines, true), [[0, 1], [null, 4], [null, 4]]);
});

test('"ignore outliers" spans the 5th to 95th percentile of the smoothed values, padded by a tenth', () => {
  const values = Array.from({ length: 101 }, (_, i) => i);
  values[100] = 1e9;
  const lines = buildLines([series('a', values.map((_, i) => i), values)], { mode: 'step', smoothing: 0, group: null, color: () => '#000000' });
  const [lo, hi] = outlierRange(lines, false)!;
  assert.equal(lo, 5 - 9);
  assert.equal(hi, 95 + 9);
});
