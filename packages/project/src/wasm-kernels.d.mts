/** One UMAP layout optimisation as plain data: umap-js's state after `initializeFit`, ready for the SGD kernel. */
export interface LayoutJob {
  /** Edge heads and tails (vertex indices), umap-js's `head`/`tail`. */
  head: Int32Array;
  tail: Int32Array;
  /** umap-js's `epochsPerSample` per edge. */
  epochsPerSample: Float64Array;
  /** Row-major vertices × dim start coordinates (umap-js's random init). */
  embedding: Float64Array;
  vertices: number;
  dim: number;
  /** The curve parameters umap-js fitted for min_dist and spread. */
  a: number;
  b: number;
  /** umap-js's `repulsionStrength`. */
  gamma: number;
  /** umap-js's `learningRate`. */
  initialAlpha: number;
  negativeSampleRate: number;
  nEpochs: number;
  /** core's mulberry32 state (`createRandom`'s) where the init left it: the negative sampling continues from it. */
  randomState: number;
}

/** Options of {@link createLayoutOptimizer} and {@link runLayoutJob}. */
export interface KernelOptions {
  /**
   * `lanes` (default): umap-js's per-edge updates and negative samples, the due edges of each epoch walked by eight
   * streams in SIMD lanes, float32 points and table pow (wasm/assembly/umap-lanes.ts). `streams`: the same with four
   * interleaved scalar streams (wasm/assembly/umap-streams.ts), the previous default. Both draw umap-js's samples for
   * every edge, in a different (deterministic) interleaving than umap-js's loop, so different layouts of the same
   * quality. `sequential`: umap-js's loop order, Float64 (wasm/assembly/umap.ts), table pow.
   */
  kernel?: 'lanes' | 'streams' | 'sequential';
  /**
   * The sequential kernel with the host's `Math.pow` (V8's): reproduces umap-js bit for bit, several times slower.
   * Overrides `kernel`.
   */
  exactPow?: boolean;
}

/** umap-js's SGD epochs in WebAssembly, a batch of epochs per call. */
export interface LayoutOptimizer {
  readonly nEpochs: number;
  /** Epochs run so far. */
  readonly epoch: number;
  /** Run epochs up to `to` (exclusive, at most nEpochs); returns the epochs done. */
  run(to: number): number;
  /** The current coordinates, row-major vertices × dim (a copy). */
  embedding(): Float64Array;
  /** mulberry32's state after the draws so far (the same for both kernels: they draw the same samples). */
  readonly randomState: number;
}

export function createLayoutOptimizer(job: LayoutJob, options?: KernelOptions): LayoutOptimizer;

/** Options of {@link runLayoutJob}. */
export interface RunLayoutOptions extends KernelOptions {
  /** After each batch of epochs: epochs done (1-based count) and the total. */
  onEpoch?: (epoch: number, nEpochs: number) => void;
  /** Awaited when `budgetMillis` have passed since the last pause (yield to the event loop here). */
  pause?: () => Promise<unknown>;
  /** Default 50. */
  budgetMillis?: number;
}

/** Every epoch of `job`, in batches; returns the final coordinates (row-major vertices × dim). */
export function runLayoutJob(job: LayoutJob, options?: RunLayoutOptions): Promise<Float64Array>;

/** `count` negative-sample vertices of the stream kernel from `state`: umap-js's floor(random() * nVertices). */
export function kernelVertexDraws(state: number, count: number, nVertices: number): Int32Array;

/** `count` draws of the kernel's mulberry32 from `state`. */
export function kernelRandoms(state: number, count: number): Float64Array;

/** The k nearest other rows of n uint8 vectors of width d, exactly: row-major n × k, ascending by (distance, index). */
export function nearestNeighborsU8(x: Uint8Array, n: number, d: number, k: number): { indices: Int32Array; squaredDistances: Int32Array };

/** knn.ts's candidate search in wasm: per row the k smallest (expanded-form squared distance, index), ascending. */
export function knnCandidatesF32(
  x: Float32Array,
  n: number,
  d: number,
  k: number,
  norms: Float64Array,
  tile: number,
): { bestD: Float64Array; bestI: Int32Array };

/** A·Bᵀ (Float32 A from `aStart`, Float64 B) into `out`, with kernels.ts multiplyABt's numbers. */
export function multiplyABtWasm(a: Float32Array, aStart: number, aRows: number, b: Float64Array, bRows: number, width: number, out: Float64Array): void;

/** A·W for row-major Float64 A (rows × inner) and W (inner × cols), the plain triple loop's numbers. */
export function multiplyF64(a: Float64Array, rows: number, inner: number, w: Float64Array, cols: number): Float64Array;

/** Modified Gram–Schmidt (two passes) of the l rows of m (l × d), in place, with pca.ts's JavaScript numbers. */
export function orthonormalizeRowsWasm(m: Float64Array, l: number, d: number): void;

/** The fast float32 candidate search: per row the k smallest (float32 squared distance, index), ascending. */
export function knnCandidatesF32Fast(
  x: Float32Array,
  n: number,
  d: number,
  k: number,
  norms: Float32Array,
  tile: number,
): { bestD: Float32Array; bestI: Int32Array };
