/** `@tbpipe/project`: PCA and UMAP projections of images and learned features, TensorBoard projector embeddings. */
export { project, DEFAULT_PROJECT_OPTIONS, MAX_FEATURE_POINTS, PIXEL_KNN_DIMENSIONS } from './project.ts';
export { PROJECT_STAGE } from './options.ts';
export type { ProjectOptions, ProjectResult, ProjectMetrics, SourceMetrics } from './project.ts';
export { ProjectionsSchema, projectionsSchema, PROJECT_CONTRACT, PROJECTIONS_CONTRACT, PROJECT_FILES, COORDINATE_COLUMNS, SOURCES } from './contract.ts';
export type { Source, Method } from './contract.ts';
export { fitPca, projectPca } from './pca.ts';
export type { PcaModel, PcaOptions } from './pca.ts';
export { nearestNeighbors } from './knn.ts';
export type { KnnGraph, KnnOptions } from './knn.ts';
export { knnAccuracy, accuracyFromGraph, KNN_ACCURACY_K } from './knn-accuracy.ts';
export { runUmap, prepareUmap, umapEpochs } from './umap.ts';
export type { UmapOptions } from './umap.ts';
export { RUN_OUTPUTS, EVENT_FILE_SUFFIX, thumbnails, MAX_SPRITE_SIDE } from './projector.ts';
export { ProjectError, SampleTooLargeError, EmptyInputError, WidthMismatchError, TooFewPointsError, ClassMismatchError, NothingToProjectError } from './errors.ts';
export { createLayoutRunner, defaultWorkerCount, MAX_WORKERS } from './worker-pool.ts';
export type { LayoutRunner, LayoutOutcome, LayoutRunOptions, OnEpoch } from './worker-pool.ts';
export { createLayoutOptimizer, runLayoutJob, kernelRandoms, nearestNeighborsU8 } from './wasm-kernels.mjs';
export type { LayoutJob, LayoutOptimizer, KernelOptions } from './wasm-kernels.mjs';
