import { createRandom, shuffledIndices } from '@tbpipe/core';

/**
 * The first `n` rows of a seeded permutation of `0..count-1`, like the tutorial's `select_n_random`
 * (`perm = torch.randperm(len(data)); data[perm][:n]`) but with core's seeded shuffle, so a seed picks the same rows
 * on every machine (N.B. not the rows torch's generator would pick). `sorted` returns them ascending instead of in
 * permutation order.
 */
export function sampleRows(count: number, n: number, seed: number, options: { sorted?: boolean } = {}): Uint32Array {
  if (!Number.isInteger(n) || n < 0 || n > count) throw new RangeError(`sampleRows: ${n} of ${count}`);
  const rows = shuffledIndices(count, createRandom(seed)).slice(0, n);
  return options.sorted ? rows.sort() : rows;
}

/**
 * A sub-seed for one purpose, so independent draws (training sample, test sample, each UMAP) do not share a stream
 * and adding one never changes another. FNV-1a of the purpose, mixed with the seed.
 */
export function deriveSeed(seed: number, purpose: string): number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < purpose.length; i++) h = Math.imul(h ^ purpose.charCodeAt(i), 0x01000193);
  return h >>> 0;
}
