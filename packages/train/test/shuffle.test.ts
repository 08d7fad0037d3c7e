import assert from 'node:assert/strict';
import { test } from 'node:test';
import { epochOrder } from '../src/shuffle.ts';

test('each epoch order is a permutation that depends only on seed and epoch', () => {
  const a = epochOrder(1000, 0, 0);
  assert.deepEqual(
    [...a].sort((x, y) => x - y),
    Array.from({ length: 1000 }, (_, i) => i),
  );
  assert.deepEqual(epochOrder(1000, 0, 0), a);
  assert.notDeepEqual(epochOrder(1000, 0, 1), a);
  assert.notDeepEqual(epochOrder(1000, 1, 0), a);
});

test('the first epoch order for seed 0 is frozen (resuming depends on it never changing)', () => {
  assert.deepEqual([...epochOrder(10, 0, 0)], FROZEN);
});

const FROZEN = [5, 0, 4, 7, 2, 9, 1, 8, 3, 6];
