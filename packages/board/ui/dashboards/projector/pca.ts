/**
 * PCA of an embedding in a Web Worker (TensorBoard's projector default for tensors wider than 3): centre, take the
 * top `k` eigenvectors of the covariance of up to 2 000 evenly spaced rows (of the Gram matrix when there are fewer
 * rows than dimensions), by orthogonal iteration, and project every row. Reports each component's share of the
 * total variance. The worker is built from {@link pcaWorkerMain}'s source, so it must not reference anything outside
 * its own body (the bundle has one entry point; no worker file to load).
 */
import { pcaWorkerMain } from './pca-core.ts';

/** What the worker sends back. */
export interface PcaResult {
  /** rows × k projected coordinates. */
  positions: Float32Array;
  /** Share of the total variance per component (0..1). */
  explained: number[];
}

export { pcaWorkerMain };

/** Runs PCA off the main thread. */
export function runPca(vectors: Float32Array, rows: number, dim: number, k: number): Promise<PcaResult> {
  const source = `(${pcaWorkerMain.toString()})()`;
  const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
  const worker = new Worker(url);
  return new Promise<PcaResult>((resolve, reject) => {
    worker.onmessage = (e: MessageEvent<PcaResult>) => {
      resolve(e.data);
      worker.terminate();
      URL.revokeObjectURL(url);
    };
    worker.onerror = (e) => {
      reject(new Error(`PCA worker: ${e.message}`));
      worker.terminate();
      URL.revokeObjectURL(url);
    };
    const copy = vectors.slice();
    worker.postMessage({ vectors: copy, rows, dim, k }, [copy.buffer]);
  });
}

