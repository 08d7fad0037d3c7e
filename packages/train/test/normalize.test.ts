import assert from 'node:assert/strict';
import { test } from 'node:test';
import { denormalizeImages, NORMALIZE_LUT, normalizeImages } from '../src/normalize.ts';

test('normalizeImages maps 0 → -1, 255 → 1 and 128 to the float32 value torchvision computes', () => {
  const out = normalizeImages(new Uint8Array([0, 255, 128, 51]));
  assert.equal(out[0], -1);
  assert.equal(out[1], 1);
  // torch: (torch.tensor([128.]) / 255 - 0.5) / 0.5 in float32 == 0.003921627998352051
  assert.equal(out[2], Math.fround(0.003921627998352051));
  assert.equal(out[3], Math.fround(Math.fround(Math.fround(51 / 255) - 0.5) * 2));
});

test('normalized values are monotonic, within [-1, 1] and float32-exact', () => {
  for (let v = 1; v < 256; v++) {
    assert.ok(NORMALIZE_LUT[v]! > NORMALIZE_LUT[v - 1]!);
    assert.equal(NORMALIZE_LUT[v], Math.fround(NORMALIZE_LUT[v]!));
  }
});

test('denormalizeImages inverts normalizeImages for every pixel value', () => {
  const all = Uint8Array.from({ length: 256 }, (_, i) => i);
  assert.deepEqual(denormalizeImages(normalizeImages(all)), all);
});
