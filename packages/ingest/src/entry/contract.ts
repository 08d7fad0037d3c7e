/**
 * `@tbpipe/ingest/contract`: what a stage reading ingest's output needs — the images schema and its metadata keys,
 * the contract ids, the file names and `readImages` — without the stage itself (IDX files, folders, tables,
 * locating and downloading). The Nx plugin hashes exactly the files a stage loads, so a consumer importing this
 * subpath is not rerun when ingest's implementation changes, only when this contract does. Keep it that way:
 * nothing here may import `ingest.ts`, `sources/`, `locate.ts`, `download.ts`, `read-source.ts` or `cli.ts`.
 */
export {
  ImagesSchema,
  imagesSchema,
  labelType,
  newLabelArray,
  toLabelArray,
  imageBytes,
  IMAGES_CONTRACT,
  INGEST_CONTRACT,
  TRAIN_FILE,
  TEST_FILE,
  CLASS_NAMES_KEY,
  CLASS_COUNT_KEY,
  IMAGE_HEIGHT_KEY,
  IMAGE_WIDTH_KEY,
  IMAGE_CHANNELS_KEY,
  DATASET_KEY,
  MAX_CLASSES,
  MAX_IMAGE_SIDE,
  TUTORIAL_SHAPE,
  IMAGE_PIXELS,
  CLASS_COUNT,
} from '../contract.ts';
export type { ImageShape } from '../contract.ts';
export { readImages, writeImages } from '../images.ts';
export type { Images, ReadImagesResult } from '../images.ts';
