import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { UMAP } from 'umap-js';
import { findABParams } from 'umap-js/dist/umap.js';
import { createRandom, type Random } from '@tbpipe/core/random';
import type { KnnGraph } from './knn.ts';
import { runLayoutJob, type LayoutJob } from './wasm-kernels.mjs';

/** Options of {@link runUmap}. */
export interface UmapOptions {
  /** Output dimensions: 2 or 3. */
  nComponents: number;
  /** Neighbours of the fuzzy graph (umap-learn's `n_neighbors`); the graph must hold this many per row, self first. */
  nNeighbors: number;
  /** Minimum distance between embedded points (umap-learn's `min_dist`), in [0, spread]. */
  minDist: number;
  /**
   * Seed of core's `createRandom` (mulberry32): the random init draws from it in JS, the negative sampling continues
   * the same sequence in the WebAssembly kernel. The output is byte-identical across runs for a seed.
   */
  seed: number;
  /**
   * Use umap-js's sequential loop with the host's `Math.pow`: the layout is then bit-identical to stock umap-js's
   * (tested), at about a third of the default kernel's speed.
   */
  exactPow?: boolean;
  /** The SGD kernel (see wasm-kernels.d.mts): `streams` (default) or `sequential`. */
  kernel?: 'streams' | 'sequential';
  /** Epochs; default 0 = umap-js's rule (500 up to 2 500 points, 400 / 300 / 200 above 2 500 / 5 000 / 7 500). */
  nEpochs?: number;
  /** Called after each epoch (1-based count) with the total. */
  onEpoch?: (epoch: number, nEpochs: number) => void;
  /** Yield to the event loop when an epoch batch has run this long, so logs and progress keep flowing; default 50 ms. */
  yieldEveryMillis?: number;
}

// The umap-js 1.4.0 internals this module replaces. They are private in its typings, so they are reached through
// this view; `assertUmapInternals` fails loudly if an upgrade renames them rather than silently using the slow path.
interface UmapInternals {
  random: Random;
  nComponents: number;
  graph: FuzzyGraph;
  embedding: number[][];
  localConnectivity: number;
  optimizationState: {
    currentEpoch: number;
    head: number[];
    tail: number[];
    epochsPerSample: number[];
    epochOfNextSample: number[];
    epochOfNextNegativeSample: number[];
    epochsPerNegativeSample: number[];
    moveOther: boolean;
    initialAlpha: number;
    alpha: number;
    gamma: number;
    a: number;
    b: number;
    dim: number;
    nEpochs: number;
    nVertices: number;
  };
  knnIndices?: number[][];
  knnDistances?: number[][];
  smoothKNNDistance(distances: number[][], k: number, localConnectivity: number): { sigmas: number[]; rhos: number[] };
  computeMembershipStrengths(
    indices: number[][],
    distances: number[][],
    sigmas: number[],
    rhos: number[],
  ): { rows: number[]; cols: number[]; vals: number[] };
  makeEpochsPerSample(weights: number[], nEpochs: number): number[];
  getNEpochs(): number;
}

/** The symmetric fuzzy graph in CSR form, rows sorted by column: what umap-js keeps in a `Map` keyed by "row:col". */
interface FuzzyGraph {
  nRows: number;
  nCols: number;
  rowStart: Int32Array;
  cols: Int32Array;
  values: Float64Array;
}

const REPLACED = ['fuzzySimplicialSet', 'makeSearchGraph', 'initializeSimplicialSetEmbedding', 'initializeOptimization'] as const;
const USED_INTERNALLY = ['assignOptimizationStateParameters'] as const;
const USED = ['smoothKNNDistance', 'computeMembershipStrengths', 'makeEpochsPerSample', 'getNEpochs', 'initializeFit'] as const;

function assertUmapInternals(): void {
  const proto = UMAP.prototype as unknown as Record<string, unknown>;
  const missing = [...REPLACED, ...USED, ...USED_INTERNALLY].filter((name) => typeof proto[name] !== 'function');
  if (missing.length > 0) {
    throw new Error(`umap-js internals changed (missing ${missing.join(', ')}); @tbpipe/project is written against umap-js 1.4.0`);
  }
}

/** findABParams results by `${spread}:${minDist}`. */
const abCache = new Map<string, { a: number; b: number }>();

// Replacements of umap-js 1.4.0's private methods, installed on TypedUmap.prototype below. Each gives the same
// numbers as the method it replaces: same arithmetic in the same order, same calls to `random`.
const replacements = {
  /** As umap-js: fuzzy union (set_op_mix_ratio) of the membership graph and its transpose, here in CSR. */
  fuzzySimplicialSet(this: UmapInternals, X: number[][], nNeighbors: number, setOpMixRatio = 1.0): FuzzyGraph {
    const knnIndices = this.knnIndices ?? [];
    const knnDistances = this.knnDistances ?? [];
    const { sigmas, rhos } = this.smoothKNNDistance(knnDistances, nNeighbors, this.localConnectivity);
    const { rows, cols, vals } = this.computeMembershipStrengths(knnIndices, knnDistances, sigmas, rhos);
    const n = X.length;
    // Directed entries S(r, c); a later duplicate overwrites an earlier one, as in umap-js's Map.
    const directed = new Map<number, number>();
    for (let e = 0; e < rows.length; e++) directed.set(rows[e] * n + cols[e], vals[e]);
    // Union of the keys of S and Sᵀ, sorted by (row, col).
    const keys = new Float64Array(directed.size * 2);
    let m = 0;
    for (const key of directed.keys()) {
      const r = Math.floor(key / n);
      const c = key - r * n;
      keys[m++] = key;
      keys[m++] = c * n + r;
    }
    keys.sort();
    const rowStart = new Int32Array(n + 1);
    const outCols: number[] = [];
    const outVals: number[] = [];
    let last = -1;
    for (let e = 0; e < keys.length; e++) {
      const key = keys[e];
      if (key === last) continue;
      last = key;
      const r = Math.floor(key / n);
      const c = key - r * n;
      const a = directed.get(key) ?? 0;
      const b = directed.get(c * n + r) ?? 0;
      const prod = a * b;
      // umap-js: add(multiplyScalar(subtract(add(S, T), S∘T), mix), multiplyScalar(S∘T, 1 − mix)), in that order.
      outVals.push((a + b - prod) * setOpMixRatio + prod * (1.0 - setOpMixRatio));
      outCols.push(c);
      rowStart[r + 1]++;
    }
    for (let r = 0; r < n; r++) rowStart[r + 1] += rowStart[r];
    return { nRows: n, nCols: n, rowStart, cols: Int32Array.from(outCols), values: Float64Array.from(outVals) };
  },

  /**
   * As umap-js, but the curve parameters (a, b) — a Levenberg–Marquardt fit, 30–180 ms — come from a cache keyed by
   * (spread, minDist): the stage fits four layouts with the same pair. Same numbers (the fit is deterministic).
   */
  initializeOptimization(this: UmapInternals & { spread: number; minDist: number; assignOptimizationStateParameters(p: object): void }): void {
    const s = this.optimizationState;
    const key = `${this.spread}:${this.minDist}`;
    let ab = abCache.get(key);
    if (!ab) abCache.set(key, (ab = findABParams(this.spread, this.minDist)));
    this.assignOptimizationStateParameters({
      headEmbedding: this.embedding,
      tailEmbedding: this.embedding,
      head: s.head,
      tail: s.tail,
      epochsPerSample: s.epochsPerSample,
      a: ab.a,
      b: ab.b,
      nEpochs: this.getNEpochs(),
      nVertices: this.graph.nCols,
    });
  },

  /** Only `transform()` uses the search graph, and TypedUmap does not support `transform()`. */
  makeSearchGraph(): null {
    return null;
  },

  /** As umap-js: random init in [-10, 10), then the edges that survive the max/nEpochs cut, ordered by (row, col). */
  initializeSimplicialSetEmbedding(this: UmapInternals): { head: number[]; tail: number[]; epochsPerSample: number[] } {
    const nEpochs = this.getNEpochs();
    const { nRows, rowStart, cols, values } = this.graph;
    let graphMax = 0;
    for (let e = 0; e < values.length; e++) if (graphMax < values[e]) graphMax = values[e];
    const embedding: number[][] = [];
    for (let i = 0; i < nRows; i++) {
      const row: number[] = [];
      for (let d = 0; d < this.nComponents; d++) row.push(this.random() * 20 + -10);
      embedding.push(row);
    }
    this.embedding = embedding;
    const weights: number[] = [];
    const head: number[] = [];
    const tail: number[] = [];
    for (let r = 0; r < nRows; r++) {
      for (let e = rowStart[r]; e < rowStart[r + 1]; e++) {
        const value = values[e] < graphMax / nEpochs ? 0 : values[e];
        if (value) {
          weights.push(value);
          tail.push(r);
          head.push(cols[e]);
        }
      }
    }
    return { head, tail, epochsPerSample: this.makeEpochsPerSample(weights, nEpochs) };
  },
};

/**
 * umap-js's UMAP with the slow parts of `initializeFit` replaced by typed-array equivalents that give **the same
 * numbers** (`test/umap.test.ts` checks the whole fit against stock umap-js): the fuzzy graph's `Map` keyed by
 * `"row:col"` strings (about 5 s at 10 000 points with precomputed neighbours) becomes CSR arrays, and the search
 * graph that only `transform()` uses is not built. N.B. `transform()` is therefore unavailable. The SGD epochs do
 * not run here but in the WebAssembly kernel (`wasm-kernels.mjs`), from the state `initializeFit` leaves.
 */
export class TypedUmap extends UMAP {}
Object.assign(TypedUmap.prototype, replacements);

/** umap-js wants `number[][]` neighbour lists; rows of the typed graph, converted once. */
function toNestedLists(graph: KnnGraph, k: number): { indices: number[][]; distances: number[][] } {
  const indices: number[][] = [];
  const distances: number[][] = [];
  for (let i = 0; i < graph.count; i++) {
    const base = i * graph.k;
    indices.push(Array.from(graph.indices.subarray(base, base + k)));
    distances.push(Array.from(graph.distances.subarray(base, base + k)));
  }
  return { indices, distances };
}

/** core's mulberry32 adds this to its state on every draw (`@tbpipe/core/random`). */
const MULBERRY32_INCREMENT = 0x6d2b79f5;

/**
 * The CPU-light half of a UMAP fit, in this thread: {@link TypedUmap}'s `initializeFit` (fuzzy graph, random init,
 * epoch schedule, curve parameters) from a precomputed neighbour graph (`includeSelf: true`, at least `nNeighbors`
 * per row), returned as a {@link LayoutJob}: plain typed arrays that the SGD kernel runs here or in a worker. The
 * init draws from `createRandom(seed)`; the job carries the generator's state after them, so the kernel's negative
 * sampling continues the very sequence umap-js would consume.
 */
export function prepareUmap(graph: KnnGraph, options: Omit<UmapOptions, 'onEpoch' | 'yieldEveryMillis' | 'exactPow' | 'kernel'>): LayoutJob {
  assertUmapInternals();
  const { nComponents, nNeighbors, minDist, seed } = options;
  if (graph.k < nNeighbors) throw new RangeError(`runUmap: graph has ${graph.k} neighbours per row, need ${nNeighbors}`);
  const draw = createRandom(seed);
  let draws = 0;
  const random: Random = () => {
    draws++;
    return draw();
  };
  const umap = new TypedUmap({ nComponents, nNeighbors, minDist, random, nEpochs: options.nEpochs ?? 0 });
  const { indices, distances } = toNestedLists(graph, nNeighbors);
  umap.setPrecomputedKNN(indices, distances);
  // Only X.length is read when neighbours are precomputed (the search graph for transform() is not built).
  const placeholder: number[][] = Array.from({ length: graph.count }, () => []);
  const nEpochs = umap.initializeFit(placeholder);
  const self = umap as unknown as UmapInternals & { negativeSampleRate: number };
  const s = self.optimizationState;
  const embedding = new Float64Array(graph.count * nComponents);
  self.embedding.forEach((row, i) => embedding.set(row, i * nComponents));
  return {
    head: Int32Array.from(s.head),
    tail: Int32Array.from(s.tail),
    epochsPerSample: Float64Array.from(s.epochsPerSample),
    embedding,
    vertices: s.nVertices,
    dim: nComponents,
    a: s.a,
    b: s.b,
    gamma: s.gamma,
    initialAlpha: s.initialAlpha,
    negativeSampleRate: self.negativeSampleRate,
    nEpochs,
    randomState: (seed + Math.imul(draws, MULBERRY32_INCREMENT)) >>> 0,
  };
}

/**
 * Embed a point set with UMAP (umap-js's algorithm) in this thread: {@link prepareUmap}, then the SGD epochs in the
 * WebAssembly kernel, in batches, yielding to the event loop every `yieldEveryMillis` so a progress bar and logs keep
 * flowing. With `exactPow` the result is stock umap-js's to the bit.
 *
 * @returns row-major Float32 n × nComponents coordinates.
 * @example
 * const graph = nearestNeighbors(x, n, d, 15, { includeSelf: true });
 * const xy = await runUmap(graph, { nComponents: 2, nNeighbors: 15, minDist: 0.1, seed: 0 });
 */
export async function runUmap(graph: KnnGraph, options: UmapOptions): Promise<Float32Array> {
  const job = prepareUmap(graph, options);
  const embedding = await runLayoutJob(job, {
    exactPow: options.exactPow,
    kernel: options.kernel,
    onEpoch: options.onEpoch,
    pause: yieldToEventLoop,
    budgetMillis: options.yieldEveryMillis ?? 50,
  });
  return Float32Array.from(embedding);
}
