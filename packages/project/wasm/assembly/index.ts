// wasm/project.wasm: the project stage's kernels. umap.ts: UMAP's SGD epochs; knn.ts: exact kNN of uint8 vectors.
export * from './umap';
export * from './knn';
