import { createRandom } from '@tbpipe/core';

/**
 * A random-but-separable image set: each class is a fixed random 28×28 prototype in [-1, 1] plus noise, so a CNN
 * can learn it in a few hundred steps. Returns `count` images (count × 784) and labels cycling through classes.
 */
export function separableBatch(count: number, seed: number, noise = 0.5): { images: Float32Array; labels: Int32Array } {
  const protoRandom = createRandom(12345);
  const prototypes = Array.from({ length: 10 }, () => Float32Array.from({ length: 784 }, () => protoRandom() * 2 - 1));
  const random = createRandom(seed);
  const images = new Float32Array(count * 784);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const y = Math.floor(random() * 10);
    labels[i] = y;
    for (let j = 0; j < 784; j++) images[i * 784 + j] = Math.max(-1, Math.min(1, prototypes[y]![j]! + (random() * 2 - 1) * noise));
  }
  return { images, labels };
}

/** Largest absolute element-wise difference. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
