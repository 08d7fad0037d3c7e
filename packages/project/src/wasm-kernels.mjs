// The project stage's WebAssembly kernels (wasm/project.wasm, from wasm/assembly/) and their loader. Plain JavaScript
// (types in wasm-kernels.d.mts) so that a worker thread can run UMAP's SGD without registering tsx: a bare worker
// starts in tens of milliseconds, one with tsx and the TypeScript modules took about a second on this machine.
import { readFileSync } from 'node:fs';

/** @type {WebAssembly.Module | undefined} */
let compiled;

/** A fresh instance of wasm/project.wasm (its own memory); the module is compiled once per thread. */
function instantiate() {
  compiled ??= new WebAssembly.Module(readFileSync(new URL('../wasm/project.wasm', import.meta.url)));
  return new WebAssembly.Instance(compiled, { env: { pow: Math.pow } }).exports;
}

const align = (n) => (n + 15) & ~15;

/** Rows per call of the long-running kernels (even: mulABtF32F64 works on row pairs). */
const CHUNK_ROWS = 32;

/**
 * Fill the kernel's pow tables for exponent `y` at `table` (see `tablePow` in wasm/assembly/umap.ts): 2^((e − 1023)·y)
 * for every biased exponent e, then (m_i^y, m_{i+1}^y − m_i^y) for m_i = 1 + i/256. Math.pow: V8's, deterministic.
 */
function fillPowTable(buffer, table, y) {
  const t = new Float64Array(buffer, table, 2048 + 512);
  for (let e = 0; e < 2048; e++) t[e] = Math.pow(2, (e - 1023) * y);
  for (let i = 0; i < 256; i++) {
    const lo = Math.pow(1 + i / 256, y);
    t[2048 + 2 * i] = lo;
    t[2048 + 2 * i + 1] = Math.pow(1 + (i + 1) / 256, y) - lo;
  }
}

function ensureBytes(w, end) {
  const pages = Math.ceil(end / 65536) - w.memory.buffer.byteLength / 65536;
  if (pages > 0) w.memory.grow(pages);
}

/** fillPowTable's float32 version for the stream kernel (`pow32` in wasm/assembly/umap-streams.ts): 256 exponents. */
function fillPowTable32(buffer, table, y) {
  const t = new Float32Array(buffer, table, 256 + 512);
  for (let e = 0; e < 256; e++) t[e] = Math.pow(2, (e - 127) * y);
  for (let i = 0; i < 256; i++) {
    const lo = Math.pow(1 + i / 256, y);
    t[256 + 2 * i] = lo;
    t[256 + 2 * i + 1] = Math.pow(1 + (i + 1) / 256, y) - lo;
  }
}

/** Lay out a job's schedule (head, tail, umap-js's per-edge epochs) from `at`; returns the offsets and the end. */
function layoutSchedule(w, job, at) {
  const edges = job.head.length;
  const headAt = align(at);
  const tailAt = align(headAt + 4 * edges);
  const epsAt = align(tailAt + 4 * edges);
  const nextAt = epsAt + 8 * edges;
  const nextNegAt = nextAt + 8 * edges;
  const epsNegAt = nextNegAt + 8 * edges;
  return { edges, headAt, tailAt, epsAt, nextAt, nextNegAt, epsNegAt, end: epsNegAt + 8 * edges };
}

/** Write the schedule, `epochOfNext…` initialised as umap-js's `prepareForOptimizationLoop` does. */
function writeSchedule(buf, job, l) {
  new Int32Array(buf, l.headAt, l.edges).set(job.head);
  new Int32Array(buf, l.tailAt, l.edges).set(job.tail);
  const eps = new Float64Array(buf, l.epsAt, l.edges);
  eps.set(job.epochsPerSample);
  new Float64Array(buf, l.nextAt, l.edges).set(eps);
  const epsNeg = new Float64Array(buf, l.epsNegAt, l.edges);
  for (let i = 0; i < l.edges; i++) epsNeg[i] = eps[i] / job.negativeSampleRate;
  new Float64Array(buf, l.nextNegAt, l.edges).set(epsNeg);
}

function optimizerState(job, step, read) {
  let state = job.randomState >>> 0;
  let epoch = 0;
  return {
    nEpochs: job.nEpochs,
    get epoch() {
      return epoch;
    },
    run(to) {
      const end = Math.min(to, job.nEpochs);
      if (end <= epoch) return epoch;
      state = step(epoch, end, state) >>> 0;
      epoch = end;
      return epoch;
    },
    embedding: read,
    get randomState() {
      return state;
    },
  };
}

/**
 * The float32 kernels: `lanes` (eight streams in SIMD lanes, wasm/assembly/umap-lanes.ts; one scratch point after
 * the embedding) or `streams` (four interleaved streams, wasm/assembly/umap-streams.ts). Same arguments and memory.
 */
function createStreamOptimizer(job, lanes) {
  const w = instantiate();
  const tablesAt = align(w.heapBase());
  const tableBytes = w.powTable32Bytes();
  const l = layoutSchedule(w, job, tablesAt + 2 * tableBytes);
  const listAt = align(l.end);
  const countsAt = align(listAt + 4 * l.edges);
  const dueAt = align(countsAt + 4 * l.edges);
  const embAt = align(dueAt + 4 * (l.edges + 4));
  // lanes: one epoch's negative-sample draws. An edge due at epoch n draws fewer than 2·rate + 1 samples (its last
  // visit was at most ceil(epochsPerSample) < 2·epochsPerSample epochs before), and the kernel pads 16 past the end.
  if (lanes && !(job.negativeSampleRate <= 6)) throw new RangeError(`lanes kernel: negativeSampleRate ${job.negativeSampleRate}, expected at most 6`);
  const drawsAt = align(embAt + 16 * (job.vertices + 1));
  // lanes: the schedule as one record per edge (next sample, per sample, next negative sample, per negative sample).
  const recordsAt = align(drawsAt + (lanes ? 4 * ((2 * job.negativeSampleRate + 1) * l.edges + 32) : 0));
  ensureBytes(w, recordsAt + (lanes ? 32 * l.edges : 0));
  const buf = w.memory.buffer;
  fillPowTable32(buf, tablesAt, job.b);
  fillPowTable32(buf, tablesAt + tableBytes, job.b - 1);
  writeSchedule(buf, job, l);
  if (lanes) {
    const records = new Float64Array(buf, recordsAt, 4 * l.edges);
    const eps = new Float64Array(buf, l.epsAt, l.edges);
    const epsNeg = new Float64Array(buf, l.epsNegAt, l.edges);
    for (let i = 0; i < l.edges; i++) {
      records[4 * i] = eps[i];
      records[4 * i + 1] = eps[i];
      records[4 * i + 2] = epsNeg[i];
      records[4 * i + 3] = epsNeg[i];
    }
  }
  // ceil(epochOfNextSample) per edge, padded with never-due entries to a multiple of 4 (the kernel's scan).
  const due = new Int32Array(buf, dueAt, l.edges + 4).fill(0x7fffffff);
  for (let i = 0; i < l.edges; i++) due[i] = Math.ceil(job.epochsPerSample[i]);
  const { vertices, dim } = job;
  const points = new Float32Array(buf, embAt, 4 * (vertices + 1)).fill(0);
  for (let i = 0; i < vertices; i++) for (let d = 0; d < dim; d++) points[4 * i + d] = job.embedding[i * dim + d];
  return optimizerState(
    job,
    // prettier-ignore
    (from, to, state) => lanes
      ? w.optimizeLanes(l.headAt, l.tailAt, recordsAt, embAt, listAt, countsAt, dueAt,
        l.edges, vertices, dim, job.a, job.b, job.gamma, job.initialAlpha, job.nEpochs, from, to, state, tablesAt, drawsAt)
      : w.optimizeStreams(l.headAt, l.tailAt, l.epsAt, l.nextAt, l.nextNegAt, l.epsNegAt, embAt, listAt, countsAt, dueAt,
        l.edges, vertices, dim, job.a, job.b, job.gamma, job.initialAlpha, job.nEpochs, from, to, state, tablesAt),
    () => {
      const p = new Float32Array(w.memory.buffer, embAt, 4 * vertices);
      const out = new Float64Array(vertices * dim);
      for (let i = 0; i < vertices; i++) for (let d = 0; d < dim; d++) out[i * dim + d] = p[4 * i + d];
      return out;
    },
  );
}

/** umap-js's sequential loop (wasm/assembly/umap.ts `optimize`), Float64, with the host's pow or the f64 tables. */
function createSequentialOptimizer(job, exactPow) {
  const w = instantiate();
  const tablesAt = align(w.heapBase());
  const tableBytes = w.powTableBytes();
  const l = layoutSchedule(w, job, tablesAt + 2 * tableBytes);
  const embAt = align(l.end);
  const size = job.vertices * job.dim;
  ensureBytes(w, embAt + 8 * size);
  const buf = w.memory.buffer;
  fillPowTable(buf, tablesAt, job.b);
  fillPowTable(buf, tablesAt + tableBytes, job.b - 1);
  writeSchedule(buf, job, l);
  new Float64Array(buf, embAt, size).set(job.embedding);
  const exact = exactPow ? 1 : 0;
  return optimizerState(
    job,
    (from, to, state) => {
      // prettier-ignore
      w.optimize(l.headAt, l.tailAt, l.epsAt, l.nextAt, l.nextNegAt, l.epsNegAt, embAt, l.edges, job.vertices, job.dim,
        job.a, job.b, job.gamma, job.initialAlpha, job.nEpochs, from, to, state, exact, tablesAt);
      return w.randomState();
    },
    () => new Float64Array(w.memory.buffer, embAt, size).slice(),
  );
}

/**
 * Load a layout job into a new wasm/project.wasm instance. Default: the stream kernel; `kernel: 'sequential'` or
 * `exactPow: true`: umap-js's own loop order (the latter bit-identical to umap-js). See wasm-kernels.d.mts.
 */
export function createLayoutOptimizer(job, options = {}) {
  if (options.exactPow || options.kernel === 'sequential') return createSequentialOptimizer(job, options.exactPow);
  return createStreamOptimizer(job, options.kernel !== 'streams');
}

/**
 * Run every epoch of `job` in batches: after each batch `onEpoch(epochsDone, nEpochs)`, then `await pause()` when
 * `budgetMillis` have passed since the last pause (the caller's chance to yield to its event loop). Batches are sized
 * to about a fifth of the budget: few calls into the kernel, and a pause soon after the budget runs out.
 * N.B. the first batch is small on purpose: V8 compiles wasm with its baseline compiler first and swaps in the
 * optimised code between calls, never inside a running call.
 */
export async function runLayoutJob(job, { exactPow = false, kernel, onEpoch, pause, budgetMillis = 50 } = {}) {
  const optimizer = createLayoutOptimizer(job, { exactPow, kernel });
  let batch = 2;
  let since = performance.now();
  while (optimizer.epoch < job.nEpochs) {
    const started = performance.now();
    const epoch = optimizer.run(optimizer.epoch + batch);
    onEpoch?.(epoch, job.nEpochs);
    const now = performance.now();
    batch = Math.max(1, Math.min(job.nEpochs, Math.round((batch * budgetMillis) / 5 / Math.max(now - started, 0.01))));
    if (pause && now - since >= budgetMillis) {
      await pause();
      since = performance.now();
    }
  }
  return optimizer.embedding();
}

/** `count` uniform draws of the kernel's mulberry32 from `state` (for the test that it matches core's createRandom). */
export function kernelRandoms(state, count) {
  const w = instantiate();
  const at = w.heapBase();
  ensureBytes(w, at + 8 * count);
  w.randoms(state >>> 0, count, at);
  return new Float64Array(w.memory.buffer, at, count).slice();
}

/** `count` negative-sample vertices of the stream kernel from `state` (for the test that they are umap-js's). */
export function kernelVertexDraws(state, count, nVertices) {
  const w = instantiate();
  const at = align(w.heapBase());
  ensureBytes(w, at + 4 * count);
  w.vertexDraws(state >>> 0, count, nVertices, at);
  return new Int32Array(w.memory.buffer, at, count).slice();
}

/**
 * The k nearest other rows of n uint8 vectors of width d, exactly (integer squared distances, ties to the lower
 * index): per row, indices and squared distances ascending. See wasm/assembly/knn.ts.
 */
export function nearestNeighborsU8(x, n, d, k) {
  if (x.length !== n * d) throw new RangeError(`nearestNeighborsU8: ${x.length} values for ${n} × ${d}`);
  if (!Number.isInteger(k) || k < 1 || k > n - 1) throw new RangeError(`nearestNeighborsU8: k = ${k} for ${n} rows`);
  const w = instantiate();
  const stride = align(d);
  const xAt = align(w.heapBase());
  const normsAt = align(xAt + n * stride);
  const dAt = align(normsAt + 4 * n);
  const iAt = align(dAt + 4 * n * k);
  ensureBytes(w, iAt + 4 * n * k);
  const rows = new Uint8Array(w.memory.buffer, xAt, n * stride);
  for (let i = 0; i < n; i++) rows.set(x.subarray(i * d, (i + 1) * d), i * stride);
  w.knnU8Init(xAt, n, stride, k, normsAt, dAt, iAt);
  // In row ranges: V8 swaps in optimised wasm code between calls, never inside one (see wasm/assembly/knn.ts).
  for (let i = 0; i < n; i += CHUNK_ROWS) w.knnU8(xAt, n, stride, k, normsAt, dAt, iAt, i, Math.min(n, i + CHUNK_ROWS));
  return { indices: new Int32Array(w.memory.buffer, iAt, n * k).slice(), squaredDistances: new Int32Array(w.memory.buffer, dAt, n * k).slice() };
}

/**
 * knn.ts's candidate search for Float32 rows in wasm (wasm/assembly/knn.ts `knnF32`): per row the k smallest
 * (squared distance by the expanded form, index), with the same Float64 numbers as the JavaScript loop.
 */
export function knnCandidatesF32(x, n, d, k, norms, tile) {
  const w = instantiate();
  const t = Math.max(4, tile - (tile % 4));
  const xAt = align(w.heapBase());
  const normsAt = align(xAt + 4 * n * d);
  const dAt = align(normsAt + 8 * n);
  const iAt = align(dAt + 8 * n * k);
  const packedAt = align(iAt + 4 * n * k);
  ensureBytes(w, packedAt + (t / 4) * d * 32);
  const buf = w.memory.buffer;
  new Float32Array(buf, xAt, n * d).set(x);
  new Float64Array(buf, normsAt, n).set(norms);
  new Float64Array(buf, dAt, n * k).fill(Infinity);
  new Int32Array(buf, iAt, n * k).fill(0x7fffffff);
  for (let j0 = 0; j0 < n; j0 += t) w.knnF32(xAt, n, d, k, normsAt, dAt, iAt, packedAt, j0, t);
  return { bestD: new Float64Array(w.memory.buffer, dAt, n * k).slice(), bestI: new Int32Array(w.memory.buffer, iAt, n * k).slice() };
}

/**
 * A·Bᵀ for Float32 A (aRows × width, from `aStart`) and Float64 B (bRows × width) into `out` (Float64, aRows × bRows):
 * kernels.ts's multiplyABt with the same numbers (wasm/assembly/gemm.ts), for large blocks.
 */
export function multiplyABtWasm(a, aStart, aRows, b, bRows, width, out) {
  const w = instantiate();
  const aAt = align(w.heapBase());
  const bAt = align(aAt + 4 * aRows * width);
  const outAt = align(bAt + 8 * bRows * width);
  const packedAt = align(outAt + 8 * aRows * bRows);
  ensureBytes(w, packedAt + Math.ceil(bRows / 4) * width * 32);
  const buf = w.memory.buffer;
  new Float32Array(buf, aAt, aRows * width).set(a.subarray(aStart, aStart + aRows * width));
  new Float64Array(buf, bAt, bRows * width).set(b.subarray(0, bRows * width));
  w.packQuadsF64(bAt, bRows, width, packedAt);
  for (let i = 0; i < aRows; i += CHUNK_ROWS) w.mulABtF32F64(aAt, aRows, bRows, width, outAt, packedAt, i, Math.min(aRows, i + CHUNK_ROWS));
  out.set(new Float64Array(w.memory.buffer, outAt, aRows * bRows));
}

/**
 * A·W for row-major Float64 A (rows × inner) and W (inner × cols), each sum over the inner index in order from 0 —
 * the numbers of the plain JavaScript triple loop (wasm/assembly/pca.ts `accumulateProducts`).
 */
export function multiplyF64(a, rows, inner, wm, cols) {
  const w = instantiate();
  const aAt = align(w.heapBase());
  const wAt = align(aAt + 8 * rows * inner);
  const outAt = align(wAt + 8 * inner * cols);
  ensureBytes(w, outAt + 8 * rows * cols);
  const buf = w.memory.buffer;
  new Float64Array(buf, aAt, rows * inner).set(a.subarray(0, rows * inner));
  new Float64Array(buf, wAt, inner * cols).set(wm.subarray(0, inner * cols));
  const chunk = Math.max(1, Math.ceil(CHUNK_ROWS * 64 / Math.max(1, cols)));
  for (let r = 0; r < rows; r += chunk) w.accumulateProducts(aAt, inner, wAt, cols, outAt, r, Math.min(rows, r + chunk));
  return new Float64Array(w.memory.buffer, outAt, rows * cols).slice();
}

/** pca.ts's orthonormalisation (modified Gram–Schmidt, two passes) of the l rows of m (l × d, Float64), in place. */
export function orthonormalizeRowsWasm(m, l, d) {
  const w = instantiate();
  const at = align(w.heapBase());
  ensureBytes(w, at + 8 * l * d);
  new Float64Array(w.memory.buffer, at, l * d).set(m.subarray(0, l * d));
  for (let pass = 0; pass < 2; pass++) for (let c = 0; c < l; c++) w.orthonormalizeRow(at, c, d);
  m.set(new Float64Array(w.memory.buffer, at, l * d));
}

/**
 * The fast float32 candidate search (wasm/assembly/knn.ts `knnF32Fast`): per row the k smallest (float32 expanded-form
 * squared distance, index), ascending; `norms` are the rows' squared norms as float32.
 */
export function knnCandidatesF32Fast(x, n, d, k, norms, tile) {
  const w = instantiate();
  const t = Math.max(8, tile - (tile % 8));
  const xAt = align(w.heapBase());
  const normsAt = align(xAt + 4 * n * d);
  const dAt = align(normsAt + 4 * (n + t + 8));
  const iAt = align(dAt + 4 * n * k);
  const packedAt = align(iAt + 4 * n * k);
  ensureBytes(w, packedAt + (t / 4) * d * 16);
  const buf = w.memory.buffer;
  new Float32Array(buf, xAt, n * d).set(x);
  new Float32Array(buf, normsAt, n + t + 8).fill(0).set(norms);
  new Float32Array(buf, dAt, n * k).fill(Infinity);
  new Int32Array(buf, iAt, n * k).fill(0x7fffffff);
  for (let j0 = 0; j0 < n; j0 += t) w.knnF32Fast(xAt, n, d, k, normsAt, dAt, iAt, packedAt, j0, t);
  return { bestD: new Float32Array(w.memory.buffer, dAt, n * k).slice(), bestI: new Int32Array(w.memory.buffer, iAt, n * k).slice() };
}
