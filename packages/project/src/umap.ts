import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { UMAP } from 'umap-js';
import type { Random } from '@tbpipe/core/random';
import type { KnnGraph } from './knn.ts';

/** Options of {@link runUmap}. */
export interface UmapOptions {
  /** Output dimensions: 2 or 3. */
  nComponents: number;
  /** Neighbours of the fuzzy graph (umap-learn's `n_neighbors`); the graph must hold this many per row, self first. */
  nNeighbors: number;
  /** Minimum distance between embedded points (umap-learn's `min_dist`), in [0, spread]. */
  minDist: number;
  /** Seeded uniform source: random init and negative sampling. With it the output is byte-identical across runs. */
  random: Random;
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

const REPLACED = ['fuzzySimplicialSet', 'makeSearchGraph', 'initializeSimplicialSetEmbedding', 'optimizeLayoutStep'] as const;
const USED = ['smoothKNNDistance', 'computeMembershipStrengths', 'makeEpochsPerSample', 'getNEpochs', 'initializeFit', 'step'] as const;

function assertUmapInternals(): void {
  const proto = UMAP.prototype as unknown as Record<string, unknown>;
  const missing = [...REPLACED, ...USED].filter((name) => typeof proto[name] !== 'function');
  if (missing.length > 0) {
    throw new Error(`umap-js internals changed (missing ${missing.join(', ')}); @tbpipe/project is written against umap-js 1.4.0`);
  }
}

interface TypedState {
  head: Int32Array;
  tail: Int32Array;
  epochsPerSample: Float64Array;
  epochOfNextSample: Float64Array;
  epochOfNextNegativeSample: Float64Array;
  epochsPerNegativeSample: Float64Array;
  embedding: Float64Array;
}

const typedStates = new WeakMap<object, TypedState>();

/** The optimisation state as typed arrays, converted once from umap-js's arrays on the first epoch. */
function typedState(self: UmapInternals): TypedState {
  let t = typedStates.get(self);
  if (t) return t;
  const s = self.optimizationState;
  const dim = self.nComponents;
  const rows = self.embedding;
  const embedding = new Float64Array(rows.length * dim);
  for (let i = 0; i < rows.length; i++) for (let d = 0; d < dim; d++) embedding[i * dim + d] = rows[i][d];
  t = {
    head: Int32Array.from(s.head),
    tail: Int32Array.from(s.tail),
    epochsPerSample: Float64Array.from(s.epochsPerSample),
    epochOfNextSample: Float64Array.from(s.epochOfNextSample),
    epochOfNextNegativeSample: Float64Array.from(s.epochOfNextNegativeSample),
    epochsPerNegativeSample: Float64Array.from(s.epochsPerNegativeSample),
    embedding,
  };
  typedStates.set(self, t);
  return t;
}

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

  /** As umap-js's epoch n of SGD (attraction along due edges, `negativeSampleRate` repulsions each), on typed arrays. */
  optimizeLayoutStep(this: UmapInternals, n: number): number[][] {
    const t = typedState(this);
    const s = this.optimizationState;
    const random = this.random;
    const { head, tail, epochsPerSample, epochOfNextSample, epochOfNextNegativeSample, epochsPerNegativeSample } = t;
    const emb = t.embedding;
    const { moveOther, alpha, gamma, a, b, dim, nVertices } = s;
    const clipValue = 4.0;
    const edges = epochsPerSample.length;
    for (let i = 0; i < edges; i++) {
      if (epochOfNextSample[i] > n) continue;
      const j = head[i];
      const k = tail[i];
      const cj = j * dim;
      const ok = k * dim;
      let distSquared = 0.0;
      for (let d = 0; d < dim; d++) distSquared += Math.pow(emb[cj + d] - emb[ok + d], 2);
      let gradCoeff = 0;
      if (distSquared > 0) {
        gradCoeff = -2.0 * a * b * Math.pow(distSquared, b - 1.0);
        gradCoeff /= a * Math.pow(distSquared, b) + 1.0;
      }
      for (let d = 0; d < dim; d++) {
        let gradD = gradCoeff * (emb[cj + d] - emb[ok + d]);
        gradD = gradD > clipValue ? clipValue : gradD < -clipValue ? -clipValue : gradD;
        emb[cj + d] += gradD * alpha;
        if (moveOther) emb[ok + d] += -gradD * alpha;
      }
      epochOfNextSample[i] += epochsPerSample[i];
      const nNegSamples = Math.floor((n - epochOfNextNegativeSample[i]) / epochsPerNegativeSample[i]);
      for (let p = 0; p < nNegSamples; p++) {
        const k1 = Math.floor(random() * nVertices);
        const o1 = k1 * dim;
        let distSquared1 = 0.0;
        for (let d = 0; d < dim; d++) distSquared1 += Math.pow(emb[cj + d] - emb[o1 + d], 2);
        let gradCoeff1 = 0.0;
        if (distSquared1 > 0.0) {
          gradCoeff1 = 2.0 * gamma * b;
          gradCoeff1 /= (0.001 + distSquared1) * (a * Math.pow(distSquared1, b) + 1);
        } else if (j === k1) {
          continue;
        }
        for (let d = 0; d < dim; d++) {
          let gradD = 4.0;
          if (gradCoeff1 > 0.0) {
            gradD = gradCoeff1 * (emb[cj + d] - emb[o1 + d]);
            gradD = gradD > clipValue ? clipValue : gradD < -clipValue ? -clipValue : gradD;
          }
          emb[cj + d] += gradD * alpha;
        }
      }
      epochOfNextNegativeSample[i] += nNegSamples * epochsPerNegativeSample[i];
    }
    s.alpha = s.initialAlpha * (1.0 - n / s.nEpochs);
    s.currentEpoch += 1;
    return this.embedding;
  },
};

/**
 * umap-js's UMAP with its slow internals replaced by typed-array equivalents that give **the same bytes**
 * (`test/umap.test.ts` checks it against stock umap-js). What changes is speed at 10 000 points: the fuzzy graph's
 * `Map` keyed by `"row:col"` strings (about 5 s of `initializeFit` with precomputed neighbours) becomes CSR arrays,
 * the search graph that only `transform()` uses is not built, and each SGD epoch runs over typed arrays instead of
 * `number[][]`. N.B. `transform()` is therefore unavailable; it is poor in umap-js anyway (../shared/MEASUREMENTS.md).
 */
export class TypedUmap extends UMAP {
  /** The embedding as row-major Float64 n × nComponents (valid after `initializeFit`). */
  getEmbeddingTyped(): Float64Array {
    return typedState(this as unknown as UmapInternals).embedding;
  }

  override getEmbedding(): number[][] {
    const self = this as unknown as UmapInternals;
    const t = typedStates.get(self);
    if (t) {
      const dim = self.nComponents;
      for (let i = 0; i < self.embedding.length; i++) for (let d = 0; d < dim; d++) self.embedding[i][d] = t.embedding[i * dim + d];
    }
    return super.getEmbedding();
  }
}
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

/**
 * Embed a point set with UMAP (umap-js's algorithm via {@link TypedUmap}) from a precomputed neighbour graph
 * (`includeSelf: true`, at least `nNeighbors` per row): `initializeFit`, then `step()` per epoch, yielding to the
 * event loop every `yieldEveryMillis` so a progress bar and logs keep flowing.
 *
 * @returns row-major Float32 n × nComponents coordinates.
 * @example
 * const graph = nearestNeighbors(x, n, d, 15, { includeSelf: true });
 * const xy = await runUmap(graph, { nComponents: 2, nNeighbors: 15, minDist: 0.1, random: createRandom(0) });
 */
export async function runUmap(graph: KnnGraph, options: UmapOptions): Promise<Float32Array> {
  assertUmapInternals();
  const { nComponents, nNeighbors, minDist, random } = options;
  if (graph.k < nNeighbors) throw new RangeError(`runUmap: graph has ${graph.k} neighbours per row, need ${nNeighbors}`);
  const umap = new TypedUmap({ nComponents, nNeighbors, minDist, random, nEpochs: options.nEpochs ?? 0 });
  const { indices, distances } = toNestedLists(graph, nNeighbors);
  umap.setPrecomputedKNN(indices, distances);
  // Only X.length is read when neighbours are precomputed (the search graph for transform() is not built).
  const placeholder: number[][] = Array.from({ length: graph.count }, () => []);
  const nEpochs = umap.initializeFit(placeholder);
  const budget = options.yieldEveryMillis ?? 50;
  let since = performance.now();
  for (let epoch = 0; epoch < nEpochs; ) {
    epoch = umap.step();
    options.onEpoch?.(epoch, nEpochs);
    if (performance.now() - since >= budget) {
      await yieldToEventLoop();
      since = performance.now();
    }
  }
  return Float32Array.from(umap.getEmbeddingTyped());
}
