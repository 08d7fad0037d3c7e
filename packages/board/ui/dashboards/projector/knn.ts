/** Brute-force nearest neighbours in the embedding's original space (what TensorBoard's projector lists on click). */

export type Metric = 'cosine' | 'euclidean';

/** One neighbour: point index and its distance (cosine distance 1 − cos, or euclidean). */
export interface Neighbor {
  index: number;
  distance: number;
}

/** The `k` points nearest to point `query` (itself excluded), nearest first, ties by index. */
export function nearestNeighbors(vectors: Float32Array, dim: number, query: number, k: number, metric: Metric): Neighbor[] {
  const rows = Math.floor(vectors.length / dim);
  const qo = query * dim;
  let qn = 0;
  for (let j = 0; j < dim; j++) qn += vectors[qo + j]! * vectors[qo + j]!;
  qn = Math.sqrt(qn);
  const all: Neighbor[] = [];
  for (let i = 0; i < rows; i++) {
    if (i === query) continue;
    const o = i * dim;
    let d = 0;
    if (metric === 'euclidean') {
      for (let j = 0; j < dim; j++) {
        const t = vectors[o + j]! - vectors[qo + j]!;
        d += t * t;
      }
      d = Math.sqrt(d);
    } else {
      let dot = 0;
      let n = 0;
      for (let j = 0; j < dim; j++) {
        dot += vectors[o + j]! * vectors[qo + j]!;
        n += vectors[o + j]! * vectors[o + j]!;
      }
      const denom = Math.sqrt(n) * qn;
      d = denom > 0 ? 1 - dot / denom : 1;
    }
    all.push({ index: i, distance: d });
  }
  all.sort((a, b) => a.distance - b.distance || a.index - b.index);
  return all.slice(0, k);
}
