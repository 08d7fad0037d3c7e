// wasm/project.wasm: the project stage's kernels. umap-streams.ts: UMAP's SGD epochs, the default (four interleaved
// streams); umap.ts: the same in umap-js's sequential order (bit-exact with the host's pow); knn.ts: exact kNN
// candidate searches; gemm.ts: the A·Bᵀ products of the randomized PCA.
export * from './umap';
export * from './knn';
export * from './gemm';
export * from './umap-streams';
export * from './umap-lanes';
