/** Run colours (ui/lib/run-colors.ts): a function of the name, stable for the page's life, apart while they last. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PALETTE, PRIMARY_COLORS } from '../ui/lib/colors.ts';
import { nameHash, RunColors } from '../ui/lib/run-colors.ts';

const runs = ['fashion_mnist_experiment_1', 'fashion_mnist_experiment_1/hparams', 'lr-sweep/lr-0.01', 'lr-sweep/lr-0.1', 'tutorial'];

test('a run list gets the same colours whatever order /data/runs lists it in', () => {
  const a = new RunColors();
  a.assign(runs);
  const b = new RunColors();
  b.assign([...runs].reverse());
  for (const r of runs) assert.equal(a.color(r), b.color(r), r);
});

test('a run appearing later, even one sorting before the rest, leaves every shown colour as it was', () => {
  const c = new RunColors();
  c.assign(runs);
  const before = runs.map((r) => c.color(r));
  c.assign(['0-first-run', 'aaa', ...runs]);
  assert.deepEqual(runs.map((r) => c.color(r)), before);
  assert.ok(PALETTE.includes(c.color('0-first-run')));
});

test('runs get distinct colours until the palette is used up, then slots are shared evenly', () => {
  const c = new RunColors();
  const many = Array.from({ length: PALETTE.length * 2 }, (_, i) => `run-${i}`);
  c.assign(many.slice(0, PALETTE.length));
  assert.equal(new Set(many.slice(0, PALETTE.length).map((r) => c.color(r))).size, PALETTE.length);
  c.assign(many);
  const counts = new Map<string, number>();
  for (const r of many) counts.set(c.color(r), (counts.get(c.color(r)) ?? 0) + 1);
  assert.deepEqual([...new Set(counts.values())], [2]);
});

test('a run seen alone takes the primary colour its name hashes to; the first eight runs get the eight primary ones', () => {
  for (const r of runs) assert.equal(new RunColors().color(r), PALETTE[nameHash(r) % PRIMARY_COLORS], r);
  const c = new RunColors();
  const eight = Array.from({ length: PRIMARY_COLORS }, (_, i) => `seed=${i}`);
  c.assign(eight);
  assert.deepEqual(eight.map((r) => c.color(r)).sort(), PALETTE.slice(0, PRIMARY_COLORS).sort());
  assert.notEqual(new Set(runs.map((r) => new RunColors().color(r))).size, 1, 'names spread over the palette');
});
