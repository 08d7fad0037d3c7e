"""umap-learn on the points the report's own UMAP fit uses: bench/pipeline/umap-peer.ts writes them (float32, n x d,
row-major) with their labels (uint8); this fits umap.UMAP(n_neighbors, min_dist, n_epochs) once as a warm-up (numba
compiles on first use), then `repeats` timed fits (random_state = repeat, which also makes umap-learn
single-threaded), and prints one JSON line: umap-learn's version, the seconds of each timed fit and the leave-one-out
10-NN accuracy of the last layout (same vote as @tbpipe/project: ties to the class with the nearest member).

usage: python3 umap_learn_peer.py <points.f32> <labels.u8> <n> <d> <n_neighbors> <min_dist> <n_epochs> <repeats>
"""
import json, sys, time
import numpy as np


def knn_accuracy(y, labels, k=10):
    from sklearn.neighbors import NearestNeighbors
    _, idx = NearestNeighbors(n_neighbors=k + 1).fit(y).kneighbors(y)
    correct = 0
    for i in range(len(labels)):
        votes = np.zeros(labels.max() + 1, dtype=np.int64)
        best, best_votes = -1, 0
        for j in idx[i, 1:]:
            c = labels[j]
            votes[c] += 1
            if votes[c] > best_votes:
                best, best_votes = c, votes[c]
        correct += best == labels[i]
    return float(correct / len(labels))


def main():
    points, label_file, n, d, n_neighbors, min_dist, n_epochs, repeats = sys.argv[1:9]
    n, d, n_neighbors, n_epochs, repeats = int(n), int(d), int(n_neighbors), int(n_epochs), int(repeats)
    x = np.fromfile(points, dtype=np.float32).reshape(n, d)
    labels = np.fromfile(label_file, dtype=np.uint8).astype(np.int64)
    import umap
    params = dict(n_neighbors=n_neighbors, min_dist=float(min_dist), n_epochs=n_epochs)
    umap.UMAP(random_state=0, **params).fit(x)  # numba warm-up
    seconds = []
    y = None
    for r in range(repeats):
        t = time.perf_counter()
        y = umap.UMAP(random_state=r, **params).fit_transform(x)
        seconds.append(time.perf_counter() - t)
    print(json.dumps({'version': umap.__version__, 'seconds': seconds, 'knn10': knn_accuracy(y, labels)}))


main()
