// wasm/project.wasm: the project stage's kernels. umap-streams.ts: UMAP's SGD epochs in four interleaved
// streams); umap.ts: the same in umap-js's sequential order (bit-exact with the host's pow); knn.ts: exact kNN
// candidate searches; gemm.ts: the A·Bᵀ products of the randomized PCA; pca.ts: its small dense steps; umap-lanes.ts:
// the SGD in SIMD lanes (the default kernel since round 4).
export * from './umap';
export * from './knn';
export * from './gemm';
export * from './pca';
export * from './umap-streams';
export * from './umap-lanes';
