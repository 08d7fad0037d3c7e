// wasm/project.wasm: the project stage's kernels. umap.ts: UMAP's SGD epochs; knn.ts: exact kNN candidate searches;
// gemm.ts: the A·Bᵀ products of the randomized PCA.
export * from './umap';
export * from './knn';
export * from './gemm';
