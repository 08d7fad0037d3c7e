import { multiplyABt } from './kernels.ts';
import { knnCandidatesF32, knnCandidatesF32Fast } from './wasm-kernels.mjs';

/** The k nearest neighbours of every row: row-major n × k, nearest first. */
export interface KnnGraph {
  /** Rows n. */
  count: number;
  /** Neighbours per row. */
  k: number;
  /** Row indices of the neighbours, n × k. */
  indices: Int32Array;
  /** Euclidean distances to them, n × k, ascending per row, recomputed exactly (Float64, then rounded to Float32). */
  distances: Float32Array;
}

/** Options of {@link nearestNeighbors}. */
export interface KnnOptions {
  /**
   * Put each row first in its own list at distance 0 (what UMAP's fuzzy simplicial set expects: umap-learn and
   * umap-js both skip position 0 as "self"), followed by the k − 1 nearest other rows. Default false: k others.
   */
  includeSelf?: boolean;
  /** Rows per tile; two tiles (Float32) should fit in L2 together. Default 128. */
  tileRows?: number;
  /** Run the candidate search in the wasm kernel (same numbers, several times faster). Default true. */
  useWasm?: boolean;
  /**
   * With `useWasm`: search float32 candidates first (`knnF32Fast`, about twice as fast), then rank them with the
   * Float64 numbers — the same neighbours and distances as the Float64 search (tested), see {@link nearestNeighbors}.
   * Default true; false runs the Float64 search over every pair.
   */
  float32Candidates?: boolean;
}

/** Extra float32 candidates per row beyond the k asked for: room for float32 rounding to reorder the k-th. */
const FLOAT32_MARGIN = 8;

const squaredNorms = (x: Float32Array, n: number, d: number): Float64Array => {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = i * d, e = j + d; j < e; j++) s += x[j] * x[j];
    out[i] = s;
  }
  return out;
};

/** Insert (dist, idx) into the sorted row `r` of (bestD, bestI) if it beats the current k-th; ties go to the lower index. */
function offer(bestD: Float64Array, bestI: Int32Array, r: number, k: number, dist: number, idx: number): void {
  const base = r * k;
  let p = base + k - 1;
  if (dist > bestD[p] || (dist === bestD[p] && idx > bestI[p])) return;
  while (p > base && (bestD[p - 1] > dist || (bestD[p - 1] === dist && bestI[p - 1] > idx))) {
    bestD[p] = bestD[p - 1];
    bestI[p] = bestI[p - 1];
    p--;
  }
  bestD[p] = dist;
  bestI[p] = idx;
}

/** The Float64 search's squared distance of rows i and j: ‖i‖² + ‖j‖² − 2·(i·j summed in order), clamped at 0. */
function expandedDistance(x: Float32Array, d: number, norms: Float64Array, i: number, j: number): number {
  let dot = 0;
  for (let a = i * d, b = j * d, e = a + d; a < e; a++, b++) dot += x[a] * x[b];
  const dist = norms[i] + norms[j] - 2 * dot;
  return dist < 0 ? 0 : dist;
}

/**
 * The Float64 search's candidate lists by way of float32: the wasm float32 search keeps k + FLOAT32_MARGIN candidates
 * per row, which are ranked here by the Float64 search's own numbers (the same sums in the same order, so a pair gets
 * the same distance as in the full search). Float32 rounding moves a squared distance by at most about
 * 2(d + 5)·2⁻²⁴·(‖i‖² + ‖j‖²); when a row's k-th Float64 distance is not below its last float32 candidate's minus
 * twice that bound for the largest norm, a row outside the candidates could have made the cut, and the row is
 * searched over every pair instead (rare: float32 keeps six to seven digits, neighbours are rarely that close).
 */
function candidatesViaFloat32(x: Float32Array, n: number, d: number, others: number, norms: Float64Array, tile: number): { bestD: Float64Array; bestI: Int32Array } {
  const wide = Math.min(n - 1, others + FLOAT32_MARGIN);
  const { bestD: cutD, bestI: candidates } = knnCandidatesF32Fast(x, n, d, wide, Float32Array.from(norms), tile);
  const bestD = new Float64Array(n * others).fill(Infinity);
  const bestI = new Int32Array(n * others).fill(0x7fffffff);
  let maxNorm = 0;
  for (let i = 0; i < n; i++) if (norms[i] > maxNorm) maxNorm = norms[i];
  const factor = 2 * (d + 8) * 2 ** -24;
  for (let i = 0; i < n; i++) {
    for (let m = 0; m < wide; m++) {
      const j = candidates[i * wide + m];
      offer(bestD, bestI, i, others, expandedDistance(x, d, norms, i, j), j);
    }
    if (wide === n - 1) continue;
    if (bestD[i * others + others - 1] < cutD[i * wide + wide - 1] - factor * (norms[i] + maxNorm)) continue;
    bestD.fill(Infinity, i * others, (i + 1) * others);
    bestI.fill(0x7fffffff, i * others, (i + 1) * others);
    for (let j = 0; j < n; j++) if (j !== i) offer(bestD, bestI, i, others, expandedDistance(x, d, norms, i, j), j);
  }
  return { bestD, bestI };
}

/**
 * Exact k-nearest-neighbour search by brute force (Euclidean), for n rows of width d (row-major Float32).
 *
 * Squared distances come from ‖a‖² + ‖b‖² − 2a·b over pairs of row tiles, each tile pair computed once and offered
 * to both sides (half the multiply-adds of the full n² matrix); candidates go into a per-row sorted list of k
 * (a partial insertion sort: almost every candidate fails the first comparison). The expanded form loses precision
 * for near-duplicates, so the final k distances are recomputed directly and the lists re-sorted by (distance,
 * index). Deterministic: fixed arithmetic order, ties to the lower row index.
 *
 * Cost: n²·d/2 multiply-adds, in float32 SIMD by default (`float32Candidates`), then n·(k + 8)·d in Float64 to rank
 * the candidates; 10 000 × 50 took ~0.3 s in steady state here (the Float64 search over every pair ~0.8 s).
 */
export function nearestNeighbors(x: Float32Array, n: number, d: number, k: number, options: KnnOptions = {}): KnnGraph {
  const includeSelf = options.includeSelf ?? false;
  const others = includeSelf ? k - 1 : k;
  if (x.length !== n * d) throw new RangeError(`nearestNeighbors: ${x.length} values for ${n} × ${d}`);
  if (!Number.isInteger(k) || k < 1 || others > n - 1) throw new RangeError(`nearestNeighbors: k = ${k} for ${n} rows`);
  const tile = options.tileRows ?? 128;
  const norms = squaredNorms(x, n, d);
  // The tile-pair loop below runs in wasm (knnF32: f64x2 lanes, each summing one pair's dot in the same order, so
  // the same numbers); `useWasm: false` keeps the JavaScript loop, which the tests compare it with.
  let bestD: Float64Array;
  let bestI: Int32Array;
  if (others > 0 && (options.useWasm ?? true)) {
    ({ bestD, bestI } = (options.float32Candidates ?? true) ? candidatesViaFloat32(x, n, d, others, norms, tile) : knnCandidatesF32(x, n, d, others, norms, tile));
  } else {
    bestD = new Float64Array(n * Math.max(others, 1)).fill(Infinity);
    bestI = new Int32Array(n * Math.max(others, 1)).fill(0x7fffffff);
  }
  const dots = new Float64Array(tile * tile);
  if (others > 0 && !(options.useWasm ?? true)) {
    for (let i0 = 0; i0 < n; i0 += tile) {
      const ri = Math.min(tile, n - i0);
      for (let j0 = i0; j0 < n; j0 += tile) {
        const rj = Math.min(tile, n - j0);
        multiplyABt(x, i0 * d, ri, x, j0 * d, rj, d, dots);
        for (let a = 0; a < ri; a++) {
          const i = i0 + a;
          const ni = norms[i];
          const thresholdI = i * others + others - 1;
          for (let b = j0 === i0 ? a + 1 : 0; b < rj; b++) {
            const j = j0 + b;
            let dist = ni + norms[j] - 2 * dots[a * rj + b];
            if (dist < 0) dist = 0;
            if (dist <= bestD[thresholdI]) offer(bestD, bestI, i, others, dist, j);
            if (dist <= bestD[j * others + others - 1]) offer(bestD, bestI, j, others, dist, i);
          }
        }
      }
    }
  }
  const indices = new Int32Array(n * k);
  const distances = new Float32Array(n * k);
  const rowD = new Float64Array(others);
  const order: number[] = [];
  for (let i = 0; i < n; i++) {
    const out = i * k;
    let o = out;
    if (includeSelf) {
      indices[o] = i;
      distances[o] = 0;
      o++;
    }
    order.length = 0;
    for (let m = 0; m < others; m++) {
      const j = bestI[i * others + m];
      let s = 0;
      for (let a = i * d, b = j * d, e = a + d; a < e; a++, b++) {
        const diff = x[a] - x[b];
        s += diff * diff;
      }
      rowD[m] = Math.sqrt(s);
      order.push(m);
    }
    order.sort((p, q) => rowD[p] - rowD[q] || bestI[i * others + p] - bestI[i * others + q]);
    for (const m of order) {
      indices[o] = bestI[i * others + m];
      distances[o] = rowD[m];
      o++;
    }
  }
  return { count: n, k, indices, distances };
}
