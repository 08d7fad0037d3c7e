import { nearestNeighbors, type KnnGraph } from './knn.ts';

/** Neighbours that vote in {@link knnAccuracy}; the brief's k = 10. */
export const KNN_ACCURACY_K = 10;

/**
 * Leave-one-out k-nearest-neighbour classification accuracy of a labelled point set: the fraction of points whose
 * class is the majority class among their k nearest *other* points (Euclidean). A layout that keeps classes apart
 * scores near 1; chance is about 1 / (number of classes). A tie in the vote goes to the tied class with the nearest
 * member, so the score is deterministic.
 *
 * @param x n × d row-major coordinates (a 2-D layout, or a raw space for reference).
 * @param labels n class indices.
 * @param graph a precomputed neighbour graph of x without self (k ≥ `k`), to avoid searching twice.
 */
export function knnAccuracy(
  x: Float32Array,
  n: number,
  d: number,
  labels: ArrayLike<number>,
  k = KNN_ACCURACY_K,
  graph?: KnnGraph,
): number {
  if (labels.length !== n) throw new RangeError(`knnAccuracy: ${labels.length} labels for ${n} points`);
  const g = graph ?? nearestNeighbors(x, n, d, k);
  if (g.k < k || g.count !== n) throw new RangeError(`knnAccuracy: graph of ${g.count} × ${g.k} for ${n} points, k = ${k}`);
  return accuracyFromGraph(g, labels, k);
}

/** The vote of {@link knnAccuracy} on a given neighbour graph (its first k entries per row, self excluded). */
export function accuracyFromGraph(graph: KnnGraph, labels: ArrayLike<number>, k = KNN_ACCURACY_K): number {
  const n = graph.count;
  let maxLabel = 0;
  for (let i = 0; i < n; i++) maxLabel = Math.max(maxLabel, labels[i]);
  const votes = new Int32Array(maxLabel + 1);
  let correct = 0;
  for (let i = 0; i < n; i++) {
    votes.fill(0);
    let best = -1;
    let bestVotes = 0;
    const base = i * graph.k;
    // Neighbours arrive nearest first, so raising `best` only on a strictly larger count keeps the tie rule.
    for (let m = 0; m < k; m++) {
      const c = labels[graph.indices[base + m]];
      const v = ++votes[c];
      if (v > bestVotes) {
        bestVotes = v;
        best = c;
      }
    }
    if (best === labels[i]) correct++;
  }
  return n === 0 ? 0 : correct / n;
}
