export { ingest, DEFAULT_INGEST_OPTIONS } from './ingest.ts';
export type { IngestOptions, IngestResult } from './ingest.ts';
// Everything a consumer of ingest's output needs (the `./contract` entry), then the rest.
export * from './entry/contract.ts';
export { IMAGE_HEIGHT, IMAGE_WIDTH, IMAGE_CHANNELS, FASHION_MNIST_CLASSES } from './contract.ts';
export { INGEST_STAGE } from './options.ts';
export { writeImages, encodeImages, makeImagesTable } from './images.ts';
export { DATASETS, DATASET_NAMES, IDX_FILES, IDX_ROLES, isDatasetName } from './datasets.ts';
export type { DatasetName, DatasetSpec, ChecksumTable, KnownFile, IdxRole } from './datasets.ts';
export {
  decodeIdxImages,
  decodeIdxLabels,
  encodeIdxImages,
  encodeIdxLabels,
  IDX_IMAGES_MAGIC,
  IDX_LABELS_MAGIC,
} from './idx.ts';
export type { IdxImages } from './idx.ts';
export { locateData } from './locate.ts';
export type { LocatedData, DataSource } from './locate.ts';
export { downloadDataset } from './download.ts';
export { IngestError, IdxError, GzipError, DataNotFoundError, DownloadError, CacheError, INGEST_ERROR_CODES } from './errors.ts';
