import { createRandom, shuffledIndices } from '@tbpipe/core';

/**
 * The order in which epoch `epoch` visits the `count` training images: a Fisher–Yates permutation drawn from a PRNG
 * seeded by (seed, epoch) alone. Because each epoch's order is a pure function of those two numbers, a checkpoint
 * only has to record the epoch and the position in it to resume the exact same sequence of batches.
 */
export function epochOrder(count: number, seed: number, epoch: number): Uint32Array {
  return shuffledIndices(count, createRandom(epochSeed(seed, epoch)));
}

/** Mix seed and epoch into one 32-bit seed (murmur3's finaliser), distinct from the engine's weight-init seed. */
export function epochSeed(seed: number, epoch: number): number {
  let h = (seed ^ Math.imul(epoch + 1, 0x9e3779b9)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
