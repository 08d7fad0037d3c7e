import assert from 'node:assert/strict';
import { test } from 'node:test';
import { describePredictions } from '../src/predictions.ts';

const CLASSES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle Boot'];

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
