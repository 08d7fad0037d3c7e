import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { findABParams } from 'umap-js/dist/umap.js';
import { createRandom } from '@tbpipe/core/random';
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
  /** The SGD kernel (see wasm-kernels.d.mts): `lanes` (default), `streams` or `sequential`. */
  kernel?: 'lanes' | 'streams' | 'sequential';
  /** Epochs; default 0 = umap-js's rule (500 up to 2 500 points, 400 / 300 / 200 above 2 500 / 5 000 / 7 500). */
  nEpochs?: number;
  /** Called after each epoch (1-based count) with the total. */
  onEpoch?: (epoch: number, nEpochs: number) => void;
  /** Yield to the event loop when an epoch batch has run this long, so logs and progress keep flowing; default 50 ms. */
  yieldEveryMillis?: number;
}

// umap-js 1.4.0's defaults and constants that the preparation below reproduces (umap.js: SMOOTH_K_TOLERANCE,
// MIN_K_DIST_SCALE, and the constructor's localConnectivity, setOpMixRatio, spread, learningRate,
// repulsionStrength, negativeSampleRate). test/umap.test.ts checks whole fits against stock umap-js bit for bit.
const SMOOTH_K_TOLERANCE = 1e-5;
const MIN_K_DIST_SCALE = 1e-3;
const LOCAL_CONNECTIVITY = 1.0;
const SET_OP_MIX_RATIO = 1.0;
const SPREAD = 1.0;
const LEARNING_RATE = 1.0;
const REPULSION_STRENGTH = 1.0;
const NEGATIVE_SAMPLE_RATE = 5;

/** umap-js's epoch rule (`getNEpochs`): 500 up to 2 500 points, then 400 / 300 / 200. */
export const umapEpochs = (n: number): number => (n <= 2500 ? 500 : n <= 5000 ? 400 : n <= 7500 ? 300 : 200);

/**
 * findABParams results by `${spread}:${minDist}`: a Levenberg–Marquardt fit of 50–270 ms, deterministic, so cached;
 * the stage's default pair is known in advance (`test/umap.test.ts` checks it against umap-js's fit) and costs no fit.
 */
export const KNOWN_CURVE_PARAMETERS: ReadonlyMap<string, { a: number; b: number }> = new Map([['1:0.1', { a: 1.5694704762346365, b: 0.8941996053733949 }]]);
const abCache = new Map<string, { a: number; b: number }>(KNOWN_CURVE_PARAMETERS);

function curveParameters(minDist: number): { a: number; b: number } {
  const key = `${SPREAD}:${minDist}`;
  let ab = abCache.get(key);
  if (!ab) abCache.set(key, (ab = findABParams(SPREAD, minDist)));
  return ab;
}

/**
 * umap-js's `smoothKNNDistance` on the typed graph (its first k entries per row, self first): per row the distance
 * to the nearest non-zero neighbour (rho) and the bandwidth sigma found by bisection — the same operations in the
 * same order, so the same numbers.
 */
function smoothKnnDistances(graph: KnnGraph, k: number): { sigmas: Float64Array; rhos: Float64Array } {
  const n = graph.count;
  const target = Math.log(k) / Math.log(2);
  const rhos = new Float64Array(n);
  const sigmas = new Float64Array(n);
  const d = graph.distances;
  const rowMean = (i: number): number => {
    let sum = d[i * graph.k];
    for (let j = 1; j < k; j++) sum += d[i * graph.k + j];
    return sum / k;
  };
  let meanOfMeans: number | undefined;
  for (let i = 0; i < n; i++) {
    const base = i * graph.k;
    // localConnectivity 1: rho is the first non-zero distance (interpolation 0), 0 if there is none.
    for (let j = 0; j < k; j++) {
      if (d[base + j] > 0) {
        rhos[i] = d[base + j];
        break;
      }
    }
    const rho = rhos[i];
    let lo = 0.0;
    let hi = Infinity;
    let mid = 1.0;
    for (let iter = 0; iter < 64; iter++) {
      let psum = 0.0;
      for (let j = 1; j < k; j++) {
        const dist = d[base + j] - rho;
        psum += dist > 0 ? Math.exp(-(dist / mid)) : 1.0;
      }
      if (Math.abs(psum - target) < SMOOTH_K_TOLERANCE) break;
      if (psum > target) {
        hi = mid;
        mid = (lo + hi) / 2.0;
      } else {
        lo = mid;
        mid = hi === Infinity ? mid * 2 : (lo + hi) / 2.0;
      }
    }
    let sigma = mid;
    if (rho > 0.0) {
      const m = rowMean(i);
      if (sigma < MIN_K_DIST_SCALE * m) sigma = MIN_K_DIST_SCALE * m;
    } else {
      if (meanOfMeans === undefined) {
        let sum = rowMean(0);
        for (let r = 1; r < n; r++) sum += rowMean(r);
        meanOfMeans = sum / n;
      }
      if (sigma < MIN_K_DIST_SCALE * meanOfMeans) sigma = MIN_K_DIST_SCALE * meanOfMeans;
    }
    sigmas[i] = sigma;
  }
  return { sigmas, rhos };
}

/** The symmetric fuzzy graph in CSR form, rows sorted by column: what umap-js keeps in a `Map` keyed by "row:col". */
interface FuzzyGraph {
  rowStart: Int32Array;
  cols: Int32Array;
  values: Float64Array;
}

/**
 * umap-js's `fuzzySimplicialSet` from precomputed neighbours: membership strengths S (umap-js's
 * `computeMembershipStrengths`), then the fuzzy union S + Sᵀ − S∘Sᵀ mixed by set_op_mix_ratio, in CSR by (row, col).
 * A duplicate neighbour in a row keeps its last strength, as umap-js's Map does.
 */
function fuzzyGraph(graph: KnnGraph, k: number): FuzzyGraph {
  const n = graph.count;
  const { sigmas, rhos } = smoothKnnDistances(graph, k);
  // S row by row, sorted by column (ties: the later entry wins).
  const sCols = new Int32Array(n * k);
  const sVals = new Float64Array(n * k);
  const sStart = new Int32Array(n + 1);
  const order = new Int32Array(k);
  for (let i = 0; i < n; i++) {
    const base = i * graph.k;
    for (let j = 0; j < k; j++) order[j] = j;
    order.sort((p, q) => graph.indices[base + p] - graph.indices[base + q] || p - q);
    let m = sStart[i];
    for (let t = 0; t < k; t++) {
      const j = order[t];
      const col = graph.indices[base + j];
      if (col === -1) continue;
      const dist = graph.distances[base + j];
      const val = col === i ? 0.0 : dist - rhos[i] <= 0.0 ? 1.0 : Math.exp(-((dist - rhos[i]) / sigmas[i]));
      if (m > sStart[i] && sCols[m - 1] === col) sVals[m - 1] = val;
      else {
        sCols[m] = col;
        sVals[m] = val;
        m++;
      }
    }
    sStart[i + 1] = m;
  }
  // Sᵀ by counting sort: row c holds (r, S(r, c)) for increasing r.
  const tStart = new Int32Array(n + 1);
  for (let e = 0; e < sStart[n]; e++) tStart[sCols[e] + 1]++;
  for (let c = 0; c < n; c++) tStart[c + 1] += tStart[c];
  const tCols = new Int32Array(sStart[n]);
  const tVals = new Float64Array(sStart[n]);
  const fill = tStart.slice(0, n);
  for (let r = 0; r < n; r++) {
    for (let e = sStart[r]; e < sStart[r + 1]; e++) {
      const at = fill[sCols[e]]++;
      tCols[at] = r;
      tVals[at] = sVals[e];
    }
  }
  // Merge S and Sᵀ row by row.
  const rowStart = new Int32Array(n + 1);
  const cols = new Int32Array(2 * sStart[n]);
  const values = new Float64Array(2 * sStart[n]);
  let out = 0;
  for (let r = 0; r < n; r++) {
    let p = sStart[r];
    let q = tStart[r];
    const pEnd = sStart[r + 1];
    const qEnd = tStart[r + 1];
    while (p < pEnd || q < qEnd) {
      const pc = p < pEnd ? sCols[p] : n;
      const qc = q < qEnd ? tCols[q] : n;
      const c = pc < qc ? pc : qc;
      const a = pc === c ? sVals[p++] : 0;
      const b = qc === c ? tVals[q++] : 0;
      const prod = a * b;
      // umap-js: add(multiplyScalar(subtract(add(S, T), S∘T), mix), multiplyScalar(S∘T, 1 − mix)), in that order.
      values[out] = (a + b - prod) * SET_OP_MIX_RATIO + prod * (1.0 - SET_OP_MIX_RATIO);
      cols[out++] = c;
    }
    rowStart[r + 1] = out;
  }
  return { rowStart, cols: cols.slice(0, out), values: values.slice(0, out) };
}

/** What a fit needs from the graph alone (no seed, no dimension): umap-js's edges and their sampling schedule. */
interface Schedule {
  head: Int32Array;
  tail: Int32Array;
  epochsPerSample: Float64Array;
  nEpochs: number;
}

/**
 * umap-js's `initializeSimplicialSetEmbedding` edge selection and `makeEpochsPerSample`: the edges whose strength
 * survives the max/nEpochs cut, ordered by (row, col), tail = row.
 */
function schedule(g: FuzzyGraph, n: number, nEpochs: number): Schedule {
  let graphMax = 0;
  for (let e = 0; e < g.values.length; e++) if (graphMax < g.values[e]) graphMax = g.values[e];
  const head: number[] = [];
  const tail: number[] = [];
  const weights: number[] = [];
  for (let r = 0; r < n; r++) {
    for (let e = g.rowStart[r]; e < g.rowStart[r + 1]; e++) {
      const value = g.values[e] < graphMax / nEpochs ? 0 : g.values[e];
      if (value) {
        weights.push(value);
        tail.push(r);
        head.push(g.cols[e]);
      }
    }
  }
  let max = 0;
  for (const w of weights) max = w > max ? w : max;
  const epochsPerSample = new Float64Array(weights.length);
  for (let i = 0; i < weights.length; i++) {
    const samples = (weights[i] / max) * nEpochs;
    epochsPerSample[i] = samples > 0 ? nEpochs / samples : -1.0;
  }
  return { head: Int32Array.from(head), tail: Int32Array.from(tail), epochsPerSample, nEpochs };
}

/** Schedules by graph and `${nNeighbors}:${nEpochs}`: a source's 2-D and 3-D fits share theirs. */
const schedules = new WeakMap<KnnGraph, Map<string, Schedule>>();

function scheduleFor(graph: KnnGraph, nNeighbors: number, nEpochs: number): Schedule {
  let byKey = schedules.get(graph);
  if (!byKey) schedules.set(graph, (byKey = new Map()));
  const key = `${nNeighbors}:${nEpochs}`;
  let s = byKey.get(key);
  if (!s) byKey.set(key, (s = schedule(fuzzyGraph(graph, nNeighbors), graph.count, nEpochs)));
  return s;
}

/** core's mulberry32 adds this to its state on every draw (`@tbpipe/core/random`). */
const MULBERRY32_INCREMENT = 0x6d2b79f5;

/**
 * The CPU-light half of a UMAP fit, in this thread: what umap-js's `initializeFit` computes from precomputed
 * neighbours (fuzzy graph, edge schedule, random init, curve parameters), on typed arrays with the same numbers
 * (`test/umap.test.ts` checks whole fits against stock umap-js), as a {@link LayoutJob} that the SGD kernel runs here
 * or in a worker. The graph's schedule is computed once and shared by every fit of the same graph, neighbours and
 * epochs (a source's 2-D and 3-D fits). The init draws from `createRandom(seed)`; the job carries the generator's
 * state after them, so the kernel's negative sampling continues the very sequence umap-js would consume.
 * `graph` must have `includeSelf: true` and at least `nNeighbors` per row.
 */
export function prepareUmap(graph: KnnGraph, options: Omit<UmapOptions, 'onEpoch' | 'yieldEveryMillis' | 'exactPow' | 'kernel'>): LayoutJob {
  const { nComponents, nNeighbors, minDist, seed } = options;
  if (graph.k < nNeighbors) throw new RangeError(`runUmap: graph has ${graph.k} neighbours per row, need ${nNeighbors}`);
  const nEpochs = options.nEpochs || umapEpochs(graph.count);
  const s = scheduleFor(graph, nNeighbors, nEpochs);
  // umap-js's random init: uniform in [-10, 10), row by row.
  const random = createRandom(seed);
  const embedding = new Float64Array(graph.count * nComponents);
  for (let i = 0; i < embedding.length; i++) embedding[i] = random() * 20 + -10;
  const { a, b } = curveParameters(minDist);
  return {
    head: s.head,
    tail: s.tail,
    epochsPerSample: s.epochsPerSample,
    embedding,
    vertices: graph.count,
    dim: nComponents,
    a,
    b,
    gamma: REPULSION_STRENGTH,
    initialAlpha: LEARNING_RATE,
    negativeSampleRate: NEGATIVE_SAMPLE_RATE,
    nEpochs,
    randomState: (seed + Math.imul(embedding.length, MULBERRY32_INCREMENT)) >>> 0,
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
