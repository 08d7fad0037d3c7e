import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describePredictions, formatFixed1 } from '../src/predictions.ts';

const CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle Boot'];

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
  ];
  for (const [x, want] of python) assert.equal(formatFixed1(x), want, String(x));
});

test("describePredictions formats the tutorial's titles and marks right and wrong predictions", () => {
  const p = new Float32Array(20);
  p[7] = 0.973; // image 0: Sneaker
  p[3] = 0.027;
  p[10 + 4] = 0.5; // image 1: Coat, though it is a Shirt
  p[10 + 6] = 0.5; // a tie picks the first class, like torch.max
  const titles = describePredictions(p, [7, 6], CLASSES);
  assert.deepEqual(titles, [
    { text: 'Sneaker, 97.3%\n(label: Sneaker)', correct: true },
    { text: 'Coat, 50.0%\n(label: Shirt)', correct: false },
  ]);
});
