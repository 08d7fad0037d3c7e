import assert from 'node:assert/strict';
import { test } from 'node:test';
import { makeImageGrid } from '../src/image-grid.ts';
import { normalizeImages } from '../src/normalize.ts';

test("four images make torchvision's 122 × 32 grid with black 2-px padding and the true pixel values", () => {
  const pixels = Uint8Array.from({ length: 4 * 784 }, (_, i) => (i * 7) % 256);
  const grid = makeImageGrid(normalizeImages(pixels));
  assert.deepEqual([grid.width, grid.height, grid.data.length], [122, 32, 122 * 32 * 3]);
  const at = (x: number, y: number) => [...grid.data.subarray((y * 122 + x) * 3, (y * 122 + x) * 3 + 3)];
  assert.deepEqual(at(0, 0), [0, 0, 0]);
  assert.deepEqual(at(30, 10), [0, 0, 0]); // padding between image 0 and 1
  // Image n starts at x = 2 + 30n, y = 2; values are the raw pixels, not torch's garbled negatives.
  for (const [n, x, y] of [[0, 0, 0], [1, 5, 3], [3, 27, 27]] as const) {
    const v = pixels[n * 784 + y * 28 + x]!;
    assert.deepEqual(at(2 + 30 * n + x, 2 + y), [v, v, v]);
  }
});
