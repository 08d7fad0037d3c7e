import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatFixed1 } from '../src/index.ts';

test("formatFixed1 matches Python's '{:.1f}' including round-half-even at exact binary ties", () => {
  const python: [number, string][] = [
    [97.34, '97.3'],
    [12.25, '12.2'], // exact tie: Python rounds to even, toFixed would say 12.3
    [12.75, '12.8'],
    [0.25, '0.2'],
    [0.05, '0.1'], // not a tie in binary (0.05000000000000000277)
    [100, '100.0'],
    [99.95, '100.0'], // 99.9500000000000028… rounds up
    [0, '0.0'],
    [66.66666, '66.7'],
    [87.5, '87.5'],
  ];
  for (const [x, want] of python) assert.equal(formatFixed1(x), want, String(x));
});
