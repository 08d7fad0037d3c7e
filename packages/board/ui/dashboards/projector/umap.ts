/**
 * UMAP on demand, in a Web Worker, with umap-js (the library our project stage uses for its precomputed layouts).
 * This module is loaded lazily, so the bundler makes it its own chunk; the worker is a module worker that imports
 * this very chunk by its URL (`import.meta.url`) and runs {@link serveUmap}: no separate worker entry point.
 */
import { UMAP } from 'umap-js';

/** Progress and result messages of the worker. */
type UmapMessage = { epoch: number; epochs: number } | { positions: Float32Array };

/** Options of {@link runUmap}. */
export interface UmapOptions {
  nComponents: 2 | 3;
  /** Default 15 (umap-learn's). */
  nNeighbors?: number;
  /** Default 0.1. */
  minDist?: number;
  /** Seeds the layout; default 0. */
  seed?: number;
  onProgress?(epoch: number, epochs: number): void;
}

/** Runs UMAP on `rows` × `dim` vectors off the main thread; resolves to rows × nComponents coordinates. */
export function runUmap(vectors: Float32Array, rows: number, dim: number, o: UmapOptions): Promise<Float32Array> {
  // Messages that arrive while the chunk is still loading would be dropped: queue them, then replay.
  const source = `const q = []; self.onmessage = (e) => q.push(e);
import(${JSON.stringify(import.meta.url)}).then((m) => { m.serveUmap(self); for (const e of q) self.onmessage(e); });`;
  const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  const worker = new Worker(url, { type: 'module' });
  return new Promise<Float32Array>((resolve, reject) => {
    worker.onmessage = (e: MessageEvent<UmapMessage>) => {
      if ('positions' in e.data) {
        resolve(e.data.positions);
        worker.terminate();
        URL.revokeObjectURL(url);
      } else o.onProgress?.(e.data.epoch, e.data.epochs);
    };
    worker.onerror = (e) => {
      reject(new Error(`UMAP worker: ${e.message}`));
      worker.terminate();
      URL.revokeObjectURL(url);
    };
    const copy = vectors.slice();
    worker.postMessage({ vectors: copy, rows, dim, nComponents: o.nComponents, nNeighbors: o.nNeighbors ?? 15, minDist: o.minDist ?? 0.1, seed: o.seed ?? 0 }, [copy.buffer]);
  });
}

/** The worker side: answers one request with progress messages and the layout. */
export function serveUmap(scope: { onmessage: ((e: MessageEvent) => void) | null; postMessage(m: unknown, t?: Transferable[]): void }): void {
  scope.onmessage = (e: MessageEvent) => {
    const { vectors, rows, dim, nComponents, nNeighbors, minDist, seed } = e.data as {
      vectors: Float32Array; rows: number; dim: number; nComponents: number; nNeighbors: number; minDist: number; seed: number;
    };
    // mulberry32: a small seeded generator, so the same tensor gives the same layout.
    let state = seed >>> 0;
    const random = () => {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
    const data = Array.from({ length: rows }, (_, i) => Array.from(vectors.subarray(i * dim, (i + 1) * dim)));
    const umap = new UMAP({ nComponents, nNeighbors: Math.min(nNeighbors, Math.max(2, rows - 1)), minDist, random });
    const epochs = umap.initializeFit(data);
    for (let epoch = 0; epoch < epochs; epoch++) {
      umap.step();
      if (epoch % 20 === 0) scope.postMessage({ epoch, epochs });
    }
    const embedding = umap.getEmbedding();
    const positions = new Float32Array(rows * nComponents);
    embedding.forEach((row, i) => positions.set(row, i * nComponents));
    scope.postMessage({ positions }, [positions.buffer]);
  };
}
