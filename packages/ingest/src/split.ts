import { shuffledIndices, type Random } from '@tbpipe/core';
import { imageBytes, type ImageShape } from './contract.ts';

/** Row indices of the two splits, each ascending (the input's order kept within a split). */
export interface SplitIndices {
  train: Uint32Array;
  test: Uint32Array;
}

/**
 * A stratified split: in each class, `round(n × testFraction)` rows drawn at random (a seeded shuffle of the class's
 * rows) go to the test split, the rest to training; classes are visited in label order, so a seed gives one split.
 * Each class with at least two rows and a fraction > 0 keeps at least one row on each side.
 */
export function stratifiedSplit(labels: ArrayLike<number>, classCount: number, testFraction: number, random: Random): SplitIndices {
  const byClass: number[][] = Array.from({ length: classCount }, () => []);
  for (let i = 0; i < labels.length; i++) byClass[labels[i]!]!.push(i);
  const isTest = new Uint8Array(labels.length);
  for (const rows of byClass) {
    let take = Math.round(rows.length * testFraction);
    if (testFraction > 0 && rows.length >= 2) take = Math.min(Math.max(take, 1), rows.length - 1);
    const order = shuffledIndices(rows.length, random);
    for (let k = 0; k < take; k++) isTest[rows[order[k]!]!] = 1;
  }
  const testCount = isTest.reduce((s, x) => s + x, 0);
  const train = new Uint32Array(labels.length - testCount);
  const test = new Uint32Array(testCount);
  for (let i = 0, a = 0, b = 0; i < labels.length; i++) {
    if (isTest[i]) test[b++] = i;
    else train[a++] = i;
  }
  return { train, test };
}

/** The rows `indices` of a row-major array of `rowLength` values per row, copied into a new array. */
export function takeRows<T extends Uint8Array | Uint16Array>(values: T, rowLength: number, indices: Uint32Array, make: (n: number) => T): T {
  const out = make(indices.length * rowLength);
  for (let k = 0; k < indices.length; k++) {
    const from = indices[k]! * rowLength;
    out.set(values.subarray(from, from + rowLength), k * rowLength);
  }
  return out;
}

/** One split of a decoded image set: the rows `indices` of its pixels and labels, with the shape and class names. */
export function pickSplit(
  set: { pixels: Uint8Array; labels: Uint16Array; shape: ImageShape },
  indices: Uint32Array,
  classNames: string[],
) {
  return {
    images: takeRows(set.pixels, imageBytes(set.shape), indices, (n) => new Uint8Array(n)),
    labels: takeRows(set.labels, 1, indices, (n) => new Uint16Array(n)),
    count: indices.length,
    classNames,
    ...set.shape,
  };
}
