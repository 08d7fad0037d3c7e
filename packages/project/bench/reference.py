"""Reference timings for bench/projection.bench.ts: umap-learn and scikit-learn on the same FashionMNIST rows.

Run with the system Python (/usr/bin/python3) where Debian's umap-learn / python3-sklearn are installed. Prints one
JSON object. Steady-state: every timed fit runs after a warm-up fit in the same process (numba compiles on first use).
Usage: python3 reference.py <fashion-mnist dir> <n> <repeats>
"""
import gzip, json, sys, time
import numpy as np

def read(path, offset, shape):
    with gzip.open(path, 'rb') as f:
        return np.frombuffer(f.read(), dtype=np.uint8, offset=offset).reshape(shape)

def knn_accuracy(y, labels, k=10):
    from sklearn.neighbors import KNeighborsClassifier
    from sklearn.model_selection import cross_val_predict
    # leave-one-out kNN vote: neighbours of each point among the others
    from sklearn.neighbors import NearestNeighbors
    nn = NearestNeighbors(n_neighbors=k + 1).fit(y)
    _, idx = nn.kneighbors(y)
    votes = labels[idx[:, 1:]]
    pred = np.array([np.bincount(v, minlength=10).argmax() for v in votes])
    return float((pred == labels).mean())

def main():
    root, n, repeats = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    images = read(f'{root}/t10k-images-idx3-ubyte.gz', 16, (-1, 784))[:n].astype(np.float32) / 255
    labels = read(f'{root}/t10k-labels-idx1-ubyte.gz', 8, (-1,))[:n].astype(np.int64)
    out = {'n': n}
    try:
        from sklearn.decomposition import PCA
        for solver in ['full', 'randomized']:
            for k in [3, 50]:
                times = []
                for r in range(repeats + 1):
                    t = time.perf_counter(); p = PCA(n_components=k, svd_solver=solver, random_state=0).fit(images); times.append(time.perf_counter() - t)
                out[f'sklearn_pca_{solver}_{k}'] = {'seconds': float(np.median(times[1:])), 'ratios': p.explained_variance_ratio_[:3].tolist()}
    except ImportError as e:
        out['sklearn'] = f'absent: {e}'
    try:
        import umap
        feats = {'pixels': images}
        for name, x in feats.items():
            umap.UMAP(n_neighbors=15, min_dist=0.1, random_state=0).fit(x[:2000])  # numba warm-up
            times = []
            for r in range(repeats):
                t = time.perf_counter(); y = umap.UMAP(n_neighbors=15, min_dist=0.1, random_state=r).fit_transform(x); times.append(time.perf_counter() - t)
            out[f'umap_learn_{name}'] = {'seconds': float(np.median(times)), 'all': times, 'knn10': knn_accuracy(y, labels)}
    except ImportError as e:
        out['umap_learn'] = f'absent: {e}'
    print(json.dumps(out))

main()
